//! Subqueries whose `LIMIT` is written into the SQL text instead of bound.
//!
//! sea-query always binds a `LIMIT` as a parameter. PostgreSQL plans a prepared statement with
//! the limit unknown as if it could return a tenth of the rows it scans, so for a statement
//! that takes "the first row in this order" the generic plan looks far dearer than the plans
//! made for the actual values, is never chosen, and every execution is planned again. For the
//! queue's claim that planning took 0.3–0.4 ms a call, longer than running it; with the limit
//! in the text the generic plan is chosen after the first executions and planning takes
//! 0.02 ms. SQLite is unaffected either way.

use sea_orm::DbBackend;
use sea_orm::sea_query::{Expr, SelectStatement, Value};

/// `select` with `LIMIT limit`, as a parenthesised subquery expression whose limit is a
/// literal in the SQL text; every other value of `select` stays bound. (An operator may add
/// its own parentheses around it: `= ((SELECT ...))`.) `select` must not have
/// a limit or an offset of its own.
pub(crate) fn subquery_with_literal_limit(
    backend: DbBackend,
    mut select: SelectStatement,
    limit: u64,
) -> Expr {
    select.limit(limit);
    let rendered = backend.build(&select);
    let mut values: Vec<Expr> = rendered
        .values
        .map(|values| values.0)
        .unwrap_or_default()
        .into_iter()
        .map(Expr::Value)
        .collect();
    // sea-query renders the LIMIT after every other clause that binds values (a locking
    // clause binds none), so its value is the last one.
    match values.last_mut() {
        Some(last) if *last == Expr::Value(Value::from(limit)) => {
            *last = Expr::Constant(Value::from(limit));
        }
        _ => unreachable!("a rendered LIMIT is the last bound value"),
    }
    Expr::cust_with_exprs(format!("({})", rendered.sql), values)
}

#[cfg(test)]
mod tests {
    use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, Query};
    use sea_orm::{DbBackend, Order};

    use super::subquery_with_literal_limit;

    /// An `UPDATE` of the first row in an order, rendered for `backend`: its SQL and how many
    /// values it binds.
    fn claim_like(backend: DbBackend) -> (String, usize) {
        let next = Query::select()
            .column("id")
            .from("tasks")
            .and_where(Expr::col("agent_type").eq("writer"))
            .order_by("priority", Order::Desc)
            .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
            .to_owned();
        let update = Query::update()
            .table("tasks")
            .value("status", "running")
            .and_where(Expr::col("id").eq(subquery_with_literal_limit(backend, next, 1)))
            .to_owned();
        let statement = backend.build(&update);
        let bound = statement.values.map_or(0, |values| values.0.len());
        (statement.sql, bound)
    }

    #[test]
    fn the_limit_is_written_into_the_text_and_the_rest_stays_bound() {
        let (postgres, bound) = claim_like(DbBackend::Postgres);
        assert_eq!(
            postgres,
            r#"UPDATE "tasks" SET "status" = $1 WHERE "id" = ((SELECT "id" FROM "tasks" WHERE "agent_type" = $2 ORDER BY "priority" DESC LIMIT 1 FOR UPDATE SKIP LOCKED))"#
        );
        assert_eq!(bound, 2, "status and agent type");
        let (sqlite, bound) = claim_like(DbBackend::Sqlite);
        assert!(
            sqlite.contains(r#"= ? ORDER BY "priority" DESC LIMIT 1"#),
            "{sqlite}"
        );
        assert_eq!(bound, 2, "status and agent type");
    }
}
