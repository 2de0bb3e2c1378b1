//! The taskmaster: a priority queue of agent tasks with dependencies, retries and timeouts.

mod bulk;
mod dialect;
mod graph;
mod lifecycle;
mod model;
mod sea_orm;
mod types;

pub use self::bulk::BulkTask;
pub use self::sea_orm::SeaOrmTaskRepository;
pub use self::types::{
    DEFAULT_PRIORITY, MAX_PRIORITY, MIN_PRIORITY, NewTask, Task, TaskFilter, TaskStatus,
    UnknownStatus,
};

use async_trait::async_trait;

use crate::error::RepoResult;
use crate::ids::TaskId;
use crate::page::Page;

/// The task queue.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait TaskRepository: Send + Sync {
    /// Queues a task: `ready` when every dependency has completed, else `pending`.
    ///
    /// # Errors
    /// `Validation` for bad input, an unknown parent or dependency, or a dependency that failed
    /// or was cancelled (the task could never run). Nothing is written then.
    async fn submit(&self, input: NewTask) -> RepoResult<Task>;

    /// Queues many tasks at once, all or none, in one transaction with multi-row inserts, and
    /// returns them in input order. Each follows the rules of [`submit`](Self::submit); besides
    /// stored tasks, a task may depend on, or be a subtask of, tasks *earlier* in the same
    /// batch, named by index ([`BulkTask`]), so a batch cannot form a cycle. A task that
    /// depends on a task of the batch starts `pending`. Every input is checked before anything
    /// is written; stored dependencies and parents are checked in the batch's transaction.
    /// Empty input returns an empty list without touching the database.
    ///
    /// # Errors
    /// `Validation` for the first bad input, its reason starting with `input <index>:`: bad
    /// fields, a batch index that does not name an earlier input (`depends_on_batch`,
    /// `parent_in_batch`), both parents set, an unknown stored parent or dependency, or a
    /// dependency that failed or was cancelled. Nothing is written then.
    async fn submit_many(&self, inputs: Vec<BulkTask>) -> RepoResult<Vec<Task>>;

    /// The task with this id.
    ///
    /// # Errors
    /// `NotFound` when there is none.
    async fn get(&self, id: TaskId) -> RepoResult<Task>;

    /// Ids of the tasks `id` depends on, in id order, one page at a time.
    ///
    /// # Errors
    /// `NotFound` when there is no such task.
    async fn dependencies(&self, id: TaskId, page: Page) -> RepoResult<Vec<TaskId>>;

    /// Makes a waiting task depend on another one.
    ///
    /// # Errors
    /// `NotFound` for unknown ids; `Validation` when the edge would close a cycle (the message
    /// shows it) or points at a failed or cancelled task; `Conflict` (`WrongState`) when the
    /// task is no longer waiting, (`Duplicate`) when the edge exists.
    async fn add_dependency(&self, task: TaskId, depends_on: TaskId) -> RepoResult<()>;

    /// Tasks matching `filter`, oldest first.
    ///
    /// # Errors
    /// `Validation` for a bad agent type.
    async fn list(&self, filter: TaskFilter, page: Page) -> RepoResult<Vec<Task>>;

    /// The subtasks of `parent`, oldest first, one page at a time.
    ///
    /// # Errors
    /// `Db` when the query fails.
    async fn children(&self, parent: TaskId, page: Page) -> RepoResult<Vec<Task>>;

    /// Atomically takes the most urgent waiting task of `agent_type` whose dependencies have
    /// all completed (oldest first among equals) and marks it running. Two callers never get
    /// the same task.
    ///
    /// # Errors
    /// `QueueEmpty` when no task may run now; `Validation` for a bad agent type.
    async fn claim_next(&self, agent_type: &str) -> RepoResult<Task>;

    /// Marks a running task completed with its result; dependents whose dependencies are now
    /// all completed become `ready`.
    ///
    /// # Errors
    /// `Validation` on `result` for JSON holding a NUL character or nested deeper than the
    /// limit; `NotFound`; `Conflict` (`WrongState`) when the task is not running.
    async fn complete(&self, id: TaskId, result: serde_json::Value) -> RepoResult<Task>;

    /// Records a failed attempt of a running task: back to `pending` while retries are left,
    /// else `failed`, and every task waiting on it (transitively) is cancelled.
    ///
    /// # Errors
    /// `NotFound`; `Conflict` (`WrongState`) when the task is not running.
    async fn fail(&self, id: TaskId, error: &str) -> RepoResult<Task>;

    /// Cancels a task that has not finished, and every task waiting on it (transitively).
    ///
    /// # Errors
    /// `NotFound`; `Conflict` (`WrongState`) when the task already finished.
    async fn cancel(&self, id: TaskId) -> RepoResult<Task>;

    /// Treats every running task past its timeout as a failed attempt (see [`fail`](Self::fail))
    /// and returns their ids. The sweep runs in batches of at most 200 tasks, each in a
    /// transaction of its own, so a large backlog never holds locks for long.
    ///
    /// # Errors
    /// `Db` when a batch fails; that batch is not applied (earlier batches are).
    async fn requeue_timed_out(&self) -> RepoResult<Vec<TaskId>>;
}
