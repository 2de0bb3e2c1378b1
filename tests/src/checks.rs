//! Checks of CHECK constraints against the Rust definitions they mirror.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DbErr, TransactionSession, TransactionTrait, Value};

/// Asserts that the CHECK constraints of `table.column` accept every one of `values` and refuse
/// a value that is none of them, by updating the row whose `key_column` is `key` in a
/// transaction that is rolled back (the row is left as it was).
///
/// # Panics
/// When a value of `values` is refused, when an outside value is accepted, or when the row does
/// not exist.
pub async fn assert_check_allows_exactly<C>(
    db: &C,
    (table, column): (&str, &str),
    (key_column, key): (&str, Value),
    values: &[&str],
) where
    C: ConnectionTrait + TransactionTrait,
{
    let set = |value: &str| {
        Query::update()
            .table(Alias::new(table))
            .value(Alias::new(column), value)
            .and_where(Expr::col(Alias::new(key_column)).eq(key.clone()))
            .to_owned()
    };
    for value in values {
        let txn = db.begin().await.expect("begin");
        let result = txn.execute(&set(value)).await;
        txn.rollback().await.expect("rollback");
        let updated = result.unwrap_or_else(|err| panic!("{table}.{column} = {value:?}: {err}"));
        assert_eq!(
            updated.rows_affected(),
            1,
            "{table}.{column}: no row {key:?}"
        );
    }
    let txn = db.begin().await.expect("begin");
    let outside: Result<_, DbErr> = txn.execute(&set("not-a-value")).await;
    txn.rollback().await.expect("rollback");
    assert!(
        outside.is_err(),
        "{table}.{column} accepted a value outside {values:?}"
    );
}
