//! Reading a session's events: pages by `seq` on the `(session_id, seq)` primary key.

use chrono::Utc;
use memdb_enhanced_entity::session_events::{self, Column};
use memdb_repository::{RepoError, RepoResult};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::SessionEvent;
use crate::ids::SessionId;
use crate::limits::SESSION_EVENTS_PAGE;

/// A stored event as a domain value.
pub(super) fn stored_event(m: session_events::Model) -> SessionEvent {
    SessionEvent {
        session_id: m.session_id.into(),
        seq: m.seq,
        event_type: m.event_type,
        actor: m.actor,
        content: m.content,
        created_at: m.created_at.with_timezone(&Utc),
    }
}

/// `limit` checked against the page limit.
fn page_limit(field: &'static str, limit: u64) -> RepoResult<u64> {
    if (1..=SESSION_EVENTS_PAGE).contains(&limit) {
        Ok(limit)
    } else {
        Err(RepoError::invalid(
            field,
            format!("must be 1 to {SESSION_EVENTS_PAGE}, got {limit}"),
        ))
    }
}

/// The latest `n` events of `id`, in ascending `seq` order.
pub(super) async fn latest(
    db: &impl ConnectionTrait,
    id: SessionId,
    n: u64,
) -> RepoResult<Vec<SessionEvent>> {
    let n = page_limit("n", n)?;
    let mut rows = session_events::Entity::find()
        .filter(Column::SessionId.eq(id.as_uuid()))
        .order_by_desc(Column::Seq)
        .limit(n)
        .all(db)
        .await?;
    rows.reverse();
    Ok(rows.into_iter().map(stored_event).collect())
}

/// Up to `limit` events of `id` after `after_seq`, in ascending `seq` order.
pub(super) async fn after(
    db: &impl ConnectionTrait,
    id: SessionId,
    after_seq: i64,
    limit: u64,
) -> RepoResult<Vec<SessionEvent>> {
    let limit = page_limit("limit", limit)?;
    let rows = session_events::Entity::find()
        .filter(Column::SessionId.eq(id.as_uuid()))
        .filter(Column::Seq.gt(after_seq))
        .order_by_asc(Column::Seq)
        .limit(limit)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(stored_event).collect())
}
