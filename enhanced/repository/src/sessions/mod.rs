//! Agent sessions: a status lifecycle, scoped state, an append-only event log and links to
//! legacy tasks.
//!
//! ## Lifecycle
//! A session starts `created` and moves only along
//! `created -> active <-> paused`, `created | active | paused -> terminated -> archived`
//! ([`SessionStatus::can_become`]); any other move is a `Conflict` of kind `WrongState`
//! naming both statuses (as an illegal move of a task or an agent is). `terminated_at` and `archived_at` are set when the session enters those
//! statuses. Only a live session (created, active or paused) takes events, state and metadata;
//! writes to a terminated or archived one are a `Conflict` of kind `WrongState`.
//!
//! ## Versions
//! `version` starts at 1 and every write to a session (event append, state update, status
//! change, metadata update) adds one to it in the same `UPDATE` that locks the session's row.
//! A write may name the version it expects: when another write came first it is a `Conflict`
//! of kind [`ConflictKind::StaleVersion`](memdb_repository::ConflictKind) naming the expected
//! and the actual version, and nothing is written. Timestamps play no part in it.
//!
//! ## Events
//! Events are numbered per session from 1 without gaps. An append bumps the session's
//! `last_event_seq` by the number of events in the `UPDATE ... RETURNING` that bumps its
//! version; that row lock (SQLite: the write lock) orders concurrent appends, and the events
//! take the numbers the update returned, all in one transaction. Pages of events are read by
//! `seq` on the `(session_id, seq)` key: the latest N, or those after a `seq`.
//!
//! ## State
//! See [`state`]: keys name their scope (`app:`, `user:`, none for the session, `temp:` never
//! stored) and are parsed once when written. App state is shared by every session of an app,
//! user state by every session of one user of an app, each key its own row, so concurrent
//! sessions writing different keys never lose each other's writes. [`SessionRepository::get`]
//! returns the merged view.
//!
//! ## Tasks
//! A legacy task may belong to one session, through `session_tasks` (the `tasks` table is
//! never changed). Deleting a session deletes its events and its task links.
//!
//! ## Audit
//! Every write appends an audit entry in its transaction (entities
//! [`SESSION`](crate::audited::entities::SESSION),
//! [`SESSION_EVENTS`](crate::audited::entities::SESSION_EVENTS) and
//! [`SESSION_TASK`](crate::audited::entities::SESSION_TASK)): when either fails, neither is
//! written.

mod events;
pub mod example;
mod image;
mod listing;
mod sea_orm;
mod shared_state;
pub mod state;
mod tasks;
mod write;

pub use self::sea_orm::SeaOrmSessionRepository;
pub use self::state::{StateDelta, StateKey};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use memdb_repository::{Page, RepoResult};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::SessionId;

memdb_repository::db_enum! {
    /// Where a session is in its lifecycle.
    pub enum SessionStatus: "session status" {
        /// Made, not started yet.
        Created => "created",
        /// Running.
        Active => "active",
        /// Stopped for a while; may become active again.
        Paused => "paused",
        /// Ended for good.
        Terminated => "terminated",
        /// Ended and put away.
        Archived => "archived",
    }
}

impl SessionStatus {
    /// Whether a session in this status may move to `next`.
    #[must_use]
    pub const fn can_become(self, next: Self) -> bool {
        match self {
            Self::Created => matches!(next, Self::Active | Self::Terminated),
            Self::Active => matches!(next, Self::Paused | Self::Terminated),
            Self::Paused => matches!(next, Self::Active | Self::Terminated),
            Self::Terminated => matches!(next, Self::Archived),
            Self::Archived => false,
        }
    }

    /// Whether a session in this status takes events, state and metadata.
    #[must_use]
    pub const fn is_live(self) -> bool {
        matches!(self, Self::Created | Self::Active | Self::Paused)
    }
}

/// A session with its merged state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// The session's columns.
    #[serde(flatten)]
    pub summary: SessionSummary,
    /// The merged state: session keys as they are, app keys as `app:<key>`, user keys as
    /// `user:<key>` (a JSON object).
    pub state: serde_json::Value,
    /// A JSON object of the caller's.
    pub metadata: serde_json::Value,
}

