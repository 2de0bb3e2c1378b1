//! Conversions between the `tasks` entity and [`Task`], the status lists queries use, and the
//! update every ending of a task shares.

use chrono::{DateTime, FixedOffset};
use memdb_entity::tasks;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{EntityTrait, UpdateMany};

use super::types::{Task, TaskStatus};
use crate::error::{RepoResult, corrupt};
use crate::page::utc;

/// Statuses `claim_next` may take a task from.
pub(super) const WAITING: [&str; 2] = ["pending", "ready"];
/// `tasks.status IN ('pending', 'ready')` with the statuses written into the SQL, not bound.
///
/// The partial index `ix_tasks_claim` has exactly this predicate, and planners use a partial
/// index only when they can prove the statement implies its predicate from the SQL text: a
/// bound value is unknown to a cached generic plan (PostgreSQL) and to SQLite's planner.
pub(super) fn is_waiting() -> Expr {
    Expr::col((tasks::Entity, tasks::Column::Status))
        .is_in(WAITING.map(|status| Expr::Constant(status.into())))
}

/// Statuses a task can be cancelled from.
pub(super) const UNFINISHED: [&str; 3] = ["pending", "ready", "running"];

/// An `UPDATE tasks` that ends tasks in `status` at `at`: `completed_at` and `last_updated_at`
/// set, any lease released. Callers add their own columns and conditions.
pub(super) fn finishing(
    status: &'static str,
    at: DateTime<FixedOffset>,
) -> UpdateMany<tasks::Entity> {
    tasks::Entity::update_many()
        .col_expr(tasks::Column::Status, Expr::val(status))
        .col_expr(tasks::Column::CompletedAt, Expr::val(at))
        .col_expr(tasks::Column::LastUpdatedAt, Expr::val(at))
        .col_expr(
            tasks::Column::LeaseExpiresAt,
            Expr::val(None::<DateTime<FixedOffset>>),
        )
}

impl TryFrom<tasks::Model> for Task {
    type Error = crate::error::RepoError;

    fn try_from(m: tasks::Model) -> RepoResult<Self> {
        let status = m
            .status
            .parse::<TaskStatus>()
            .map_err(|_| corrupt("task status", &m.status))?;
        let count =
            |what: &str, v: i32| u32::try_from(v).map_err(|_| corrupt(what, &v.to_string()));
        Ok(Self {
            id: m.id.into(),
            prompt: m.prompt,
            agent_type: m.agent_type,
            priority: u8::try_from(m.priority)
                .map_err(|_| corrupt("task priority", &m.priority.to_string()))?,
            status,
            input_data: m.input_data,
            result_data: m.result_data,
            error_message: m.error_message,
            retry_count: count("retry count", m.retry_count)?,
            max_retries: count("max retries", m.max_retries)?,
            max_execution_timeout_seconds: count("timeout", m.max_execution_timeout_seconds)?,
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

/// Converts a list of rows.
pub(super) fn into_tasks(models: Vec<tasks::Model>) -> RepoResult<Vec<Task>> {
    models.into_iter().map(Task::try_from).collect()
}
