//! The writes to an existing session. Each runs in one transaction:
//! 1. `UPDATE sessions SET version = version + 1, last_event_seq = last_event_seq + n
//!    WHERE id = ? RETURNING *` locks the session's row (SQLite: the write transaction holds
//!    the database's write lock) and reserves the event numbers; the row it returns, less the
//!    bump, is the session as it was;
//! 2. the expected version, the session's status and the transition are checked against that
//!    row: any failure rolls the bump back;
//! 3. a second `UPDATE` of the locked row sets the new state, status, metadata and update time;
//!    app and user entries are upserted or deleted one key a statement, events inserted;
//! 4. the audit entries are appended.

use memdb_enhanced_entity::{session_events, sessions};
use memdb_repository::{
    ConflictKind, Executor, RepoError, RepoResult, SharedTransaction, now, unit_of_work, validate,
};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::events::stored_event;
use super::image::SessionImage;
use super::sea_orm::{ENTITY, merged};
use super::shared_state::apply_shared;
use super::state::CheckedDelta;
use super::{NewEvent, SeaOrmSessionRepository, Session, SessionEvent, SessionStatus, StateDelta};
use crate::audited::entities::{SESSION, SESSION_EVENTS};
use crate::audited::trail::Change;
use crate::ids::SessionId;
use crate::limits;

/// A checked event.
#[derive(Clone, Debug)]
pub(super) struct CheckedEvent {
    event_type: String,
    actor: String,
    content: serde_json::Value,
}

/// A checked write to a session.
#[derive(Clone, Debug, Default)]
pub(super) struct Write {
    pub(super) expected: Option<i32>,
    pub(super) status: Option<SessionStatus>,
    pub(super) delta: CheckedDelta,
    pub(super) delta_image: Option<serde_json::Value>,
    pub(super) metadata: Option<serde_json::Value>,
    pub(super) events: Vec<CheckedEvent>,
}

impl Write {
    /// A write that changes nothing yet, expecting `expected` if given.
    pub(super) fn new(expected: Option<i32>) -> Self {
        Self {
            expected,
            ..Self::default()
        }
    }

    /// The write with `delta`, checked.
    pub(super) fn with_delta(self, delta: StateDelta) -> RepoResult<Self> {
        let image = (!delta.is_empty()).then(|| delta.image());
        Ok(Self {
            delta: delta.checked()?,
            delta_image: image,
            ..self
        })
    }

    /// The write with `events` (1 to the page limit), checked.
    pub(super) fn with_events(self, events: Vec<NewEvent>) -> RepoResult<Self> {
        let max = usize::try_from(limits::SESSION_EVENTS_PAGE).unwrap_or(usize::MAX);
        if events.is_empty() || events.len() > max {
            return Err(RepoError::invalid(
                "events",
                format!("must be 1 to {max} events, got {}", events.len()),
            ));
        }
        let events = events
            .into_iter()
            .map(|e| {
                let content = validate::json_value("content", e.content)?;
                Ok(CheckedEvent {
                    event_type: validate::non_empty(
                        "event_type",
                        &e.event_type,
                        limits::SESSION_EVENT_TYPE,
                    )?
                    .to_owned(),
                    actor: validate::non_empty("actor", &e.actor, limits::SESSION_EVENT_ACTOR)?
                        .to_owned(),
                    content,
                })
            })
            .collect::<RepoResult<Vec<_>>>()?;
        Ok(Self { events, ..self })
    }
}

/// A stale-version conflict.
fn stale(id: SessionId, actual: i32, expected: i32) -> RepoError {
    RepoError::conflict(
        ConflictKind::StaleVersion,
        format!("session {id} is at version {actual}, not {expected}"),
    )
}

/// The checks of step 2 against the session as it was (`before`).
fn check(id: SessionId, before: &sessions::Model, write: &Write) -> RepoResult<SessionStatus> {
    if let Some(expected) = write.expected
        && expected != before.version
    {
        return Err(stale(id, before.version, expected));
    }
    let current: SessionStatus = memdb_repository::stored_enum("session status", &before.status)?;
    if let Some(next) = write.status {
        if !current.can_become(next) {
            return Err(RepoError::conflict(
                ConflictKind::WrongState,
                format!("session {id} cannot go from {current} to {next}"),
            ));
        }
    } else if !current.is_live() {
        return Err(RepoError::conflict(
            ConflictKind::WrongState,
            format!("session {id} is {current}: it takes no more writes"),
        ));
    }
    Ok(current)
}

