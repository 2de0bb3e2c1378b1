//! What the task queue's one-statement transitions need from the backend, in the queue's terms;
//! the spellings themselves are in [`crate::backend`].

use memdb_entity::tasks;
use sea_orm::DbBackend;
use sea_orm::sea_query::Expr;

use crate::backend::add_seconds;

/// The lease end of a task whose attempt starts at `started` (an expression of the claiming
/// statement): `started` plus the row's own `max_execution_timeout_seconds`, computed by the
/// statement itself (the claim does not know which task it takes before it has taken it). On
/// SQLite the result is text that compares with the other stored timestamps in time order
/// ([`add_seconds`]).
pub(super) fn lease_end(backend: DbBackend, started: &Expr) -> Expr {
    let seconds = Expr::col((tasks::Entity, tasks::Column::MaxExecutionTimeoutSeconds));
    add_seconds(backend, started, seconds)
}
