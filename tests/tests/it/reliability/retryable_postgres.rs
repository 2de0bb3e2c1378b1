//! PostgreSQL's passing refusals — serialization failure (40001), deadlock (40P01), lock not
//! available (55P03) — reach callers as `RepoError::Retryable`, provoked on a real server
//! through memdb's repositories inside a unit of work. They need PostgreSQL
//! (`TEST_DATABASE_URL`) and pass trivially on SQLite, which has none of these.

use std::sync::Arc;

use memdb_repository::personas::{NewPersona, PersonaUpdate};
use memdb_repository::sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait,
};
use memdb_repository::{PersonaId, RepoError, RepoResult, Repositories, RetryReason};
use memdb_tests::TestDb;
use tokio::sync::{Barrier, oneshot};

/// A fresh database when the suite runs on PostgreSQL.
async fn postgres_db() -> Option<TestDb> {
    let db = TestDb::new().await;
    (db.backend() == DbBackend::Postgres).then_some(db)
}

fn persona(name: &str) -> NewPersona {
    NewPersona {
        name: name.to_owned(),
        description: String::new(),
        system_prompt: "be useful".to_owned(),
        traits: serde_json::json!({}),
        is_active: true,
    }
}

fn describe(text: &str) -> PersonaUpdate {
    PersonaUpdate {
        description: Some(text.to_owned()),
        ..PersonaUpdate::default()
    }
}

fn reason<T: std::fmt::Debug>(result: &RepoResult<T>) -> Option<RetryReason> {
    match result {
        Err(RepoError::Retryable { reason, .. }) => Some(*reason),
        _ => None,
    }
}

async fn run(db: &impl ConnectionTrait, sql: &str) {
    db.execute_unprepared(sql).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_skew_between_serializable_units_of_work_is_a_retryable_serialization_failure() {
    let Some(db) = postgres_db().await else {
        return;
    };
    let repos = Repositories::from_connection(db.pool());
    let both_read = Arc::new(Barrier::new(2));
    // Each unit of work counts the personas, then adds one: run serially, the second would see
    // the first's row; run at once, SERIALIZABLE must refuse one of them.
    let writer = |name: &'static str| {
        let (repos, both_read) = (repos.clone(), both_read.clone());
        tokio::spawn(async move {
            repos
                .transaction(|tx| async move {
                    let conn = tx.connection();
                    run(conn, "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE").await;
                    conn.query_one_raw(Statement::from_string(
                        DbBackend::Postgres,
                        "SELECT count(*) FROM personas",
                    ))
                    .await?;
                    both_read.wait().await;
                    tx.personas.create(persona(name)).await?;
                    Ok(())
                })
                .await
        })
    };
    let (a, b) = tokio::join!(writer("left"), writer("right"));
    let (a, b) = (a.unwrap(), b.unwrap());
    let refused: Vec<_> = [&a, &b].into_iter().filter_map(reason).collect();
    assert_eq!(
        refused,
        [RetryReason::SerializationFailure],
        "exactly one unit of work is refused, as retryable: {a:?} {b:?}"
    );
    assert!(a.is_ok() || b.is_ok(), "{a:?} {b:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_victim_of_a_deadlock_gets_a_retryable_deadlock() {
    let Some(db) = postgres_db().await else {
        return;
    };
    let repos = Repositories::from_connection(db.pool());
    let first = repos.personas.create(persona("first")).await.unwrap().id;
    let second = repos.personas.create(persona("second")).await.unwrap().id;

    let (holds_first, first_held) = oneshot::channel();
    let (other_waits, other_waiting) = oneshot::channel::<()>();
    let unit = {
        let repos = repos.clone();
        tokio::spawn(async move {
            repos
                .transaction(|tx| async move {
                    // This side checks for deadlocks first, so it is the one picked to break it.
                    run(tx.connection(), "SET LOCAL deadlock_timeout = '20ms'").await;
                    tx.personas.update(first, describe("unit")).await?;
                    holds_first.send(()).unwrap();
                    other_waiting.await.unwrap();
                    tx.personas.update(second, describe("unit")).await
                })
                .await
        })
    };
    first_held.await.unwrap();
    // Another session locks `second`, then waits for `first`, which the unit of work holds.
    let other = db.conn().begin().await.unwrap();
    run(&other, "SET LOCAL deadlock_timeout = '30s'").await;
    lock_row(&other, second).await;
    let other_pool = db.pool();
    let blocked = tokio::spawn(async move {
        lock_row(&other, first).await;
        other.commit().await.unwrap();
    });
    wait_for_a_lock_wait(&other_pool).await;
    other_waits.send(()).unwrap();

    let outcome = unit.await.unwrap();
    assert_eq!(reason(&outcome), Some(RetryReason::Deadlock), "{outcome:?}");
    blocked.await.unwrap();
    // The refused unit of work was rolled back as a whole.
    let kept = repos.personas.get(first).await.unwrap();
    assert_eq!(kept.description, "", "{kept:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_wait_beyond_lock_timeout_is_retryable_lock_not_available() {
    let Some(db) = postgres_db().await else {
        return;
    };
    let repos = Repositories::from_connection(db.pool());
    let id = repos.personas.create(persona("held")).await.unwrap().id;
    let holder = db.conn().begin().await.unwrap();
    lock_row(&holder, id).await;
    let outcome = repos
        .transaction(|tx| async move {
            run(tx.connection(), "SET LOCAL lock_timeout = '20ms'").await;
            tx.personas.update(id, describe("late")).await
        })
        .await;
    assert_eq!(
        reason(&outcome),
        Some(RetryReason::LockNotAvailable),
        "{outcome:?}"
    );
    assert!(outcome.unwrap_err().is_retryable());
    holder.rollback().await.unwrap();
}

/// Locks the persona's row for the rest of `txn`, waiting while another transaction holds it.
async fn lock_row(txn: &impl ConnectionTrait, id: PersonaId) {
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT id FROM personas WHERE id = $1 FOR UPDATE",
        [id.as_uuid().into()],
    ))
    .await
    .unwrap();
}

/// Returns once a session of this database waits for a row lock.
async fn wait_for_a_lock_wait(pool: &DatabaseConnection) {
    let query = Statement::from_string(
        DbBackend::Postgres,
        "SELECT count(*) AS n FROM pg_stat_activity \
         WHERE datname = current_database() AND wait_event_type = 'Lock'",
    );
    loop {
        let row = pool.query_one_raw(query.clone()).await.unwrap().unwrap();
        if row.try_get::<i64>("", "n").unwrap() > 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}
