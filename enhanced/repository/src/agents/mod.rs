//! Agents: the workers a task or a session spawns, each with a state lifecycle.
//!
//! ## Lifecycle
//! An agent starts [`AgentState::Spawning`] and moves as [`AgentState::reachable_from`] says:
//!
//! | from          | to                                          |
//! |---------------|---------------------------------------------|
//! | `spawning`    | `idle`, `busy`, `failed`, `terminated`      |
//! | `idle`        | `busy`, `terminating`, `terminated`, `failed` |
//! | `busy`        | `idle`, `terminating`, `failed`             |
//! | `terminating` | `terminated`, `failed`                      |
//!
//! `terminated` and `failed` are final: reaching one stamps the agent's `terminated_at`, and
//! nothing moves an agent out of them. A transition is one conditional `UPDATE` (the agent's
//! id and the states it may come from), so of concurrent transitions that exclude each other
//! exactly one wins; the others find the winner's state and fail with a
//! [`ConflictKind::WrongState`](memdb_repository::ConflictKind) conflict naming both states.
//!
//! ## Owners
//! An agent may work for a legacy task and for a session. Both references are checked by the
//! database: naming a task or session that does not exist is a `Validation` error of field
//! `task_id` or `session_id`. An agent outlives them: deleting the task or the session clears
//! the reference.

mod sea_orm;

pub use self::sea_orm::SeaOrmAgentRepository;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use memdb_repository::{RepoResult, TaskId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::AgentId;

memdb_repository::db_enum! {
    /// Where an agent is in its life.
    pub enum AgentState: "agent state" {
        /// Being started.
        Spawning => "spawning",
        /// Running, waiting for work.
        Idle => "idle",
        /// Running, working.
        Busy => "busy",
        /// Asked to stop, not stopped yet.
        Terminating => "terminating",
        /// Stopped (final).
        Terminated => "terminated",
        /// Stopped by a failure (final).
        Failed => "failed",
    }
}

impl AgentState {
    /// The states an agent may move to `self` from (empty for [`AgentState::Spawning`], which
    /// only a spawn gives).
    #[must_use]
    pub const fn reachable_from(self) -> &'static [Self] {
        match self {
            Self::Spawning => &[],
            Self::Idle => &[Self::Spawning, Self::Busy],
            Self::Busy => &[Self::Spawning, Self::Idle],
            Self::Terminating => &[Self::Idle, Self::Busy],
            Self::Terminated => &[Self::Spawning, Self::Idle, Self::Terminating],
            Self::Failed => &[Self::Spawning, Self::Idle, Self::Busy, Self::Terminating],
        }
    }

    /// Whether an agent in this state may move to `to`.
    #[must_use]
    pub fn can_become(self, to: Self) -> bool {
        to.reachable_from().contains(&self)
    }

    /// Whether the state is final (`terminated` or `failed`).
    #[must_use]
    pub const fn is_final(self) -> bool {
        matches!(self, Self::Terminated | Self::Failed)
    }
}

/// A spawned agent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    /// Its id.
    pub id: AgentId,
    /// Its name.
    pub name: String,
    /// What it specializes in.
    pub specialization: String,
    /// The legacy task it works for, while that task exists.
    pub task_id: Option<TaskId>,
    /// The session it works in, while that session exists.
    pub session_id: Option<Uuid>,
    /// Where it is in its life.
    pub state: AgentState,
    /// The model it runs on.
    pub model: String,
    /// When it was spawned.
    pub spawned_at: DateTime<Utc>,
    /// When its state last changed (its spawn time before that).
    pub updated_at: DateTime<Utc>,
    /// When it reached a final state.
    pub terminated_at: Option<DateTime<Utc>>,
}

/// Input of [`AgentRepository::spawn`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAgent {
    /// 1 to [`AGENT_NAME`](crate::limits::AGENT_NAME) characters with a visible one, no NUL;
    /// stored trimmed, in Unicode NFC.
    pub name: String,
    /// As `name`, at most [`AGENT_SPECIALIZATION`](crate::limits::AGENT_SPECIALIZATION)
    /// characters.
    pub specialization: String,
    /// 1 to [`AGENT_MODEL`](crate::limits::AGENT_MODEL) characters, not blank, no NUL; stored
    /// in Unicode NFC.
    pub model: String,
    /// The legacy task it works for; must exist.
    pub task_id: Option<TaskId>,
    /// The session it works in; must exist.
    pub session_id: Option<Uuid>,
}

/// Which agents [`AgentRepository::list`] lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AgentFilter {
    /// The agents in this state.
    State(AgentState),
    /// The agents of this legacy task.
    Task(TaskId),
    /// The agents of this session.
    Session(Uuid),
}

/// One page of [`AgentRepository::list`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentPage {
    /// The agents, oldest spawn first (by id).
    pub agents: Vec<Agent>,
    /// The id to pass as `after` for the next page, when this one is full.
    pub next: Option<AgentId>,
}

/// Agents and their state transitions (see the [module docs](self)).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait AgentRepository: Send + Sync {
    /// Spawns an agent, in state [`AgentState::Spawning`].
    ///
    /// # Errors
    /// `Validation` for a bad name, specialization or model, or (field `task_id` /
    /// `session_id`) a task or session that does not exist.
    async fn spawn(&self, input: NewAgent) -> RepoResult<Agent>;

    /// The agent with this id.
    ///
    /// # Errors
    /// `NotFound` when there is none.
    async fn get(&self, id: AgentId) -> RepoResult<Agent>;

    /// Moves the agent to `next` (see [`AgentState::reachable_from`]) in one conditional
    /// update; a final state stamps `terminated_at`.
    ///
    /// # Errors
    /// `Validation` (field `state`) for `next` = [`AgentState::Spawning`], which no transition
    /// reaches; `NotFound` when there is no such agent; `Conflict` (`WrongState`) naming both
    /// states when the agent's state does not allow the move (another transition won, or it
    /// is final).
    async fn transition(&self, id: AgentId, next: AgentState) -> RepoResult<Agent>;

    /// The agents `filter` selects, by id (spawn order), those after `after`, at most `limit`
    /// (1 to [`Page::MAX_LIMIT`](memdb_repository::Page::MAX_LIMIT)).
    ///
    /// # Errors
    /// `Validation` (field `limit`) for a limit out of range.
    async fn list(
        &self,
        filter: AgentFilter,
        after: Option<AgentId>,
        limit: u64,
    ) -> RepoResult<AgentPage>;
}
