//! Concurrent claiming: 8 workers drain 200 tasks with dependencies. Every task is claimed
//! exactly once, and never before all of its dependencies completed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{SecondsFormat, TimeDelta};

use memdb_repository::taskmaster::{NewTask, TaskFilter, TaskStatus};
use memdb_repository::{Page, RepoError, SeaOrmTaskRepository, TaskId, TaskRepository};
use memdb_tests::TestDb;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::json;

const TASKS: usize = 200;
const WORKERS: usize = 8;

/// Submits the tasks: task i depends on i-1 when i % 3 == 0 and on i / 2 when i % 5 == 0, so
/// there are chains, fan-in and independent tasks; priorities vary.
async fn submit_graph(repo: &dyn TaskRepository) -> Vec<TaskId> {
    let mut ids: Vec<TaskId> = Vec::with_capacity(TASKS);
    for i in 0..TASKS {
        let mut depends_on = Vec::new();
        if i > 0 && i % 3 == 0 {
            depends_on.push(ids[i - 1]);
        }
        if i > 0 && i % 5 == 0 {
            depends_on.push(ids[i / 2]);
        }
        let task = NewTask {
            priority: (i % 11) as u8,
            depends_on,
            ..NewTask::new(format!("task {i}"))
        };
        ids.push(repo.submit(task).await.unwrap().id);
    }
    ids
}

async fn worker(repo: Arc<SeaOrmTaskRepository>, claims: Arc<Mutex<HashMap<TaskId, usize>>>) {
    loop {
        match repo.claim_next("general").await {
            Ok(task) => {
                *claims.lock().unwrap().entry(task.id).or_default() += 1;
                repo.complete(task.id, json!({"by": "worker"}))
                    .await
                    .unwrap();
            }
            Err(RepoError::QueueEmpty { .. }) => {
                if claims.lock().unwrap().len() == TASKS {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            Err(other) => panic!("claim failed: {other}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_workers_claim_each_task_exactly_once_in_dependency_order() {
    let db = TestDb::new().await;
    let repo = Arc::new(SeaOrmTaskRepository::new(db.pool()));
    let ids = submit_graph(repo.as_ref()).await;
    let claims = Arc::new(Mutex::new(HashMap::new()));

    let workers: Vec<_> = (0..WORKERS)
        .map(|_| tokio::spawn(worker(Arc::clone(&repo), Arc::clone(&claims))))
        .collect();
    // A deadlock guard, not a speed goal.
    tokio::time::timeout(Duration::from_mins(5), async {
        for w in workers {
            w.await.unwrap();
        }
    })
    .await
    .expect("workers finished");

    let claims = std::mem::take(&mut *claims.lock().unwrap());
    assert_eq!(claims.len(), TASKS);
    assert!(claims.values().all(|&n| n == 1), "a task was claimed twice");

    let tasks: HashMap<TaskId, _> = repo
        .list(TaskFilter::default(), Page::new(1000, 0).unwrap())
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    assert_eq!(tasks.len(), TASKS);
    for id in &ids {
        let task = &tasks[id];
        assert_eq!(task.status, TaskStatus::Completed);
        let started = task.started_at.unwrap();
        for dep in repo
            .dependencies(*id, Page::new(Page::MAX_LIMIT, 0).unwrap())
            .await
            .unwrap()
        {
            let dep_done = tasks[&dep].completed_at.unwrap();
            assert!(
                started >= dep_done,
                "task {id} started before dependency {dep} completed"
            );
        }
    }
}

/// The claiming statement computes the lease itself: exactly the task's own timeout after the
/// claim, stored as every other timestamp is (on SQLite the same text sqlx writes, so leases
/// keep comparing in time order as text).
#[tokio::test]
async fn a_claim_leases_the_task_for_exactly_its_own_timeout() {
    let db = TestDb::new().await;
    let repo = SeaOrmTaskRepository::new(db.pool());
    for timeout in [1, 90, 86_400 * 400] {
        let task = NewTask {
            agent_type: format!("lease-{timeout}"),
            max_execution_timeout_seconds: timeout,
            ..NewTask::new("lease me")
        };
        let submitted = repo.submit(task).await.unwrap();
        let claimed = repo.claim_next(&submitted.agent_type).await.unwrap();
        let started = claimed.started_at.unwrap();
        let lease = claimed.lease_expires_at.unwrap();
        assert_eq!(lease - started, TimeDelta::seconds(i64::from(timeout)));
        assert_eq!(repo.get(claimed.id).await.unwrap(), claimed);
        if db.backend() == DbBackend::Sqlite {
            let stored = db
                .conn()
                .query_one_raw(Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    "SELECT lease_expires_at FROM tasks WHERE id = ?",
                    [claimed.id.as_uuid().into()],
                ))
                .await
                .unwrap()
                .unwrap()
                .try_get::<String>("", "lease_expires_at")
                .unwrap();
            let written_by_sqlx = lease
                .fixed_offset()
                .to_rfc3339_opts(SecondsFormat::AutoSi, false);
            assert_eq!(stored, written_by_sqlx);
        }
    }
    drop(db);
}

/// `claim_next` and `complete` are rendered once and sent with each call's values: every call
/// stamps its own time, takes its own agent type's task and stores its own result.
#[tokio::test]
async fn each_claim_and_completion_carries_its_own_values() {
    let db = TestDb::new().await;
    let repo = SeaOrmTaskRepository::new(db.pool());
    for round in 0..3 {
        let agent_type = format!("own-values-{round}");
        let submitted = repo
            .submit(NewTask {
                agent_type: agent_type.clone(),
                ..NewTask::new("mine")
            })
            .await
            .unwrap();
        let claimed = repo.claim_next(&agent_type).await.unwrap();
        assert_eq!(claimed.id, submitted.id);
        let started = claimed.started_at.unwrap();
        assert!(started >= submitted.submitted_at, "round {round}");
        let result = serde_json::json!({ "round": round });
        let completed = repo.complete(claimed.id, result.clone()).await.unwrap();
        assert_eq!(completed.result_data, Some(result), "round {round}");
        assert!(completed.completed_at.unwrap() >= started, "round {round}");
        assert_eq!(repo.get(completed.id).await.unwrap(), completed);
    }
}