/// A session without its state and metadata: what listings return, so a page of sessions
/// reads no app or user state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSummary {
    /// Its id.
    pub id: SessionId,
    /// The app it belongs to.
    pub app_name: String,
    /// The user it belongs to.
    pub user_id: String,
    /// The project it works on, if any.
    pub project_id: Option<String>,
    /// Where it is in its lifecycle.
    pub status: SessionStatus,
    /// From 1, one more for every write.
    pub version: i32,
    /// The number of its last event, 0 before the first.
    pub last_event_seq: i64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last written.
    pub last_update_time: DateTime<Utc>,
    /// When it was terminated.
    pub terminated_at: Option<DateTime<Utc>>,
    /// When it was archived.
    pub archived_at: Option<DateTime<Utc>>,
}

/// Input of [`SessionRepository::create`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewSession {
    /// 1 to [`SESSION_APP_NAME`](crate::limits::SESSION_APP_NAME) characters, not blank.
    pub app_name: String,
    /// 1 to [`SESSION_USER_ID`](crate::limits::SESSION_USER_ID) characters, not blank.
    pub user_id: String,
    /// Up to [`SESSION_PROJECT_ID`](crate::limits::SESSION_PROJECT_ID) characters, not blank.
    pub project_id: Option<String>,
    /// The initial state; app and user keys are written to their scopes.
    pub state: StateDelta,
    /// A JSON object (`Null` stands for an empty one).
    pub metadata: serde_json::Value,
}

impl NewSession {
    /// A session of `user_id` in `app_name`, without project, state or metadata.
    #[must_use]
    pub fn new(app_name: impl Into<String>, user_id: impl Into<String>) -> Self {
        Self {
            app_name: app_name.into(),
            user_id: user_id.into(),
            ..Self::default()
        }
    }
}

/// An event to append.
#[derive(Clone, Debug, PartialEq)]
pub struct NewEvent {
    /// 1 to [`SESSION_EVENT_TYPE`](crate::limits::SESSION_EVENT_TYPE) characters, not blank.
    pub event_type: String,
    /// Who caused it: 1 to [`SESSION_EVENT_ACTOR`](crate::limits::SESSION_EVENT_ACTOR)
    /// characters, not blank.
    pub actor: String,
    /// Any JSON value without NUL.
    pub content: serde_json::Value,
}

impl NewEvent {
    /// An event of `event_type` by `actor`.
    #[must_use]
    pub fn new(
        event_type: impl Into<String>,
        actor: impl Into<String>,
        content: serde_json::Value,
    ) -> Self {
        Self {
            event_type: event_type.into(),
            actor: actor.into(),
            content,
        }
    }
}

/// One stored event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionEvent {
    /// The session.
    pub session_id: SessionId,
    /// Its number in the session, from 1.
    pub seq: i64,
    /// What kind of event.
    pub event_type: String,
    /// Who caused it.
    pub actor: String,
    /// What it says.
    pub content: serde_json::Value,
    /// When it was appended.
    pub created_at: DateTime<Utc>,
}

/// What an append did.
#[derive(Clone, Debug, PartialEq)]
pub struct Appended {
    /// The session's version after the append.
    pub version: i32,
    /// The events as stored, in `seq` order.
    pub events: Vec<SessionEvent>,
}

/// One page of a session listing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionPage {
    /// Sessions, newest first.
    pub sessions: Vec<SessionSummary>,
    /// The cursor of the next page, when this one is full.
    pub next: Option<SessionId>,
}

