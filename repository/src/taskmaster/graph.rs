//! Queries over the dependency graph, run inside the caller's transaction.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, FixedOffset};
use memdb_entity::{task_dependencies as deps, tasks};
use sea_orm::sea_query::{Expr, ExprTrait, JoinType, LockType, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::model::{finishing, moving_to};
use super::types::TaskStatus;
use crate::batch::{IDS_PER_STATEMENT, uuids_where_in};
use crate::db_enum::stored;
use crate::error::{RepoError, RepoResult};

/// The status a new task with these dependencies starts in: `ready` when they have all
/// completed (or there are none), else `pending`.
///
/// The dependencies stay locked until the caller's transaction ends (see [`locked_statuses`]),
/// so none of them can complete, fail or be cancelled between this check and the new task's
/// edges becoming visible: such a transition waits, then finds the new task among the
/// dependents it promotes or cancels. (Without the lock, PostgreSQL could cancel a dependency
/// unseen and leave the new task pending forever.) The caller counts the new edges on the
/// dependencies' rows ([`add_dependents`]) before it commits.
///
/// # Errors
/// [`RepoError::Validation`] on `depends_on` for unknown ids, or for a dependency that failed
/// or was cancelled (the new task could never run).
pub(super) async fn initial_status(
    db: &impl ConnectionTrait,
    depends_on: &BTreeSet<Uuid>,
) -> RepoResult<TaskStatus> {
    if depends_on.is_empty() {
        return Ok(TaskStatus::Ready);
    }
    let found: HashMap<Uuid, TaskStatus> =
        locked_statuses(db, depends_on).await?.into_iter().collect();
    status_given(depends_on, &found)
}

/// The status a new task with these dependencies starts in, given the statuses `found` of the
/// stored tasks (see [`initial_status`]).
///
/// # Errors
/// [`RepoError::Validation`] on `depends_on` for ids missing from `found`, or for a dependency
/// that failed or was cancelled.
pub(super) fn status_given(
    depends_on: &BTreeSet<Uuid>,
    found: &HashMap<Uuid, TaskStatus>,
) -> RepoResult<TaskStatus> {
    let missing: Vec<String> = depends_on
        .iter()
        .filter(|id| !found.contains_key(id))
        .map(ToString::to_string)
        .collect();
    if !missing.is_empty() {
        return Err(RepoError::invalid(
            "depends_on",
            format!("unknown task ids: {}", missing.join(", ")),
        ));
    }
    let statuses = depends_on.iter().map(|id| (id, found[id]));
    if let Some((dead, status)) = statuses.clone().find(|(_, s)| s.is_dead()) {
        return Err(RepoError::invalid(
            "depends_on",
            format!("task {dead} is {status}, so this task could never run"),
        ));
    }
    Ok(
        if statuses
            .into_iter()
            .all(|(_, s)| s == TaskStatus::Completed)
        {
            TaskStatus::Ready
        } else {
            TaskStatus::Pending
        },
    )
}

/// The statuses of the tasks among `ids` that exist, in id order, locked until the caller's
/// transaction ends (see [`initial_status`]).
///
/// The lock is PostgreSQL's `FOR NO KEY UPDATE`: the caller goes on to change these rows
/// ([`add_dependents`]), so a weaker lock that two callers could share would leave both
/// waiting for the other to let go before either could write. Rows are locked in id order, so
/// two callers never wait on each other in opposite orders. Inserting rows that reference these
/// tasks (`FOR KEY SHARE`) is not blocked. SQLite holds the write lock already.
///
/// # Errors
/// `Db` when a query fails; `Corrupt` for a stored status that is not a [`TaskStatus`].
pub(super) async fn locked_statuses(
    db: &impl ConnectionTrait,
    ids: &BTreeSet<Uuid>,
) -> RepoResult<Vec<(Uuid, TaskStatus)>> {
    let ids: Vec<Uuid> = ids.iter().copied().collect();
    let mut found: Vec<(Uuid, TaskStatus)> = Vec::with_capacity(ids.len());
    for batch in ids.chunks(IDS_PER_STATEMENT) {
        let rows: Vec<(Uuid, String)> = tasks::Entity::find()
            .select_only()
            .column(tasks::Column::Id)
            .column(tasks::Column::Status)
            .filter(tasks::Column::Id.is_in(batch.iter().copied()))
            .order_by_asc(tasks::Column::Id)
            .lock(LockType::NoKeyUpdate)
            .into_tuple()
            .all(db)
            .await?;
        for (id, status) in rows {
            found.push((id, stored("task status", &status)?));
        }
    }
    Ok(found)
}

/// The tasks among `ids` that exist.
///
/// # Errors
/// `Db` when a query fails.
pub(super) async fn existing(
    db: &impl ConnectionTrait,
    ids: &BTreeSet<Uuid>,
) -> RepoResult<BTreeSet<Uuid>> {
    let ids: Vec<Uuid> = ids.iter().copied().collect();
    let id = tasks::Column::Id;
    let found = uuids_where_in::<tasks::Entity>(db, id, id, &ids).await?;
    Ok(found.into_iter().collect())
}

/// `NOT EXISTS` a dependency of the outer `tasks` row that has not completed. Its constants are
/// written into the SQL, not bound, so that PostgreSQL's plan for a prepared statement that
/// holds it does not depend on values it cannot see.
pub(super) fn all_dependencies_completed() -> Expr {
    Expr::not_exists(
        Query::select()
            .expr(Expr::Constant(1.into()))
            .from_as(deps::Entity, "d")
            .join_as(
                JoinType::InnerJoin,
                tasks::Entity,
                "dt",
                Expr::col(("dt", tasks::Column::Id)).equals(("d", deps::Column::DependsOnTaskId)),
            )
            .and_where(
                Expr::col(("d", deps::Column::TaskId)).equals((tasks::Entity, tasks::Column::Id)),
            )
            .and_where(
                Expr::col(("dt", tasks::Column::Status))
                    .ne(Expr::Constant(TaskStatus::Completed.as_str().into())),
            )
            .to_owned(),
    )
}

/// When the last dependency of the outer `tasks` row completed; NULL without dependencies.
/// For a row `claim_next` takes, every dependency has completed.
pub(super) fn last_dependency_completed_at() -> Expr {
    Query::select()
        .expr(Expr::col(("dt", tasks::Column::CompletedAt)).max())
        .from_as(deps::Entity, "d")
        .join_as(
            JoinType::InnerJoin,
            tasks::Entity,
            "dt",
            Expr::col(("dt", tasks::Column::Id)).equals(("d", deps::Column::DependsOnTaskId)),
        )
        .and_where(
            Expr::col(("d", deps::Column::TaskId)).equals((tasks::Entity, tasks::Column::Id)),
        )
        .to_owned()
        .into()
}

/// Adds `added` to `dependent_count` of the tasks `ids`: the edges this transaction added to
/// each. Called on rows the caller has locked since before it read them ([`locked_statuses`],
/// or `add_dependency`'s own lock), so no other transaction adds an edge to these tasks in
/// between and the count stays exact.
///
/// Changing the row is what makes `complete`'s one statement safe: a `complete` that waited for
/// this transaction's lock re-checks `dependent_count = 0` against the row this writes.
///
/// # Errors
/// `Db` when a statement fails.
pub(super) async fn add_dependents(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    added: i32,
) -> RepoResult<()> {
    for batch in ids.chunks(IDS_PER_STATEMENT) {
        tasks::Entity::update_many()
            .col_expr(
                tasks::Column::DependentCount,
                Expr::col(tasks::Column::DependentCount).add(added),
            )
            .filter(tasks::Column::Id.is_in(batch.iter().copied()))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Ids of the tasks that depend directly on any of `ids`, each once.
async fn dependents_of(db: &impl ConnectionTrait, ids: &[Uuid]) -> RepoResult<Vec<Uuid>> {
    let (dependent, dependency) = (deps::Column::TaskId, deps::Column::DependsOnTaskId);
    let found = uuids_where_in::<deps::Entity>(db, dependent, dependency, ids).await?;
    Ok(found
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect())
}

/// Marks every waiting task that (transitively) depends on `root` as cancelled.
pub(super) async fn cancel_dependents(
    db: &impl ConnectionTrait,
    root: Uuid,
    reason: &str,
    at: DateTime<FixedOffset>,
) -> RepoResult<()> {
    let mut frontier = vec![root];
    while !frontier.is_empty() {
        let dependents = dependents_of(db, &frontier).await?;
        if dependents.is_empty() {
            break;
        }
        // Only waiting tasks change; the returned ids are the next layer to follow.
        frontier.clear();
        for batch in dependents.chunks(IDS_PER_STATEMENT) {
            let cancelled = finishing(TaskStatus::Cancelled, at)
                .col_expr(tasks::Column::ErrorMessage, Expr::val(reason))
                .filter(tasks::Column::Id.is_in(batch.iter().copied()))
                .filter(tasks::Column::Status.is_in(TaskStatus::WAITING))
                .exec_with_returning(db)
                .await?;
            frontier.extend(cancelled.into_iter().map(|t| t.id));
        }
    }
    Ok(())
}

/// Marks `pending` dependents of `completed` whose dependencies have now all completed `ready`.
pub(super) async fn promote_dependents(
    db: &impl ConnectionTrait,
    completed: Uuid,
    at: DateTime<FixedOffset>,
) -> RepoResult<()> {
    let dependents = dependents_of(db, &[completed]).await?;
    for batch in dependents.chunks(IDS_PER_STATEMENT) {
        moving_to(TaskStatus::Ready, at)
            .filter(tasks::Column::Id.is_in(batch.iter().copied()))
            .filter(tasks::Column::Status.eq(TaskStatus::Pending))
            .filter(all_dependencies_completed())
            .exec(db)
            .await?;
    }
    Ok(())
}

/// The path `depends_on -> ... -> task` if `task` is already reachable from `depends_on` along
/// dependency edges, i.e. if the edge `task -> depends_on` would close a cycle.
pub(super) async fn path_back(
    db: &impl ConnectionTrait,
    task: Uuid,
    depends_on: Uuid,
) -> RepoResult<Option<Vec<Uuid>>> {
    // came_from[x] = the node whose dependency x is, on the first path found to x.
    let mut came_from: HashMap<Uuid, Uuid> = HashMap::new();
    let mut frontier = vec![depends_on];
    while !frontier.is_empty() {
        let mut edges: Vec<(Uuid, Uuid)> = Vec::new();
        for batch in frontier.chunks(IDS_PER_STATEMENT) {
            let rows: Vec<(Uuid, Uuid)> = deps::Entity::find()
                .select_only()
                .column(deps::Column::TaskId)
                .column(deps::Column::DependsOnTaskId)
                .filter(deps::Column::TaskId.is_in(batch.iter().copied()))
                .into_tuple()
                .all(db)
                .await?;
            edges.extend(rows);
        }
        frontier.clear();
        for (from, to) in edges {
            if to == depends_on || came_from.contains_key(&to) {
                continue;
            }
            came_from.insert(to, from);
            if to == task {
                let mut path = vec![task];
                let mut node = task;
                while let Some(&prev) = came_from.get(&node) {
                    path.push(prev);
                    node = prev;
                }
                path.reverse();
                return Ok(Some(path));
            }
            frontier.push(to);
        }
    }
    Ok(None)
}
