//! [`SessionRepository`] on SeaORM: the repository, reading a session with its merged state,
//! and the trait implementation over the writes ([`super::write`]), events
//! ([`super::events`]), listing ([`super::listing`]) and task links ([`super::tasks`]).

use async_trait::async_trait;
use memdb_enhanced_entity::{app_state_entries, sessions, user_state_entries};
use memdb_repository::query::get_by_id;
use memdb_repository::{Executor, Page, RepoResult, now, unit_of_work, validate};
use sea_orm::sea_query::{Alias, Expr, Query, UnionType};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, FromQueryResult};
use uuid::Uuid;

use super::image::SessionImage;
use super::write::Write;
use super::{
    Appended, NewEvent, NewSession, Session, SessionEvent, SessionPage, SessionRepository,
    SessionStatus, StateDelta,
};
use crate::audited::AuditTrail;
use crate::audited::entities::SESSION;
use crate::audited::trail::Change;
use crate::ids::SessionId;
use crate::limits;

/// The name sessions have in errors.
pub(super) const ENTITY: &str = "session";

/// [`SessionRepository`] on SeaORM. Writes are audited as the [`AuditTrail`]'s actor.
#[derive(Clone, Debug)]
pub struct SeaOrmSessionRepository<C = sea_orm::DatabaseConnection> {
    pub(super) db: C,
    pub(super) trail: AuditTrail,
}

impl<C: Executor> SeaOrmSessionRepository<C> {
    /// Sessions on `db` (the pool or a unit of work), written as `trail`'s actor.
    #[must_use]
    pub fn new(db: C, trail: AuditTrail) -> Self {
        Self { db, trail }
    }
}

/// One app or user state entry, as the merged read returns it.
#[derive(Debug, FromQueryResult)]
struct ScopedEntry {
    scope: String,
    key: String,
    value: serde_json::Value,
}

/// `row` with its merged state: one statement reads the app's and the user's entries (a
/// `UNION ALL` of two primary-key ranges).
pub(super) async fn merged(db: &impl ConnectionTrait, row: sessions::Model) -> RepoResult<Session> {
    let mut app = Query::select()
        .expr_as(Expr::val("app"), Alias::new("scope"))
        .column(app_state_entries::Column::Key)
        .column(app_state_entries::Column::Value)
        .from(app_state_entries::Entity)
        .and_where(app_state_entries::Column::AppName.eq(row.app_name.as_str()))
        .to_owned();
    let user = Query::select()
        .expr_as(Expr::val("user"), Alias::new("scope"))
        .column(user_state_entries::Column::Key)
        .column(user_state_entries::Column::Value)
        .from(user_state_entries::Entity)
        .and_where(user_state_entries::Column::AppName.eq(row.app_name.as_str()))
        .and_where(user_state_entries::Column::UserId.eq(row.user_id.as_str()))
        .to_owned();
    let union = app.union(UnionType::All, user).to_owned();
    let statement = db.get_database_backend().build(&union);
    let entries = ScopedEntry::find_by_statement(statement).all(db).await?;
    let mut state = row.state.as_object().cloned().unwrap_or_default();
    for entry in entries {
        state.insert(format!("{}:{}", entry.scope, entry.key), entry.value);
    }
    Ok(Session {
        summary: (&row).try_into()?,
        state: state.into(),
        metadata: row.metadata,
    })
}

/// The checked metadata: an object, `Null` for an empty one.
pub(super) fn metadata(value: serde_json::Value) -> RepoResult<serde_json::Value> {
    if value.is_null() {
        return Ok(serde_json::json!({}));
    }
    validate::json_object("metadata", value)
}