/// Agent sessions (see the [module docs](self)).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait SessionRepository: Send + Sync {
    /// Creates a session, status `created`, version 1; app and user keys of its initial state
    /// go to their scopes in the same transaction.
    ///
    /// # Errors
    /// `Validation` for a bad app name, user id, project id, state key or value, or metadata.
    async fn create(&self, input: NewSession) -> RepoResult<Session>;

    /// The session with its merged state.
    ///
    /// # Errors
    /// `NotFound` for an unknown session.
    async fn get(&self, id: SessionId) -> RepoResult<Session>;

    /// Moves the session to `next`.
    ///
    /// # Errors
    /// `NotFound` for an unknown session; `Conflict` of kind `WrongState` for a move the
    /// lifecycle does not allow; `Conflict` of kind `StaleVersion` when `expected_version` is
    /// not the current version.
    async fn transition(
        &self,
        id: SessionId,
        next: SessionStatus,
        expected_version: Option<i32>,
    ) -> RepoResult<Session>;

    /// Applies `delta` to the session's state and its app's and user's.
    ///
    /// # Errors
    /// `Validation` for a bad key or value (nothing is written); `NotFound` for an unknown
    /// session; `Conflict` of kind `StaleVersion` for a stale `expected_version`, of kind
    /// `WrongState` when the session is not live.
    async fn update_state(
        &self,
        id: SessionId,
        delta: StateDelta,
        expected_version: Option<i32>,
    ) -> RepoResult<Session>;

    /// Replaces the session's metadata.
    ///
    /// # Errors
    /// As [`SessionRepository::update_state`], `Validation` when `metadata` is not an object.
    async fn update_metadata(
        &self,
        id: SessionId,
        metadata: serde_json::Value,
        expected_version: Option<i32>,
    ) -> RepoResult<Session>;

    /// Appends `events` (1 to [`SESSION_EVENTS_PAGE`](crate::limits::SESSION_EVENTS_PAGE))
    /// with consecutive numbers and applies `delta`, as one write.
    ///
    /// # Errors
    /// As [`SessionRepository::update_state`], and `Validation` for a bad event or count.
    async fn append_events(
        &self,
        id: SessionId,
        events: Vec<NewEvent>,
        expected_version: Option<i32>,
        delta: StateDelta,
    ) -> RepoResult<Appended>;

    /// The latest `n` events (1 to the page limit), in ascending `seq` order; empty for an
    /// unknown session.
    ///
    /// # Errors
    /// `Validation` for `n` out of range.
    async fn events_latest(&self, id: SessionId, n: u64) -> RepoResult<Vec<SessionEvent>>;

    /// Up to `limit` events (1 to the page limit) after `after_seq`, in ascending `seq` order.
    ///
    /// # Errors
    /// `Validation` for `limit` out of range.
    async fn events_after(
        &self,
        id: SessionId,
        after_seq: i64,
        limit: u64,
    ) -> RepoResult<Vec<SessionEvent>>;

    /// The sessions of `user_id` in `app_name`, of `status` if given, newest first, `limit`
    /// (1 to [`SESSION_LIST_PAGE`](crate::limits::SESSION_LIST_PAGE)) at most, older than
    /// `cursor`.
    ///
    /// # Errors
    /// `Validation` for a bad app name, user id or limit.
    async fn list(
        &self,
        app_name: &str,
        user_id: &str,
        status: Option<SessionStatus>,
        cursor: Option<SessionId>,
        limit: u64,
    ) -> RepoResult<SessionPage>;

    /// Deletes the session, its events and its task links.
    ///
    /// # Errors
    /// `NotFound` for an unknown session.
    async fn delete(&self, id: SessionId) -> RepoResult<()>;

    /// Links legacy task `task_id` to the session.
    ///
    /// # Errors
    /// `NotFound` for an unknown session or task; `Conflict` of kind `Duplicate` when the task
    /// is linked to a session already.
    async fn link_task(&self, id: SessionId, task_id: Uuid) -> RepoResult<()>;

    /// Removes the task's link to the session.
    ///
    /// # Errors
    /// `NotFound` when the task is not linked to this session.
    async fn unlink_task(&self, id: SessionId, task_id: Uuid) -> RepoResult<()>;

    /// The tasks linked to the session, by task id.
    ///
    /// # Errors
    /// A database error only.
    async fn tasks_of(&self, id: SessionId, page: Page) -> RepoResult<Vec<Uuid>>;

    /// The session the task is linked to, if any.
    ///
    /// # Errors
    /// A database error only.
    async fn session_of_task(&self, task_id: Uuid) -> RepoResult<Option<SessionId>>;
}
