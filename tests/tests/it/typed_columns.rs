//! Status columns are typed from the query to the schema: every `db_enum!` value passes its
//! column's CHECK constraint on each backend, and a stored value outside the enum is reported
//! as `RepoError::Corrupt`, never guessed at.

use memdb_repository::taskmaster::{NewTask, TaskFilter, TaskStatus};
use memdb_repository::{Page, RepoError, Repositories};
use memdb_tests::TestDb;
use memdb_tests::checks::assert_check_allows_exactly;
use sea_orm::{ConnectionTrait, DbBackend};

#[tokio::test]
async fn every_task_status_passes_the_check_constraint() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());
    let task = repos.tasks.submit(NewTask::new("typed")).await.unwrap();
    assert_check_allows_exactly(
        db.conn(),
        ("tasks", "status"),
        ("id", task.id.as_uuid().into()),
        TaskStatus::VALUES,
    )
    .await;
    // The stored strings are what the enum parses back.
    for status in TaskStatus::ALL {
        assert_eq!(status.as_str().parse::<TaskStatus>(), Ok(*status));
    }
}

#[tokio::test]
async fn a_stored_status_outside_the_enum_is_corrupt() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());
    let task = repos.tasks.submit(NewTask::new("victim")).await.unwrap();
    let backend = db.backend();
    let outcome = repos
        .transaction(|tx| async move {
            // Go around the CHECK constraint, as a hand-made change to the database would.
            let conn = tx.connection();
            let bypass = match backend {
                DbBackend::Postgres => "ALTER TABLE tasks DROP CONSTRAINT ck_tasks_status",
                _ => "PRAGMA ignore_check_constraints = ON",
            };
            conn.execute_unprepared(bypass).await?;
            conn.execute_unprepared("UPDATE tasks SET status = 'exploded'")
                .await?;
            let got = tx.tasks.get(task.id).await;
            let listed = tx.tasks.list(TaskFilter::default(), Page::default()).await;
            if backend == DbBackend::Sqlite {
                conn.execute_unprepared("PRAGMA ignore_check_constraints = OFF")
                    .await?;
            }
            // Roll everything back: the error carries both outcomes out.
            Err::<(), _>(RepoError::invalid(
                "outcome",
                format!("{got:?} | {listed:?}"),
            ))
        })
        .await
        .unwrap_err();
    let RepoError::Validation { reason, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        reason
            .matches(r#"Corrupt { what: "task status", value: "exploded" }"#)
            .count(),
        2,
        "{reason}"
    );
    // Rolled back: the row and the constraint are as they were.
    assert_eq!(
        repos.tasks.get(task.id).await.unwrap().status,
        TaskStatus::Ready
    );
    assert_check_allows_exactly(
        db.conn(),
        ("tasks", "status"),
        ("id", task.id.as_uuid().into()),
        TaskStatus::VALUES,
    )
    .await;
}
