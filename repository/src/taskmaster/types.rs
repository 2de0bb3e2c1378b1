//! Domain types of the task queue.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::TaskId;

crate::db_enum! {
    /// Where a task is in its life.
    ///
    /// ```text
    /// submit ──► pending ──(dependencies completed)──► ready
    ///              ▲  │                                  │
    ///   fail with │  └──────────── claim_next ◄──────────┘
    ///   retries   │                    │
    ///   left      └──────────────── running ──► completed
    ///                                  │
    ///                                  └──► failed (retries used up; dependents cancelled)
    /// pending | ready | running ──cancel──► cancelled (dependents cancelled)
    /// ```
    ///
    /// `claim_next` takes `pending` and `ready` tasks alike once every dependency is completed:
    /// `ready` marks tasks known to be runnable, `pending` ones are re-checked at claim time.
    pub enum TaskStatus: "task status" {
        /// Waiting for dependencies, or queued again after a failed attempt.
        Pending => "pending",
        /// Every dependency completed; waiting for a worker.
        Ready => "ready",
        /// Claimed by a worker.
        Running => "running",
        /// Finished successfully (terminal).
        Completed => "completed",
        /// Failed with no retries left (terminal).
        Failed => "failed",
        /// Cancelled, or abandoned because a dependency failed (terminal).
        Cancelled => "cancelled",
    }
}

impl TaskStatus {
    /// Statuses `claim_next` takes tasks from.
    pub const WAITING: [Self; 2] = [Self::Pending, Self::Ready];

    /// Statuses a task can still be cancelled from.
    pub const UNFINISHED: [Self; 3] = [Self::Pending, Self::Ready, Self::Running];

    /// Whether the task will never change again.
    #[must_use]
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Cancelled)
    }

    /// Whether a task in this status can never run (it failed or was cancelled).
    #[must_use]
    pub fn is_dead(self) -> bool {
        matches!(self, Self::Failed | Self::Cancelled)
    }
}

/// A string that is not a [`TaskStatus`].
pub type UnknownStatus = crate::UnknownValue;

/// Lowest priority.
pub const MIN_PRIORITY: u8 = 0;
/// Highest priority: workers take higher numbers first.
pub const MAX_PRIORITY: u8 = 10;
/// Priority of a task that does not say.
pub const DEFAULT_PRIORITY: u8 = 5;

/// A task in the queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// Its id.
    pub id: TaskId,
    /// What to do.
    pub prompt: String,
    /// Which kind of agent may claim it.
    pub agent_type: String,
    /// 0 (least urgent) to 10 (most urgent).
    pub priority: u8,
    /// Where it is in its life.
    pub status: TaskStatus,
    /// Input, a JSON value.
    pub input_data: serde_json::Value,
    /// Result, once completed.
    pub result_data: Option<serde_json::Value>,
    /// Message of the last failure.
    pub error_message: Option<String>,
    /// Failed attempts so far that were retried.
    pub retry_count: u32,
    /// Retries allowed before the task fails for good.
    pub max_retries: u32,
    /// How long one attempt may run before `requeue_timed_out` takes it back.
    pub max_execution_timeout_seconds: u32,
    /// When it was submitted.
    pub submitted_at: DateTime<Utc>,
    /// When the current or last attempt started.
    pub started_at: Option<DateTime<Utc>>,
    /// When it reached a terminal status.
    pub completed_at: Option<DateTime<Utc>>,
    /// When it last changed.
    pub last_updated_at: DateTime<Utc>,
    /// While running: when the attempt times out.
    pub lease_expires_at: Option<DateTime<Utc>>,
    /// Who submitted it.
    pub created_by: Option<String>,
    /// The task it is a subtask of.
    pub parent_task_id: Option<TaskId>,
}

/// Input of `TaskRepository::submit`. Start from [`NewTask::new`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewTask {
    /// What to do: not empty, at most 100 000 characters.
    pub prompt: String,
    /// Label of the agent kind that may claim it (default `general`).
    pub agent_type: String,
    /// 0 to 10, higher first (default 5).
    pub priority: u8,
    /// Input, any JSON value (default `{}`).
    pub input_data: serde_json::Value,
    /// Retries after failures (default 3).
    pub max_retries: u32,
    /// Seconds one attempt may run, at least 1 (default 3600).
    pub max_execution_timeout_seconds: u32,
    /// Who submits it (at most 200 characters).
    pub created_by: Option<String>,
    /// The task this one is a subtask of; must exist.
    pub parent_task_id: Option<TaskId>,
    /// Tasks that must complete before this one may run; must exist and not be failed or
    /// cancelled.
    pub depends_on: Vec<TaskId>,
}

impl NewTask {
    /// A task with the defaults: agent type `general`, priority 5, input `{}`, 3 retries, one
    /// hour per attempt, no parent, no dependencies.
    #[must_use]
    pub fn new(prompt: impl Into<String>) -> Self {
        Self {
            prompt: prompt.into(),
            agent_type: "general".to_owned(),
            priority: DEFAULT_PRIORITY,
            input_data: serde_json::json!({}),
            max_retries: 3,
            max_execution_timeout_seconds: 3600,
            created_by: None,
            parent_task_id: None,
            depends_on: Vec::new(),
        }
    }
}

/// Filter of `TaskRepository::list`; every field that is set must match.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskFilter {
    /// Only tasks in this status.
    pub status: Option<TaskStatus>,
    /// Only tasks for this agent type.
    pub agent_type: Option<String>,
    /// Only tasks submitted by this caller.
    pub created_by: Option<String>,
}