impl<C: Executor> SeaOrmSessionRepository<C> {
    async fn create_checked(&self, input: NewSession) -> RepoResult<Session> {
        let app_name =
            validate::non_empty("app_name", &input.app_name, limits::SESSION_APP_NAME)?.to_owned();
        let user_id =
            validate::non_empty("user_id", &input.user_id, limits::SESSION_USER_ID)?.to_owned();
        let project_id = input
            .project_id
            .as_deref()
            .map(|p| validate::non_empty("project_id", p, limits::SESSION_PROJECT_ID))
            .transpose()?
            .map(str::to_owned);
        let delta_image = input.state.image();
        let delta = input.state.checked()?;
        let metadata = metadata(input.metadata)?;
        unit_of_work(&self.db, |tx| async move {
            let at = now();
            let row = sessions::ActiveModel {
                id: Set(SessionId::new().into()),
                app_name: Set(app_name),
                user_id: Set(user_id),
                project_id: Set(project_id),
                status: Set(SessionStatus::Created.as_str().to_owned()),
                state: Set(delta.apply_session(&serde_json::json!({}))),
                metadata: Set(metadata),
                version: Set(1),
                last_event_seq: Set(0),
                created_at: Set(at),
                last_update_time: Set(at),
                terminated_at: Set(None),
                archived_at: Set(None),
            }
            .insert(&tx)
            .await?;
            super::shared_state::apply_shared(&tx, &row, &delta, at).await?;
            let image = SessionImage::of(&row, Some(delta_image))?;
            let change = Change::created(SESSION, row.id, &image)?;
            let session = merged(&tx, row).await?;
            self.trail.record(tx, vec![change]).await?;
            Ok(session)
        })
        .await
    }
}

#[async_trait]
impl<C: Executor> SessionRepository for SeaOrmSessionRepository<C> {
    async fn create(&self, input: NewSession) -> RepoResult<Session> {
        self.create_checked(input).await
    }

    async fn get(&self, id: SessionId) -> RepoResult<Session> {
        let row: sessions::Model = get_by_id::<sessions::Entity, _>(&self.db, ENTITY, id).await?;
        merged(&self.db, row).await
    }

    async fn transition(
        &self,
        id: SessionId,
        next: SessionStatus,
        expected_version: Option<i32>,
    ) -> RepoResult<Session> {
        let write = Write {
            status: Some(next),
            ..Write::new(expected_version)
        };
        Ok(self.write(id, write).await?.0)
    }

    async fn update_state(
        &self,
        id: SessionId,
        delta: StateDelta,
        expected_version: Option<i32>,
    ) -> RepoResult<Session> {
        let write = Write::new(expected_version).with_delta(delta)?;
        Ok(self.write(id, write).await?.0)
    }

    async fn update_metadata(
        &self,
        id: SessionId,
        metadata_value: serde_json::Value,
        expected_version: Option<i32>,
    ) -> RepoResult<Session> {
        let write = Write {
            metadata: Some(metadata(metadata_value)?),
            ..Write::new(expected_version)
        };
        Ok(self.write(id, write).await?.0)
    }

    async fn append_events(
        &self,
        id: SessionId,
        events: Vec<NewEvent>,
        expected_version: Option<i32>,
        delta: StateDelta,
    ) -> RepoResult<Appended> {
        let write = Write::new(expected_version)
            .with_delta(delta)?
            .with_events(events)?;
        let (session, events) = self.write(id, write).await?;
        Ok(Appended {
            version: session.summary.version,
            events,
        })
    }

    async fn events_latest(&self, id: SessionId, n: u64) -> RepoResult<Vec<SessionEvent>> {
        super::events::latest(&self.db, id, n).await
    }

    async fn events_after(
        &self,
        id: SessionId,
        after_seq: i64,
        limit: u64,
    ) -> RepoResult<Vec<SessionEvent>> {
        super::events::after(&self.db, id, after_seq, limit).await
    }

    async fn list(
        &self,
        app_name: &str,
        user_id: &str,
        status: Option<SessionStatus>,
        cursor: Option<SessionId>,
        limit: u64,
    ) -> RepoResult<SessionPage> {
        super::listing::list(&self.db, app_name, user_id, status, cursor, limit).await
    }

    async fn delete(&self, id: SessionId) -> RepoResult<()> {
        self.delete_session(id).await
    }

    async fn link_task(&self, id: SessionId, task_id: Uuid) -> RepoResult<()> {
        self.link(id, task_id).await
    }

    async fn unlink_task(&self, id: SessionId, task_id: Uuid) -> RepoResult<()> {
        self.unlink(id, task_id).await
    }

    async fn tasks_of(&self, id: SessionId, page: Page) -> RepoResult<Vec<Uuid>> {
        super::tasks::tasks_of(&self.db, id, page).await
    }

    async fn session_of_task(&self, task_id: Uuid) -> RepoResult<Option<SessionId>> {
        super::tasks::session_of_task(&self.db, task_id).await
    }
}
