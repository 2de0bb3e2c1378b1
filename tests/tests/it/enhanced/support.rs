//! Helpers the enhanced tests share.

use chrono::{TimeDelta, Utc};
use memdb_enhanced_repository::audit::{AuditEntry, AuditRepository};
use memdb_enhanced_repository::{Page, RepoError, TimeWindow};
use memdb_tests::TestDb;
use sea_orm::{ConnectionTrait, DbBackend};
use serde_json::{Map, Value};

/// The field a validation error blames; any other outcome fails the test.
pub(super) fn invalid_field<T: std::fmt::Debug>(result: Result<T, RepoError>) -> &'static str {
    match result {
        Err(RepoError::Validation { field, .. }) => field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// Every audit entry appended in the last hour (and the next one), oldest first.
pub(super) async fn all_entries(audit: &dyn AuditRepository) -> Vec<AuditEntry> {
    let now = Utc::now();
    let window = TimeWindow::new(now - TimeDelta::hours(1), now + TimeDelta::hours(1)).unwrap();
    audit
        .in_window(window, Page::new(Page::MAX_LIMIT, 0).unwrap())
        .await
        .unwrap()
}

/// A JSON object nested `depth` deep, `{"n": {"n": ... {}}}`, built without recursion (not with
/// `json!`, which copies its parts recursively). Far deeper than the limit, dropping it
/// recursively would overflow a test thread's stack: such a value must only ever be handed to a
/// repository, which takes rejected values apart flat.
pub(super) fn nested_object(depth: usize) -> Value {
    let mut value = Value::Object(Map::new());
    for _ in 1..depth {
        value = Value::Object(std::iter::once(("n".to_owned(), value)).collect());
    }
    value
}

/// Makes the database refuse every row of `table` whose `column` is `'poison'` with a
/// `poisoned` error (a trigger), so a test can fail an insert after earlier ones of the same call
/// went through.
pub(super) async fn poison_rows(db: &TestDb, table: &str, column: &str) {
    let statements = match db.backend() {
        DbBackend::Postgres => vec![
            format!(
                "CREATE FUNCTION refuse_poison_{table}() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION 'poisoned'; END $$"
            ),
            format!(
                "CREATE TRIGGER poison BEFORE INSERT ON {table} FOR EACH ROW \
                 WHEN (NEW.{column} = 'poison') EXECUTE FUNCTION refuse_poison_{table}()"
            ),
        ],
        _ => vec![format!(
            "CREATE TRIGGER poison BEFORE INSERT ON {table} \
             WHEN NEW.{column} = 'poison' BEGIN SELECT RAISE(ABORT, 'poisoned'); END"
        )],
    };
    for sql in statements {
        db.conn().execute_unprepared(&sql).await.unwrap();
    }
}

/// Runs `call` again while the database refuses it for a passing reason (a PostgreSQL deadlock
/// or serialization failure, SQLite busy under many writers), as callers are told to; any other
/// error fails the test.
pub(super) async fn retrying<T, F, Fut>(call: F) -> T
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, RepoError>>,
{
    loop {
        match call().await {
            Ok(value) => return value,
            Err(err) if err.is_retryable() => tokio::task::yield_now().await,
            Err(err) => panic!("unexpected {err:?}"),
        }
    }
}
