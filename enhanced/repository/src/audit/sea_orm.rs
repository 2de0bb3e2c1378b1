//! [`AuditRepository`] on SeaORM.

use async_trait::async_trait;
use chrono::Utc;
use memdb_enhanced_entity::audit_log;
use memdb_repository::query::fetch_page;
use memdb_repository::{Executor, Page, RepoError, RepoResult, bulk, now, stored_enum, validate};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter};
use sea_orm::{QueryOrder, Select};

use super::{AuditAction, AuditEntry, AuditRepository, NewAuditEntry};
use crate::ids::AuditEntryId;
use crate::limits;
use crate::window::TimeWindow;

memdb_repository::sea_orm_repository! {
    /// [`AuditRepository`] on SeaORM.
    SeaOrmAuditRepository
}

impl TryFrom<audit_log::Model> for AuditEntry {
    type Error = RepoError;

    fn try_from(m: audit_log::Model) -> RepoResult<Self> {
        Ok(Self {
            id: m.id.into(),
            actor: m.actor,
            action: stored_enum("audit action", &m.action)?,
            entity: m.entity,
            entity_id: m.entity_id,
            before: m.before,
            after: m.after,
            at: m.at.with_timezone(&Utc),
        })
    }
}

fn actor(value: &str) -> RepoResult<String> {
    validate::name("actor", value, limits::AUDIT_ACTOR)
}

fn entity_id(value: &str) -> RepoResult<String> {
    validate::key("entity_id", value, limits::AUDIT_ENTITY_ID)
}

/// The images `action` calls for, each checked as storable JSON.
fn images(
    action: AuditAction,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> RepoResult<(Option<serde_json::Value>, Option<serde_json::Value>)> {
    // Both checked before either can fail: a rejected value is taken apart without recursion,
    // an unchecked one beside it could be nested deep enough to overflow the stack when dropped.
    let before = before.map(|v| validate::json_value("before", v));
    let after = after.map(|v| validate::json_value("after", v));
    let (before, after) = (before.transpose()?, after.transpose()?);
    let (before_wanted, after_wanted) = match action {
        AuditAction::Create => (Some(false), true),
        AuditAction::Update => (None, true),
        AuditAction::Delete => (Some(true), false),
    };
    let misfit = |field: &'static str, present: bool| {
        let what = if present { "cannot have" } else { "needs" };
        RepoError::invalid(field, format!("a {action} entry {what} a {field} image"))
    };
    if let Some(wanted) = before_wanted
        && before.is_some() != wanted
    {
        return Err(misfit("before", before.is_some()));
    }
    if after.is_some() != after_wanted {
        return Err(misfit("after", after.is_some()));
    }
    Ok((before, after))
}

/// Entries in log order: by time, ids breaking ties (every index of the table ends so).
fn oldest_first(select: Select<audit_log::Entity>) -> Select<audit_log::Entity> {
    select
        .order_by_asc(audit_log::Column::At)
        .order_by_asc(audit_log::Column::Id)
}

/// Entries of one kind of row, row by row and oldest first within each:
/// `ix_audit_log_entity_at (entity, entity_id, at, id)` serves it with or without a row's id.
fn of_entity(entity: &str) -> RepoResult<Select<audit_log::Entity>> {
    let select = audit_log::Entity::find()
        .filter(audit_log::Column::Entity.eq(validate::label("entity", entity)?))
        .order_by_asc(audit_log::Column::EntityId);
    Ok(oldest_first(select))
}

/// The row `entry` makes, checked as [`AuditRepository::append`] documents and stamped now.
fn model(entry: NewAuditEntry) -> RepoResult<audit_log::Model> {
    // JSON first: a rejected value is taken apart without recursion (see validate).
    let (before, after) = images(entry.action, entry.before, entry.after)?;
    Ok(audit_log::Model {
        id: AuditEntryId::new().into(),
        actor: actor(&entry.actor)?,
        action: entry.action.as_str().to_owned(),
        entity: validate::label("entity", &entry.entity)?,
        entity_id: entity_id(&entry.entity_id)?,
        before,
        after,
        at: now(),
    })
}

#[async_trait]
impl<C: Executor> AuditRepository for SeaOrmAuditRepository<C> {
    async fn append(&self, entry: NewAuditEntry) -> RepoResult<AuditEntry> {
        let model = audit_log::ActiveModel::from(model(entry)?)
            .reset_all()
            .insert(&self.db)
            .await?;
        model.try_into()
    }

    async fn append_many(&self, entries: Vec<NewAuditEntry>) -> RepoResult<Vec<AuditEntry>> {
        let models = bulk::check_each(entries, model)?;
        if models.is_empty() {
            return Ok(Vec::new());
        }
        bulk::insert_all_or_nothing::<audit_log::Entity>(&self.db, &models).await??;
        models.into_iter().map(AuditEntry::try_from).collect()
    }

    async fn for_row(
        &self,
        entity: &str,
        entity_id: &str,
        page: Page,
    ) -> RepoResult<Vec<AuditEntry>> {
        let select =
            of_entity(entity)?.filter(audit_log::Column::EntityId.eq(self::entity_id(entity_id)?));
        fetch_page(select, &self.db, page).await
    }

    async fn for_entity(&self, entity: &str, page: Page) -> RepoResult<Vec<AuditEntry>> {
        fetch_page(of_entity(entity)?, &self.db, page).await
    }

    async fn by_actor(&self, name: &str, page: Page) -> RepoResult<Vec<AuditEntry>> {
        let select = audit_log::Entity::find().filter(audit_log::Column::Actor.eq(actor(name)?));
        fetch_page(oldest_first(select), &self.db, page).await
    }

    async fn in_window(&self, window: TimeWindow, page: Page) -> RepoResult<Vec<AuditEntry>> {
        let (from, to) = window.bounds();
        let select = audit_log::Entity::find()
            .filter(audit_log::Column::At.gte(from))
            .filter(audit_log::Column::At.lt(to));
        fetch_page(oldest_first(select), &self.db, page).await
    }
}
