//! [`AuditRepository`] on SeaORM.

use async_trait::async_trait;
use chrono::Utc;
use memdb_enhanced_entity::audit_log;
use memdb_repository::query::fetch_page;
use memdb_repository::{Executor, Page, RepoError, RepoResult, now, stored_enum, validate};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
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

#[async_trait]
impl<C: Executor> AuditRepository for SeaOrmAuditRepository<C> {
    async fn append(&self, entry: NewAuditEntry) -> RepoResult<AuditEntry> {
        // JSON first: a rejected value is taken apart without recursion (see validate).
        let (before, after) = images(entry.action, entry.before, entry.after)?;
        let model = audit_log::ActiveModel {
            id: Set(AuditEntryId::new().into()),
            actor: Set(actor(&entry.actor)?),
            action: Set(entry.action.as_str().to_owned()),
            entity: Set(validate::label("entity", &entry.entity)?),
            entity_id: Set(entity_id(&entry.entity_id)?),
            before: Set(before),
            after: Set(after),
            at: Set(now()),
        }
        .insert(&self.db)
        .await?;
        model.try_into()
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
