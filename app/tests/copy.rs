//! `memdb copy` end to end: a SQLite file copied into the backend `TEST_DATABASE_URL` selects,
//! killed with SIGKILL once rows are committed, then run again: exit 0, verified, no
//! duplicates. A target row changed afterwards makes the next copy exit 1 with the table.

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use memdb_tests::TestDb;
use sea_orm::{ConnectionTrait as _, DbBackend, Statement};

use support::Run;

/// Tasks in the source: enough that a copy in small batches is still running when killed.
const TASKS: u64 = 20_000;

/// Runs `memdb copy --from <from> --to <to> <extra>` to completion.
fn copy(from: &str, to: &str, extra: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_memdb"))
        .args(["copy", "--from", from, "--to", to])
        .args(extra)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run memdb copy");
    Run {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// How many rows `table` holds.
async fn rows(db: &sea_orm::DatabaseConnection, table: &str) -> u64 {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COUNT(*) FROM {table}"),
        ))
        .await
        .ok()
        .flatten();
    row.and_then(|r| r.try_get_by_index::<i64>(0).ok())
        .map_or(0, |n| n.try_into().unwrap_or_default())
}

/// A legacy SQLite source (`memdb init`) with [`TASKS`] tasks, every fifth a root and the
/// others children of the task before them.
async fn source() -> TestDb {
    let source = TestDb::empty_on(DbBackend::Sqlite).await;
    let init = support::memdb(source.url(), &["init"]);
    assert!(init.success, "{init:?}");
    let fill = format!(
        "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {TASKS}) \
         INSERT INTO tasks (id, prompt, agent_type, priority, status, input_data, retry_count, \
         max_retries, max_execution_timeout_seconds, submitted_at, last_updated_at) \
         SELECT randomblob(16), 'task ' || i, 'general', i % 11, 'pending', \
         json_object('i', i, 'f', 0.1), 0, 3, 3600, '2026-01-02T03:04:05.123456+00:00', \
         '2026-01-02T03:04:05+00:00' FROM s"
    );
    source.conn().execute_unprepared(&fill).await.expect("fill");
    source
        .conn()
        .execute_unprepared(
            "UPDATE tasks SET parent_task_id = (SELECT p.id FROM tasks p \
             WHERE p.rowid = tasks.rowid - 1) WHERE rowid % 5 <> 1",
        )
        .await
        .expect("parents");
    source
}

#[tokio::test]
async fn a_copy_killed_midway_resumes_verified_and_a_changed_row_fails_it() {
    let source = source().await;
    let target = TestDb::empty().await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_memdb"))
        .args(["copy", "--from", source.url(), "--to", target.url()])
        .args(["--batch-rows", "20"])
        .env_remove("DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start memdb copy");
    // Kill once some tasks are committed, well before all of them.
    let deadline = Instant::now() + Duration::from_mins(2);
    let mut copied = 0;
    while copied == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
        copied = rows(target.conn(), "tasks").await;
    }
    // `Child::kill` sends SIGKILL on Unix: no handler, no cleanup, like a power cut.
    child.kill().expect("send SIGKILL");
    let status = child.wait().expect("wait");
    assert!(!status.success(), "killed, not finished");
    let at_kill = rows(target.conn(), "tasks").await;
    assert!(
        at_kill > 0 && at_kill < TASKS,
        "killed midway: {at_kill} tasks"
    );

    let rerun = copy(source.url(), target.url(), &[]);
    assert!(rerun.success, "{rerun:?}");
    assert!(
        rerun.stdout.contains("verified: every table matches"),
        "{rerun:?}"
    );
    let tasks_line: Vec<&str> = rerun
        .stdout
        .lines()
        .find(|l| l.starts_with("tasks "))
        .expect("a tasks line")
        .split_whitespace()
        .collect();
    let total = TASKS.to_string();
    assert_eq!(
        [
            tasks_line[1],
            tasks_line[2],
            tasks_line[3],
            tasks_line[6],
            tasks_line[7],
            tasks_line[8]
        ],
        [
            total.as_str(),
            total.as_str(),
            total.as_str(),
            "0",
            "0",
            "ok"
        ],
        "{rerun:?}"
    );
    assert_eq!(rows(target.conn(), "tasks").await, TASKS, "no duplicates");

    // A row changed in the target is a conflict: kept, reported, exit code 1.
    target
        .conn()
        .execute_unprepared("UPDATE personas SET description = 'changed in the target'")
        .await
        .expect("change");
    let mismatch = copy(source.url(), target.url(), &[]);
    assert!(!mismatch.success, "{mismatch:?}");
    assert!(mismatch.stdout.contains("MISMATCH"), "{mismatch:?}");
    assert!(
        mismatch.stdout.contains("personas: conflict on key"),
        "{mismatch:?}"
    );
    assert!(mismatch.stderr.contains("did not verify"), "{mismatch:?}");
    let json = copy(source.url(), target.url(), &["--json"]);
    assert!(!json.success);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(report["verified"], false);
}

/// In a log (stderr not a terminal) every copied table gets exactly one line, also when its
/// rows fill the last batch exactly and the copy reports the table's end twice.
#[tokio::test]
async fn a_log_gets_one_line_per_copied_table() {
    let source = TestDb::empty_on(DbBackend::Sqlite).await;
    let init = support::memdb(source.url(), &["init"]);
    assert!(init.success, "{init:?}");
    let target = TestDb::empty().await;
    // One row a batch: every table's rows fill its last batch exactly.
    let run = copy(source.url(), target.url(), &["--batch-rows", "1"]);
    assert!(run.success, "{run:?}");
    let copied: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| line.starts_with("copying "))
        .collect();
    assert!(
        copied
            .iter()
            .any(|l| l.starts_with("copying organizations: 1/1 rows")),
        "{run:?}"
    );
    let mut tables: Vec<&str> = copied
        .iter()
        .map(|line| line.split(':').next().unwrap_or_default())
        .collect();
    let lines = tables.len();
    tables.dedup();
    assert_eq!(tables.len(), lines, "a table written twice: {copied:#?}");
}
