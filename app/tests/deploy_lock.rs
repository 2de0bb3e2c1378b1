//! The deploy lock, tested with real processes: `memdb init` started many times at once on a
//! fresh database applies each migration exactly once and every process succeeds; a process
//! that cannot get the lock says what it waits for and gives up after `--lock-timeout`.

mod support;

use std::process::{Command, Stdio};

use memdb_migration::cli::DEPLOY_LOCK_KEY;
use memdb_migration::inspect::schema_status;
use memdb_tests::TestDb;
use sea_orm::sqlx;
use sea_orm::{DbBackend, SqliteTransactionMode, TransactionOptions, TransactionTrait};

use support::{MEMORY_DEFAULTS, memdb, migration_names, tracks};

/// How many processes race, and how many times.
const PROCESSES: usize = 8;
const ROUNDS: usize = 10;

/// Starts `memdb --database-url <url> <args>` without waiting for it.
fn spawn_memdb(url: &str, args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_memdb"))
        .arg("--database-url")
        .arg(url)
        .args(args)
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the memdb binary")
}

#[tokio::test]
async fn concurrent_inits_apply_each_migration_once_and_all_succeed() {
    let names = migration_names();
    for round in 0..ROUNDS {
        let db = TestDb::empty().await;
        let children: Vec<_> = (0..PROCESSES)
            .map(|_| spawn_memdb(db.url(), &["init"]))
            .collect();
        let outputs: Vec<_> = children
            .into_iter()
            .map(|child| child.wait_with_output().expect("wait for memdb"))
            .collect();
        let mut stdout = String::new();
        for output in &outputs {
            let text = String::from_utf8_lossy(&output.stdout);
            assert!(
                output.status.success(),
                "round {round}: {text}\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
            stdout.push_str(&text);
        }
        // Exactly one process applied each migration; the others found it applied.
        for name in &names {
            let applied = stdout.matches(&format!("applied {name}\n")).count();
            assert_eq!(applied, 1, "round {round}: {name} applied {applied} times");
        }
        // Likewise each default memory entry of the enhanced build was created once.
        let created = stdout.matches("created memory entry ").count();
        assert_eq!(created as u64, MEMORY_DEFAULTS, "round {round}: {stdout}");
        let status = schema_status(db.conn(), &tracks()).await.expect("status");
        assert_eq!(status.applied_names(), names, "round {round}");
        drop(db);
    }
}

#[tokio::test]
async fn a_held_lock_makes_up_wait_then_give_up_naming_it() {
    let db = TestDb::empty().await;
    // Hold the deploy lock the way another migrating process would.
    let (pg_holder, sqlite_holder) = if db.backend() == DbBackend::Postgres {
        let mut conn = db
            .conn()
            .get_postgres_connection_pool()
            .acquire()
            .await
            .expect("a connection");
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(DEPLOY_LOCK_KEY)
            .execute(&mut *conn)
            .await
            .expect("take the deploy lock");
        (Some(conn), None)
    } else {
        let txn = db
            .conn()
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..TransactionOptions::default()
            })
            .await
            .expect("take the write lock");
        (None, Some(txn))
    };

    let up = memdb(db.url(), &["--lock-timeout", "1", "migrate", "up"]);
    assert!(!up.success, "{up:?}");
    assert_eq!(
        up.stderr
            .lines()
            .filter(|l| l.starts_with("waiting for the deploy lock on"))
            .count(),
        1,
        "the wait is announced once: {up:?}"
    );
    assert!(
        up.stderr.contains("gave up waiting for the deploy lock on"),
        "{up:?}"
    );
    assert!(up.stderr.contains("after 1 s"), "{up:?}");
    if db.backend() == DbBackend::Postgres {
        assert!(up.stderr.contains("(held by pid "), "{up:?}");
    }
    // A pooled connection keeps its session's advisory lock: unlock, not just give it back.
    if let Some(mut conn) = pg_holder {
        sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(DEPLOY_LOCK_KEY)
            .execute(&mut *conn)
            .await
            .expect("release the deploy lock");
    }
    drop(sqlite_holder);
    let status = schema_status(db.conn(), &tracks()).await.expect("status");
    assert!(status.applied_names().is_empty(), "nothing was applied");

    // Once the holder is gone, the same command goes through.
    let up = memdb(db.url(), &["--lock-timeout", "5", "migrate", "up"]);
    assert!(up.success, "{up:?}");
    drop(db);
}
