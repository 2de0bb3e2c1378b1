//! State transitions of running work: claim, complete, fail, cancel, timeout sweep. Each runs
//! in one write transaction, so a crash leaves either all of a transition or none of it.

use chrono::{DateTime, FixedOffset, TimeDelta};
use memdb_entity::tasks;
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::graph::{all_dependencies_completed, cancel_dependents, promote_dependents};
use super::model::{UNFINISHED, WAITING, finishing, is_waiting};
use super::types::Task;
use crate::connect::begin_write;
use crate::error::{RepoError, RepoResult};
use crate::ids::TaskId;
use crate::page::now;
use crate::validate;

const ENTITY: &str = "task";

/// The error for a transition that found the task in the wrong status (or missing).
async fn wrong_state(db: &impl ConnectionTrait, id: Uuid, wanted: &str) -> RepoError {
    match tasks::Entity::find_by_id(id).one(db).await {
        Ok(Some(task)) => {
            RepoError::Conflict(format!("task {id} is {}, not {wanted}", task.status))
        }
        Ok(None) => RepoError::not_found(ENTITY, id),
        Err(err) => err.into(),
    }
}

/// The row a conditional `UPDATE ... WHERE id = ? AND status ... RETURNING *` changed; when
/// it changed none, the reason: the task is missing or not in the `wanted` status.
async fn transitioned(
    db: &impl ConnectionTrait,
    rows: Vec<tasks::Model>,
    id: Uuid,
    wanted: &str,
) -> RepoResult<tasks::Model> {
    match rows.into_iter().next() {
        Some(row) => Ok(row),
        None => Err(wrong_state(db, id, wanted).await),
    }
}

pub(super) async fn claim_next(db: &DatabaseConnection, agent_type: &str) -> RepoResult<Task> {
    let agent_type = validate::label("agent_type", agent_type)?;
    let txn = begin_write(db).await?;
    // SKIP LOCKED lets concurrent claimers on PostgreSQL pass over rows another claimer holds;
    // SQLite has no row locks (the clause is not rendered) and serialises write transactions.
    let candidate = tasks::Entity::find()
        .filter(tasks::Column::AgentType.eq(&agent_type))
        .filter(is_waiting())
        .filter(all_dependencies_completed())
        .order_by_desc(tasks::Column::Priority)
        .order_by_asc(tasks::Column::SubmittedAt)
        .order_by_asc(tasks::Column::Id)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .one(&txn)
        .await?;
    let Some(candidate) = candidate else {
        return Err(RepoError::QueueEmpty { agent_type });
    };
    let at = now();
    let lease = at + TimeDelta::seconds(i64::from(candidate.max_execution_timeout_seconds));
    let claimed = tasks::Entity::update_many()
        .col_expr(tasks::Column::Status, Expr::val("running"))
        .col_expr(tasks::Column::StartedAt, Expr::val(at))
        .col_expr(tasks::Column::LastUpdatedAt, Expr::val(at))
        .col_expr(tasks::Column::LeaseExpiresAt, Expr::val(lease))
        .filter(tasks::Column::Id.eq(candidate.id))
        .filter(tasks::Column::Status.is_in(WAITING))
        .exec_with_returning(&txn)
        .await?;
    let claimed = claimed.into_iter().next().ok_or_else(|| {
        RepoError::Conflict(format!("task {} was claimed concurrently", candidate.id))
    })?;
    txn.commit().await?;
    claimed.try_into()
}

pub(super) async fn complete(
    db: &DatabaseConnection,
    id: TaskId,
    result: serde_json::Value,
) -> RepoResult<Task> {
    let result = validate::json_value("result", result)?;
    let txn = begin_write(db).await?;
    let at = now();
    let completed = finishing("completed", at)
        .col_expr(tasks::Column::ResultData, Expr::val(result))
        .filter(tasks::Column::Id.eq(id.as_uuid()))
        .filter(tasks::Column::Status.eq("running"))
        .exec_with_returning(&txn)
        .await?;
    let completed = transitioned(&txn, completed, id.as_uuid(), "running").await?;
    promote_dependents(&txn, completed.id, at).await?;
    txn.commit().await?;
    completed.try_into()
}

/// Records a failed attempt of the running task `task` (locked by the caller's transaction).
async fn fail_attempt(
    db: &impl ConnectionTrait,
    task: &tasks::Model,
    message: &str,
    at: DateTime<FixedOffset>,
) -> RepoResult<tasks::Model> {
    let retry = task.retry_count < task.max_retries;
    let update = if retry {
        tasks::Entity::update_many()
            .col_expr(tasks::Column::Status, Expr::val("pending"))
            .col_expr(
                tasks::Column::RetryCount,
                Expr::col(tasks::Column::RetryCount).add(1),
            )
            .col_expr(tasks::Column::LastUpdatedAt, Expr::val(at))
            .col_expr(
                tasks::Column::LeaseExpiresAt,
                Expr::val(None::<DateTime<FixedOffset>>),
            )
    } else {
        finishing("failed", at)
    };
    let updated = update
        .col_expr(tasks::Column::ErrorMessage, Expr::val(message))
        .filter(tasks::Column::Id.eq(task.id))
        .filter(tasks::Column::Status.eq("running"))
        .exec_with_returning(db)
        .await?;
    let updated = transitioned(db, updated, task.id, "running").await?;
    if !retry {
        let reason = format!("dependency {} failed", task.id);
        cancel_dependents(db, task.id, &reason, at).await?;
    }
    Ok(updated)
}

pub(super) async fn fail(db: &DatabaseConnection, id: TaskId, error: &str) -> RepoResult<Task> {
    let message = validate::non_empty("error", error, 10_000)?;
    let txn = begin_write(db).await?;
    let task = tasks::Entity::find_by_id(id.as_uuid())
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or_else(|| RepoError::not_found(ENTITY, id))?;
    let failed = fail_attempt(&txn, &task, message, now()).await?;
    txn.commit().await?;
    failed.try_into()
}

pub(super) async fn cancel(db: &DatabaseConnection, id: TaskId) -> RepoResult<Task> {
    let txn = begin_write(db).await?;
    let at = now();
    let cancelled = finishing("cancelled", at)
        .filter(tasks::Column::Id.eq(id.as_uuid()))
        .filter(tasks::Column::Status.is_in(UNFINISHED))
        .exec_with_returning(&txn)
        .await?;
    let cancelled = transitioned(&txn, cancelled, id.as_uuid(), "unfinished").await?;
    cancel_dependents(
        &txn,
        cancelled.id,
        &format!("dependency {id} was cancelled"),
        at,
    )
    .await?;
    txn.commit().await?;
    cancelled.try_into()
}

pub(super) async fn requeue_timed_out(db: &DatabaseConnection) -> RepoResult<Vec<TaskId>> {
    let txn = begin_write(db).await?;
    let at = now();
    let expired = tasks::Entity::find()
        .filter(tasks::Column::Status.eq("running"))
        .filter(tasks::Column::LeaseExpiresAt.lt(at))
        .order_by_asc(tasks::Column::LeaseExpiresAt)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .all(&txn)
        .await?;
    let mut requeued = Vec::with_capacity(expired.len());
    for task in &expired {
        let message = format!("timed out after {} s", task.max_execution_timeout_seconds);
        fail_attempt(&txn, task, &message, at).await?;
        requeued.push(task.id.into());
    }
    txn.commit().await?;
    Ok(requeued)
}
