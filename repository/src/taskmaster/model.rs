//! Conversions between the `tasks` entity and [`Task`], the status conditions queries use, and
//! the update every ending of a task shares.

use chrono::{DateTime, FixedOffset};
use memdb_entity::tasks;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{EntityTrait, UpdateMany};

use super::types::{Task, TaskStatus};
use crate::db_enum::stored;
use crate::error::{RepoError, RepoResult};
use crate::page::utc;
use crate::query::stored_u32;

/// `tasks.status IN ('pending', 'ready')` with the statuses written into the SQL, not bound.
///
/// The partial index `ix_tasks_claim` has exactly this predicate, and planners use a partial
/// index only when they can prove the statement implies its predicate from the SQL text: a
/// bound value is unknown to a cached generic plan (PostgreSQL) and to SQLite's planner.
pub(super) fn is_waiting() -> Expr {
    Expr::col((tasks::Entity, tasks::Column::Status))
        .is_in(TaskStatus::WAITING.map(|status| Expr::Constant(status.into())))
}

/// An `UPDATE tasks` that moves tasks to `status` at `at`, bumping `last_updated_at`. Callers
/// add their own columns and conditions.
pub(super) fn moving_to(
    status: TaskStatus,
    at: DateTime<FixedOffset>,
) -> UpdateMany<tasks::Entity> {
    tasks::Entity::update_many()
        .col_expr(tasks::Column::Status, Expr::val(status))
        .col_expr(tasks::Column::LastUpdatedAt, Expr::val(at))
}

/// An `UPDATE tasks` that ends tasks in the terminal `status` at `at`: `completed_at` set, any
/// lease released. Callers add their own columns and conditions.
pub(super) fn finishing(
    status: TaskStatus,
    at: DateTime<FixedOffset>,
) -> UpdateMany<tasks::Entity> {
    debug_assert!(status.is_terminal(), "{status} does not end a task");
    moving_to(status, at)
        .col_expr(tasks::Column::CompletedAt, Expr::val(at))
        .col_expr(
            tasks::Column::LeaseExpiresAt,
            Expr::val(None::<DateTime<FixedOffset>>),
        )
}

impl TryFrom<tasks::Model> for Task {
    type Error = RepoError;

    fn try_from(m: tasks::Model) -> RepoResult<Self> {
        Ok(Self {
            id: m.id.into(),
            prompt: m.prompt,
            agent_type: m.agent_type,
            priority: u8::try_from(m.priority)
                .map_err(|_| RepoError::corrupt("task priority", m.priority))?,
            status: stored("task status", &m.status)?,
            input_data: m.input_data,
            result_data: m.result_data,
            error_message: m.error_message,
            retry_count: stored_u32("task retry count", m.retry_count)?,
            max_retries: stored_u32("task max retries", m.max_retries)?,
            max_execution_timeout_seconds: stored_u32(
                "task timeout",
                m.max_execution_timeout_seconds,
            )?,
            submitted_at: utc(m.submitted_at),
            started_at: m.started_at.map(utc),
            completed_at: m.completed_at.map(utc),
            last_updated_at: utc(m.last_updated_at),
            lease_expires_at: m.lease_expires_at.map(utc),
            created_by: m.created_by,
            parent_task_id: m.parent_task_id.map(Into::into),
        })
    }
}

/// The status of a stored task row.
///
/// # Errors
/// `Corrupt` when the stored status is not a [`TaskStatus`].
pub(super) fn status_of(task: &tasks::Model) -> RepoResult<TaskStatus> {
    stored("task status", &task.status)
}
