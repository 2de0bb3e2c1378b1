//! SQLite's `SQLITE_BUSY` (and its extended codes) reach callers as
//! `RepoError::Retryable { reason: Busy }`, never as a generic `Db` error. These run on SQLite
//! whatever `TEST_DATABASE_URL` says: the busy lock is SQLite's own.

use std::time::Duration;

use memdb_migration::{Migrator, MigratorTrait};
use memdb_repository::sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
    TransactionTrait,
};
use memdb_repository::taskmaster::NewTask;
use memdb_repository::{Executor as _, RepoError, Repositories, RetryReason};
use memdb_tests::TestDb;

/// A migrated SQLite database, whatever backend the suite runs on.
async fn sqlite_db() -> TestDb {
    let db = TestDb::empty_on(DbBackend::Sqlite).await;
    Migrator::up(db.conn(), None).await.expect("migrate");
    db
}

/// A second pool on the same file whose connections give up on a held lock after `wait`.
async fn impatient_pool(url: &str, wait: Duration) -> DatabaseConnection {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(1)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(move |o| o.busy_timeout(wait));
    Database::connect(options)
        .await
        .expect("open a second pool")
}

fn is_busy(result: &Result<impl std::fmt::Debug, RepoError>) -> bool {
    matches!(
        result,
        Err(RepoError::Retryable {
            reason: RetryReason::Busy,
            ..
        })
    )
}

#[tokio::test]
async fn a_write_behind_a_held_write_lock_is_retryable_busy_and_succeeds_when_retried() {
    let db = sqlite_db().await;
    let impatient = impatient_pool(db.url(), Duration::from_millis(20)).await;
    let repos = Repositories::from_connection(impatient.clone());

    // Another connection holds the write lock (as a long unit of work would).
    let holder = db.conn().begin_write().await.unwrap();

    let refused = repos.tasks.submit(NewTask::new("behind the lock")).await;
    assert!(is_busy(&refused), "{refused:?}");
    let err = refused.unwrap_err();
    assert!(err.is_retryable());
    assert!(err.to_string().contains("database busy"), "{err}");

    // A unit of work cannot even begin: its BEGIN IMMEDIATE meets the same lock.
    let refused = repos
        .transaction(|tx| async move { tx.tasks.submit(NewTask::new("in a unit")).await })
        .await;
    assert!(is_busy(&refused), "{refused:?}");

    // Nothing was written, and once the lock is released the same call goes through.
    holder.rollback().await.unwrap();
    let task = repos
        .tasks
        .submit(NewTask::new("behind the lock"))
        .await
        .unwrap();
    let count = impatient
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT count(*) AS n FROM tasks",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(count, 1, "only the retried write landed ({})", task.id);
    impatient.close().await.unwrap();
}

#[tokio::test]
async fn a_stale_read_snapshot_that_tries_to_write_is_retryable_busy() {
    // SQLITE_BUSY_SNAPSHOT (517): a deferred transaction read, someone else committed a
    // write, and now the reader wants to write on its stale snapshot. No busy timeout helps;
    // only running the transaction again does. memdb begins its own write transactions
    // IMMEDIATE, so this comes from a caller's own deferred transaction on the pool.
    let db = sqlite_db().await;
    let repos = Repositories::from_connection(db.pool());
    let reader = impatient_pool(db.url(), Duration::from_secs(5)).await;
    let txn = reader.begin().await.unwrap();
    txn.query_all_raw(Statement::from_string(
        DbBackend::Sqlite,
        "SELECT id FROM tasks",
    ))
    .await
    .unwrap();
    repos.tasks.submit(NewTask::new("moves on")).await.unwrap();
    let stale = txn
        .execute_unprepared("UPDATE tasks SET priority = priority")
        .await
        .map_err(RepoError::from);
    assert!(is_busy(&stale), "{stale:?}");
    txn.rollback().await.unwrap();
    reader.close().await.unwrap();
}