impl<C: Executor> SeaOrmSessionRepository<C> {
    /// Makes `write` (see the module docs); the session after it and the events it added.
    pub(super) async fn write(
        &self,
        id: SessionId,
        write: Write,
    ) -> RepoResult<(Session, Vec<SessionEvent>)> {
        unit_of_work(&self.db, |tx| self.write_in(tx, id, write)).await
    }

    async fn write_in(
        &self,
        tx: SharedTransaction,
        id: SessionId,
        write: Write,
    ) -> RepoResult<(Session, Vec<SessionEvent>)> {
        let added = i64::try_from(write.events.len())
            .map_err(|_| RepoError::invalid("events", "too many"))?;
        let bumped = sessions::Entity::update_many()
            .col_expr(
                sessions::Column::Version,
                Expr::col(sessions::Column::Version).add(1),
            )
            .col_expr(
                sessions::Column::LastEventSeq,
                Expr::col(sessions::Column::LastEventSeq).add(added),
            )
            .filter(sessions::Column::Id.eq(id.as_uuid()))
            .exec_with_returning(&tx)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| RepoError::not_found(ENTITY, id))?;
        let mut before = bumped.clone();
        before.version -= 1;
        before.last_event_seq -= added;
        check(id, &before, &write)?;
        let at = now();
        let mut changes = sessions::ActiveModel {
            last_update_time: Set(at),
            ..Default::default()
        };
        if let Some(next) = write.status {
            changes.status = Set(next.as_str().to_owned());
            match next {
                SessionStatus::Terminated => changes.terminated_at = Set(Some(at)),
                SessionStatus::Archived => changes.archived_at = Set(Some(at)),
                _ => {}
            }
        }
        if !write.delta.session.is_empty() {
            changes.state = Set(write.delta.apply_session(&before.state));
        }
        if let Some(metadata) = write.metadata.clone() {
            changes.metadata = Set(metadata);
        }
        let after = sessions::Entity::update_many()
            .set(changes)
            .filter(sessions::Column::Id.eq(id.as_uuid()))
            .exec_with_returning(&tx)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| RepoError::not_found(ENTITY, id))?;
        apply_shared(&tx, &after, &write.delta, at).await?;
        let rows: Vec<session_events::ActiveModel> = write
            .events
            .into_iter()
            .zip(before.last_event_seq + 1..)
            .map(|(event, seq)| session_events::ActiveModel {
                session_id: Set(id.into()),
                seq: Set(seq),
                event_type: Set(event.event_type),
                actor: Set(event.actor),
                content: Set(event.content),
                created_at: Set(at),
            })
            .collect();
        let events: Vec<SessionEvent> = if rows.is_empty() {
            Vec::new()
        } else {
            session_events::Entity::insert_many(rows)
                .exec_with_returning(&tx)
                .await?
                .into_iter()
                .map(stored_event)
                .collect()
        };
        let mut audit = vec![Change::updated(
            SESSION,
            id,
            &SessionImage::of(&before, None)?,
            &SessionImage::of(&after, write.delta_image)?,
        )?];
        if let (Some(first), Some(last)) = (events.first(), events.last()) {
            let event_id = format!("{id}/{}-{}", first.seq, last.seq);
            audit.push(Change::created(SESSION_EVENTS, event_id, &events)?);
        }
        let session = merged(&tx, after).await?;
        self.trail.record(tx, audit).await?;
        Ok((session, events))
    }

    /// Deletes the session; its events and task links go with it (foreign keys cascade).
    pub(super) async fn delete_session(&self, id: SessionId) -> RepoResult<()> {
        unit_of_work(&self.db, |tx| async move {
            let removed = sessions::Entity::delete_many()
                .filter(sessions::Column::Id.eq(id.as_uuid()))
                .exec_with_returning(&tx)
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| RepoError::not_found(ENTITY, id))?;
            let change = Change::deleted(SESSION, id, &SessionImage::of(&removed, None)?)?;
            self.trail.record(tx, vec![change]).await
        })
        .await
    }
}
