//! Links of legacy tasks to sessions (`session_tasks`): a task belongs to one session at most;
//! the `tasks` table itself is never changed.

use memdb_enhanced_entity::{session_tasks, sessions};
use memdb_entity::tasks;
use memdb_repository::{
    ConflictKind, Executor, Page, RepoError, RepoResult, Violation, now, unit_of_work, violation,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::Serialize;
use uuid::Uuid;

use super::SeaOrmSessionRepository;
use super::sea_orm::ENTITY;
use crate::audited::entities::SESSION_TASK;
use crate::audited::trail::Change;
use crate::ids::SessionId;

/// What the audit log keeps of a link.
#[derive(Debug, Serialize)]
struct LinkImage {
    session_id: SessionId,
    task_id: Uuid,
}

/// A task already linked to `to`.
fn linked(task_id: Uuid, to: Uuid) -> RepoError {
    RepoError::conflict(
        ConflictKind::Duplicate,
        format!("task {task_id} is linked to session {to} already"),
    )
}

/// The session `task_id` is linked to, if any.
async fn link_of(db: &impl ConnectionTrait, task_id: Uuid) -> RepoResult<Option<Uuid>> {
    Ok(session_tasks::Entity::find_by_id(task_id)
        .select_only()
        .column(session_tasks::Column::SessionId)
        .into_tuple::<Uuid>()
        .one(db)
        .await?)
}

impl<C: Executor> SeaOrmSessionRepository<C> {
    /// Links `task_id` to session `id`, audited.
    pub(super) async fn link(&self, id: SessionId, task_id: Uuid) -> RepoResult<()> {
        unit_of_work(&self.db, |tx| async move {
            let session = sessions::Entity::find_by_id(id.as_uuid())
                .select_only()
                .column(sessions::Column::Id)
                .into_tuple::<Uuid>()
                .one(&tx)
                .await?;
            if session.is_none() {
                return Err(RepoError::not_found(ENTITY, id));
            }
            let task = tasks::Entity::find_by_id(task_id)
                .select_only()
                .column(tasks::Column::Id)
                .into_tuple::<Uuid>()
                .one(&tx)
                .await?;
            if task.is_none() {
                return Err(RepoError::not_found("task", task_id));
            }
            if let Some(to) = link_of(&tx, task_id).await? {
                return Err(linked(task_id, to));
            }
            let link = session_tasks::ActiveModel {
                task_id: Set(task_id),
                session_id: Set(id.into()),
                linked_at: Set(now()),
            };
            // A racing link of the same task commits first: its key refuses this one.
            link.insert(&tx)
                .await
                .map_err(|err| match violation(&err) {
                    Some(Violation::Unique(_)) => RepoError::conflict(
                        ConflictKind::Duplicate,
                        format!("task {task_id} is linked to a session already"),
                    ),
                    _ => err.into(),
                })?;
            let image = LinkImage {
                session_id: id,
                task_id,
            };
            let change = Change::created(SESSION_TASK, format!("{id}/{task_id}"), &image)?;
            self.trail.record(tx, vec![change]).await
        })
        .await
    }

    /// Removes the link of `task_id` to session `id`, audited.
    pub(super) async fn unlink(&self, id: SessionId, task_id: Uuid) -> RepoResult<()> {
        unit_of_work(&self.db, |tx| async move {
            let removed = session_tasks::Entity::delete_many()
                .filter(session_tasks::Column::TaskId.eq(task_id))
                .filter(session_tasks::Column::SessionId.eq(id.as_uuid()))
                .exec(&tx)
                .await?
                .rows_affected;
            let key = format!("{id}/{task_id}");
            if removed == 0 {
                return Err(RepoError::not_found("session task link", key));
            }
            let image = LinkImage {
                session_id: id,
                task_id,
            };
            let change = Change::deleted(SESSION_TASK, key, &image)?;
            self.trail.record(tx, vec![change]).await
        })
        .await
    }
}

/// The tasks linked to session `id`, by task id (`ix_session_tasks_session_task`).
pub(super) async fn tasks_of(
    db: &impl ConnectionTrait,
    id: SessionId,
    page: Page,
) -> RepoResult<Vec<Uuid>> {
    Ok(session_tasks::Entity::find()
        .select_only()
        .column(session_tasks::Column::TaskId)
        .filter(session_tasks::Column::SessionId.eq(id.as_uuid()))
        .order_by_asc(session_tasks::Column::TaskId)
        .limit(page.limit())
        .offset(page.offset())
        .into_tuple::<Uuid>()
        .all(db)
        .await?)
}

/// The session `task_id` is linked to.
pub(super) async fn session_of_task(
    db: &impl ConnectionTrait,
    task_id: Uuid,
) -> RepoResult<Option<SessionId>> {
    Ok(link_of(db, task_id).await?.map(SessionId::from))
}
