//! State transitions of running work: claim, complete, fail, cancel, timeout sweep. Each is one
//! statement where one statement can do all of it (a claim; completing a task nothing depends
//! on; a failed attempt with retries left), else one write transaction: a crash leaves either
//! all of a transition or none of it.

use chrono::{DateTime, FixedOffset};
use memdb_entity::tasks;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LockBehavior, LockType, Query, ReturningClause};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, Iterable, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Statement, UpdateMany, Value,
};
use uuid::Uuid;

use super::dialect::lease_end;
use super::graph::{
    all_dependencies_completed, cancel_dependents, last_dependency_completed_at, promote_dependents,
};
use super::model::{finishing, is_waiting, moving_to};
use super::types::{Task, TaskStatus};
use crate::error::{ConflictKind, RepoError, RepoResult};
use crate::executor::Executor;
use crate::ids::TaskId;
use crate::literal_limit::subquery_with_literal_limit;
use crate::page::now;
use crate::statement_template::{marker_text, marker_time, template};
use crate::{limits, validate};

const ENTITY: &str = "task";

/// How many timed-out tasks one sweep transaction takes back at most.
pub(super) const SWEEP_BATCH: u64 = 200;

/// The error for a transition that found the task in the wrong status (or missing).
async fn wrong_state(db: &impl ConnectionTrait, id: Uuid, wanted: &str) -> RepoError {
    match tasks::Entity::find_by_id(id).one(db).await {
        Ok(Some(task)) => RepoError::conflict(
            ConflictKind::WrongState,
            format!("task {id} is {}, not {wanted}", task.status),
        ),
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

/// `RETURNING` every column of `tasks` by name. Not `RETURNING *`: PostgreSQL refuses to run
/// a statement prepared before the table gained or lost a column when its `*` would now return
/// other columns, and pooled connections keep their prepared statements.
fn returning_every_column() -> ReturningClause {
    Query::returning().columns(tasks::Column::iter())
}

/// `claim_next`'s statement for tasks of `agent_type`, the attempt stamped `at`: one
/// `UPDATE ... WHERE id = (the next task) RETURNING *`, so no transaction.
///
/// On PostgreSQL the subquery locks its row `FOR UPDATE SKIP LOCKED`, so concurrent claimers
/// pass over each other's rows, and one whose row was claimed since its statement began
/// re-checks the row's status and moves on. SQLite runs writing statements one at a time (the
/// clause is not rendered there). Its `LIMIT 1` is written into the text, so that PostgreSQL
/// settles on one plan instead of planning every claim again (`literal_limit`).
fn claim_statement(backend: DbBackend, agent_type: &str, at: DateTime<FixedOffset>) -> Statement {
    let next = tasks::Entity::find()
        .select_only()
        .column(tasks::Column::Id)
        .filter(tasks::Column::AgentType.eq(agent_type))
        .filter(is_waiting())
        .filter(all_dependencies_completed())
        .order_by_desc(tasks::Column::Priority)
        .order_by_asc(tasks::Column::SubmittedAt)
        .order_by_asc(tasks::Column::Id)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .into_query();
    let next = subquery_with_literal_limit(backend, next, 1);
    // The attempt starts at `at`, or when the last dependency completed if that is later: `at`
    // was read before the statement waited for a connection or the write lock, and a task
    // must never look started before its dependencies completed.
    // GREATEST on PostgreSQL, the multi-argument MAX on SQLite, whose timestamps as stored
    // compare in time order as text (see `dialect::lease_end`).
    let started: Expr =
        Func::greatest([Expr::val(at), last_dependency_completed_at().if_null(at)]).into();
    let mut claim = moving_to(TaskStatus::Running, at)
        .col_expr(tasks::Column::LeaseExpiresAt, lease_end(backend, &started))
        .col_expr(tasks::Column::StartedAt, started)
        .filter(Expr::col((tasks::Entity, tasks::Column::Id)).eq(next))
        .filter(is_waiting())
        .into_query();
    claim.returning(returning_every_column());
    backend.build(&claim)
}

/// The first row of a statement that changed at most one task and returned it.
///
/// Every row is read, not the first one only: the statement writes, and on SQLite a statement
/// left unfinished would keep its write transaction open.
async fn changed_task(
    db: &impl Executor,
    statement: Statement,
) -> RepoResult<Option<tasks::Model>> {
    let rows = db.query_all_raw(statement).await?;
    rows.first()
        .map(|row| tasks::Model::from_query_result(row, ""))
        .transpose()
        .map_err(Into::into)
}

pub(super) async fn claim_next(db: &impl Executor, agent_type: &str) -> RepoResult<Task> {
    let agent_type = validate::label("agent_type", agent_type)?;
    let backend = db.get_database_backend();
    // Built and rendered once per backend (`statement_template`).
    let claim = template("tasks.claim_next", backend, |set| {
        let (agent_type, at) = (marker_text("agent type", set), marker_time(0, set));
        let markers = vec![Value::from(agent_type.as_str()), Value::from(at)];
        (markers, claim_statement(backend, &agent_type, at))
    });
    let statement = claim.with(&[Value::from(agent_type.as_str()), Value::from(now())]);
    match changed_task(db, statement).await? {
        Some(task) => task.try_into(),
        None => Err(RepoError::QueueEmpty { agent_type }),
    }
}

/// `complete`'s one statement: task `id`, if it is running and nothing depends on it, completed
/// at `at` with `result`.
fn complete_statement(
    backend: DbBackend,
    id: Uuid,
    result: serde_json::Value,
    at: DateTime<FixedOffset>,
) -> Statement {
    let mut complete = completing(id, Expr::val(result), at)
        .filter(tasks::Column::DependentCount.eq(0))
        .into_query();
    complete.returning(returning_every_column());
    backend.build(&complete)
}

/// An `UPDATE tasks` that completes the running task `id` at `at` with `result`.
fn completing(id: Uuid, result: Expr, at: DateTime<FixedOffset>) -> UpdateMany<tasks::Entity> {
    finishing(TaskStatus::Completed, at)
        .col_expr(tasks::Column::ResultData, result)
        .filter(tasks::Column::Id.eq(id))
        .filter(tasks::Column::Status.eq(TaskStatus::Running))
}

pub(super) async fn complete(
    db: &impl Executor,
    id: TaskId,
    result: serde_json::Value,
) -> RepoResult<Task> {
    let result = validate::json_value("result", result)?;
    let at = now();
    let backend = db.get_database_backend();
    // Nothing depends on it: there is nobody to promote, and this one statement is the whole
    // transition. Every path that adds a dependent changes this row's `dependent_count` in its
    // own transaction (see `graph::add_dependents`), so a statement that waited for such a
    // transaction re-checks the condition against the row it wrote and changes nothing. No
    // row: it has dependents, or is not running (sorted out below). Built and rendered once
    // per backend (`statement_template`).
    let one_statement = template("tasks.complete", backend, |set| {
        let id = Uuid::from_u128(u128::from(set));
        let result = serde_json::json!(marker_text("result", set));
        let at = marker_time(0, set);
        let markers = vec![
            Value::from(id),
            Value::from(result.clone()),
            Value::from(at),
        ];
        (markers, complete_statement(backend, id, result, at))
    });
    let arguments = [
        Value::from(id.as_uuid()),
        Value::from(result),
        Value::from(at),
    ];
    if let Some(completed) = changed_task(db, one_statement.with(&arguments)).await? {
        return completed.try_into();
    }
    let [_, result, _] = arguments;
    let txn = db.begin_write().await?;
    let completed = completing(id.as_uuid(), Expr::val(result), at)
        .exec_with_returning(&txn)
        .await?;
    let completed = transitioned(&txn, completed, id.as_uuid(), "running").await?;
    promote_dependents(&txn, completed.id, at).await?;
    txn.commit().await?;
    completed.try_into()
}

/// An `UPDATE tasks` that queues a failed attempt again: back to `pending`, one more retry
/// counted, the lease released. Callers add the message and their conditions.
fn retrying(at: DateTime<FixedOffset>) -> UpdateMany<tasks::Entity> {
    moving_to(TaskStatus::Pending, at)
        .col_expr(
            tasks::Column::RetryCount,
            Expr::col(tasks::Column::RetryCount).add(1),
        )
        .col_expr(
            tasks::Column::LeaseExpiresAt,
            Expr::val(None::<DateTime<FixedOffset>>),
        )
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
        retrying(at)
    } else {
        finishing(TaskStatus::Failed, at)
    };
    let updated = update
        .col_expr(tasks::Column::ErrorMessage, Expr::val(message))
        .filter(tasks::Column::Id.eq(task.id))
        .filter(tasks::Column::Status.eq(TaskStatus::Running))
        .exec_with_returning(db)
        .await?;
    let updated = transitioned(db, updated, task.id, "running").await?;
    if !retry {
        let reason = format!("dependency {} failed", task.id);
        cancel_dependents(db, task.id, &reason, at).await?;
    }
    Ok(updated)
}

pub(super) async fn fail(db: &impl Executor, id: TaskId, error: &str) -> RepoResult<Task> {
    let message = validate::non_empty("error", error, limits::TASK_ERROR)?;
    // With retries left, the attempt touches no other task: one statement. No row: the
    // retries are used up (the dependents are cancelled below) or the task is not running.
    let retried = retrying(now())
        .col_expr(tasks::Column::ErrorMessage, Expr::val(message))
        .filter(tasks::Column::Id.eq(id.as_uuid()))
        .filter(tasks::Column::Status.eq(TaskStatus::Running))
        .filter(Expr::col(tasks::Column::RetryCount).lt(Expr::col(tasks::Column::MaxRetries)))
        .exec_with_returning(db)
        .await?;
    if let Some(retried) = retried.into_iter().next() {
        return retried.try_into();
    }
    let txn = db.begin_write().await?;
    let task = tasks::Entity::find_by_id(id.as_uuid())
        .lock(LockType::NoKeyUpdate)
        .one(&txn)
        .await?
        .ok_or_else(|| RepoError::not_found(ENTITY, id))?;
    let failed = fail_attempt(&txn, &task, message, now()).await?;
    txn.commit().await?;
    failed.try_into()
}

pub(super) async fn cancel(db: &impl Executor, id: TaskId) -> RepoResult<Task> {
    let txn = db.begin_write().await?;
    let at = now();
    let cancelled = finishing(TaskStatus::Cancelled, at)
        .filter(tasks::Column::Id.eq(id.as_uuid()))
        .filter(tasks::Column::Status.is_in(TaskStatus::UNFINISHED))
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

/// Takes back timed-out tasks in transactions of at most [`SWEEP_BATCH`] tasks each, so a large
/// backlog neither holds locks for long nor builds one huge transaction.
pub(super) async fn requeue_timed_out(db: &impl Executor) -> RepoResult<Vec<TaskId>> {
    let mut requeued = Vec::new();
    loop {
        let txn = db.begin_write().await?;
        let at = now();
        let expired = tasks::Entity::find()
            .filter(tasks::Column::Status.eq(TaskStatus::Running))
            .filter(tasks::Column::LeaseExpiresAt.lt(at))
            .order_by_asc(tasks::Column::LeaseExpiresAt)
            .limit(SWEEP_BATCH)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .all(&txn)
            .await?;
        for task in &expired {
            let message = format!("timed out after {} s", task.max_execution_timeout_seconds);
            fail_attempt(&txn, task, &message, at).await?;
        }
        txn.commit().await?;
        let full = expired.len() as u64 == SWEEP_BATCH;
        requeued.extend(expired.iter().map(|task| TaskId::from(task.id)));
        if !full {
            return Ok(requeued);
        }
    }
}
