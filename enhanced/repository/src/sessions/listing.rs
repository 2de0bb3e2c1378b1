//! Listing a user's sessions: newest first by id (UUIDv7 ids sort by creation time), keyset
//! pages on `ix_sessions_app_user_id` or, with a status, `ix_sessions_app_user_status_id`.
//! Pages are of [`SessionSummary`]: no app or user state is read for a listing.

use memdb_enhanced_entity::sessions::{self, Column};
use memdb_repository::query::convert_all;
use memdb_repository::{RepoError, RepoResult, validate};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{SessionPage, SessionStatus, SessionSummary};
use crate::ids::SessionId;
use crate::limits;

/// One page of the sessions of `user_id` in `app_name` (see the module docs).
pub(super) async fn list(
    db: &impl ConnectionTrait,
    app_name: &str,
    user_id: &str,
    status: Option<SessionStatus>,
    cursor: Option<SessionId>,
    limit: u64,
) -> RepoResult<SessionPage> {
    let app_name = validate::non_empty("app_name", app_name, limits::SESSION_APP_NAME)?;
    let user_id = validate::non_empty("user_id", user_id, limits::SESSION_USER_ID)?;
    if !(1..=limits::SESSION_LIST_PAGE).contains(&limit) {
        return Err(RepoError::invalid(
            "limit",
            format!("must be 1 to {}, got {limit}", limits::SESSION_LIST_PAGE),
        ));
    }
    let mut select = sessions::Entity::find()
        .filter(Column::AppName.eq(app_name))
        .filter(Column::UserId.eq(user_id));
    if let Some(status) = status {
        select = select.filter(Column::Status.eq(status.as_str()));
    }
    if let Some(cursor) = cursor {
        select = select.filter(Column::Id.lt(cursor.as_uuid()));
    }
    let rows = select
        .order_by_desc(Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let sessions: Vec<SessionSummary> = convert_all(rows)?;
    let full = u64::try_from(sessions.len()).is_ok_and(|n| n == limit);
    let next = sessions.last().filter(|_| full).map(|last| last.id);
    Ok(SessionPage { sessions, next })
}
