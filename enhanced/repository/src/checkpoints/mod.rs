//! Checkpoints: numbered snapshots of a legacy task's working state, of which the latest is
//! the one to resume from.
//!
//! A task has at most one checkpoint per iteration (saving an iteration twice is a
//! [`ConflictKind::Duplicate`](memdb_repository::ConflictKind) conflict); iterations need not
//! be consecutive. A checkpoint belongs to its task and goes with it: deleting the task deletes
//! its checkpoints. It may name the session it was taken in; ending (deleting) that session
//! keeps the checkpoint and clears the reference.
//!
//! [`CheckpointRepository::prune`] keeps a task's newest checkpoints and deletes the rest in
//! one statement. Keeping none is refused (`Validation`): deleting a task's every checkpoint
//! is deleting the task's resume point, which a pruning call should not do by a zero.

mod sea_orm;

pub use self::sea_orm::SeaOrmCheckpointRepository;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use memdb_repository::{RepoResult, TaskId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::CheckpointId;

/// A saved checkpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Its id.
    pub id: CheckpointId,
    /// The legacy task it belongs to.
    pub task_id: TaskId,
    /// The session it was taken in, while that session exists.
    pub session_id: Option<Uuid>,
    /// Its iteration within the task.
    pub iteration: u32,
    /// The task's working state.
    pub state: serde_json::Value,
    /// When it was saved.
    pub created_at: DateTime<Utc>,
}

/// Input of [`CheckpointRepository::save`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewCheckpoint {
    /// The legacy task; must exist.
    pub task_id: TaskId,
    /// The session it is taken in; must exist.
    pub session_id: Option<Uuid>,
    /// Its iteration within the task, at most
    /// [`CHECKPOINT_ITERATION`](crate::limits::CHECKPOINT_ITERATION).
    pub iteration: u32,
    /// Any JSON value without NUL, nested at most 127 deep.
    pub state: serde_json::Value,
}

/// One page of [`CheckpointRepository::list`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckpointPage {
    /// The checkpoints, newest iteration first.
    pub checkpoints: Vec<Checkpoint>,
    /// The iteration to pass as `before` for the next page, when this one is full.
    pub next: Option<u32>,
}

/// Checkpoints of tasks (see the [module docs](self)).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait CheckpointRepository: Send + Sync {
    /// Saves a checkpoint.
    ///
    /// # Errors
    /// `Validation` for a bad state or iteration, or (field `task_id` / `session_id`) a task
    /// or session that does not exist; `Conflict` (`Duplicate`) when the task has a checkpoint
    /// of this iteration.
    async fn save(&self, input: NewCheckpoint) -> RepoResult<Checkpoint>;

    /// The task's checkpoint of the highest iteration; `None` when it has none (or the task
    /// does not exist).
    ///
    /// # Errors
    /// `Db` when the query fails.
    async fn latest(&self, task: TaskId) -> RepoResult<Option<Checkpoint>>;

    /// The task's checkpoint of this iteration.
    ///
    /// # Errors
    /// `NotFound` when there is none; `Validation` (field `iteration`) above
    /// [`CHECKPOINT_ITERATION`](crate::limits::CHECKPOINT_ITERATION).
    async fn get(&self, task: TaskId, iteration: u32) -> RepoResult<Checkpoint>;

    /// The task's checkpoints of iterations below `before` (all when `None`), newest first, at
    /// most `limit` (1 to [`Page::MAX_LIMIT`](memdb_repository::Page::MAX_LIMIT)).
    ///
    /// # Errors
    /// `Validation` (field `limit`) for a limit out of range.
    async fn list(
        &self,
        task: TaskId,
        before: Option<u32>,
        limit: u64,
    ) -> RepoResult<CheckpointPage>;

    /// Deletes the task's checkpoints but the `keep_last` newest (by iteration), in one
    /// statement; returns how many went.
    ///
    /// # Errors
    /// `Validation` (field `keep_last`) for 0 (see the [module docs](self)).
    async fn prune(&self, task: TaskId, keep_last: u32) -> RepoResult<u64>;
}
