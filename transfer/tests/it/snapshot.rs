//! The source is read as one snapshot: rows written to it while it is copied are neither
//! copied half (a dependency without its task) nor counted by verification.

use std::ops::ControlFlow;
use std::sync::mpsc;
use std::time::Duration;

use memdb_transfer::copy::{CopyOptions, Phase};
use sea_orm::{ConnectionTrait as _, DatabaseConnection, DbBackend, Statement};

use crate::support::{copy_with, count, filled_source};

/// Adds `n` tasks to `db` (copies of its first task under new ids), each depending on the
/// task before it, whose count of dependents goes up by one (as the repository keeps it).
async fn add_tasks(db: &DatabaseConnection, n: u32) -> Result<(), sea_orm::DbErr> {
    let columns: String = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT group_concat(name, ', ') FROM pragma_table_info('tasks') \
             WHERE name NOT IN ('id', 'dependent_count')",
        ))
        .await?
        .expect("a row")
        .try_get_by_index(0)?;
    for _ in 0..n {
        db.execute_unprepared(&format!(
            "INSERT INTO tasks (id, {columns}) SELECT randomblob(16), {columns} FROM tasks \
             WHERE rowid = 1"
        ))
        .await?;
        db.execute_unprepared(
            "INSERT INTO task_dependencies SELECT \
             (SELECT id FROM tasks ORDER BY rowid DESC LIMIT 1), \
             (SELECT id FROM tasks ORDER BY rowid DESC LIMIT 1 OFFSET 1)",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE tasks SET dependent_count = dependent_count + 1 \
             WHERE id = (SELECT id FROM tasks ORDER BY rowid DESC LIMIT 1 OFFSET 1)",
        )
        .await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_written_to_the_source_during_the_copy_are_not_seen_by_it() {
    let source = filled_source(30, "a").await;
    let target = memdb_tests::TestDb::empty().await;
    let writer_db = source.conn().clone();
    let (start, started) = tokio::sync::oneshot::channel::<()>();
    let (done, written) = mpsc::channel::<Result<(), String>>();
    let writer = tokio::spawn(async move {
        if started.await.is_ok() {
            let result = add_tasks(&writer_db, 20).await.map_err(|e| e.to_string());
            done.send(result).expect("the copy waits");
        }
    });
    let mut start = Some(start);
    let mut wrote: Option<Result<(), String>> = None;
    let options = CopyOptions {
        batch_rows: 5,
        ..CopyOptions::default()
    };
    // When the copy reaches `tasks`, the writer adds tasks and dependencies and commits them
    // before the copy reads on.
    let report = copy_with(source.url(), target.url(), &options, &mut |p| {
        if p.phase == Phase::Copying
            && p.table == "tasks"
            && let Some(start) = start.take()
        {
            start.send(()).expect("the writer waits");
            wrote = Some(
                written
                    .recv_timeout(Duration::from_mins(1))
                    .unwrap_or_else(|e| Err(e.to_string())),
            );
        }
        ControlFlow::Continue(())
    })
    .await
    .expect("copy");
    writer.await.expect("writer");
    assert_eq!(wrote, Some(Ok(())), "the writer wrote during the copy");
    assert!(report.verified(), "{report:#?}");
    assert_eq!(count(source.conn(), "tasks").await, 50);
    assert_eq!(count(target.conn(), "tasks").await, 30);
    assert_eq!(count(target.conn(), "task_dependencies").await, 30);
}
