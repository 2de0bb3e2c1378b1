//! What the task queue's one-statement transitions spell or guarantee differently per backend:
//! the one place in the taskmaster that knows.

use memdb_entity::tasks;
use sea_orm::DbBackend;
use sea_orm::sea_query::Expr;

/// The lease end of a task whose attempt starts at `started` (an expression of the claiming
/// statement): `started` plus the row's own `max_execution_timeout_seconds`, computed by the
/// statement itself (the claim does not know which task it takes before it has taken it).
///
/// - PostgreSQL: `timestamptz + n * INTERVAL '1 second'`, exact to the microsecond.
/// - SQLite stores timestamps as the text sqlx writes (RFC 3339,
///   `2026-11-23T10:00:00.123456+00:00`, the fraction only as long as needed, `now()` always in
///   UTC). `strftime` adds the seconds to the first 19 characters (date and time of day) and
///   the rest (fraction and offset) is appended as it was: the text sqlx would write for the
///   later instant, so stored leases keep comparing as text in time order.
pub(super) fn lease_end(backend: DbBackend, started: &Expr) -> Expr {
    let seconds = Expr::col((tasks::Entity, tasks::Column::MaxExecutionTimeoutSeconds));
    match backend {
        DbBackend::Postgres => {
            Expr::cust_with_exprs("$1 + $2 * INTERVAL '1 second'", [started.clone(), seconds])
        }
        _ => Expr::cust_with_exprs(
            "strftime('%Y-%m-%dT%H:%M:%S', substr(?, 1, 19), '+' || ? || ' seconds') \
             || substr(?, 20)",
            [started.clone(), seconds, started.clone()],
        ),
    }
}

/// Whether one autocommit statement that changes a task also sees every dependency edge
/// committed before it changed the row, so that "complete it unless a task depends on it" can
/// be one statement.
///
/// - SQLite: yes. A writing statement takes the database's single write lock before it reads
///   anything, on the newest snapshot, and edges are only added by write transactions.
/// - PostgreSQL: no. A statement reads other rows as of its start; when its `UPDATE` waits for
///   the row lock of a transaction adding an edge to this task (`submit` share-locks each
///   dependency until it commits), the statement does not see that edge once it may go on, and
///   would complete the task without promoting the new dependent. The dependents must be read
///   by a later statement of the same transaction.
pub(super) fn statement_sees_new_edges(backend: DbBackend) -> bool {
    backend == DbBackend::Sqlite
}
