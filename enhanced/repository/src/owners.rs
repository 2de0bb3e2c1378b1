//! The legacy task and the session an agent or a checkpoint belongs to: when the database
//! refuses a row for a foreign key, which of the two does not exist.

use memdb_enhanced_entity::sessions;
use memdb_entity::tasks;
use memdb_repository::{RepoError, RepoResult};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

/// Whether the row of `E` with primary key `id` exists (a primary-key lookup).
async fn exists<E: EntityTrait>(
    db: &impl ConnectionTrait,
    id_column: E::Column,
    id: Uuid,
) -> RepoResult<bool> {
    let found: Option<Uuid> = E::find()
        .select_only()
        .column(id_column)
        .filter(id_column.eq(id))
        .into_tuple()
        .one(db)
        .await?;
    Ok(found.is_some())
}

/// The error for a row the database refused because its task or session reference names no
/// row: a `Validation` of field `task_id` or `session_id`, the task checked first.
pub(crate) async fn missing_owner(
    db: &impl ConnectionTrait,
    what: &str,
    task_id: Option<Uuid>,
    session_id: Option<Uuid>,
) -> RepoError {
    if let Some(id) = task_id {
        match exists::<tasks::Entity>(db, tasks::Column::Id, id).await {
            Ok(false) => return RepoError::invalid("task_id", format!("task {id} does not exist")),
            Ok(true) => {}
            Err(err) => return err,
        }
    }
    if let Some(id) = session_id {
        match exists::<sessions::Entity>(db, sessions::Column::Id, id).await {
            Ok(false) => {
                return RepoError::invalid("session_id", format!("session {id} does not exist"));
            }
            Ok(true) => {}
            Err(err) => return err,
        }
    }
    // Deleted between the insert and these lookups: rare, but say what is known.
    RepoError::invalid(
        "reference",
        format!("the task or session of the {what} did not exist when it was written"),
    )
}
