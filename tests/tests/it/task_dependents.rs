//! `tasks.dependent_count` and the one-statement `complete` it allows.
//!
//! `complete` of a task nothing depends on is one `UPDATE ... WHERE dependent_count = 0`. The
//! tests here hold a transaction that adds a dependent open while `complete` runs on another
//! connection, so `complete` has to wait for it, on every path that adds one (`submit`,
//! `submit_many`, `add_dependency`); after the commit the new dependent must be promoted. They
//! fail when a path adds an edge without changing the depended-on task's row in the same
//! transaction, and on PostgreSQL when `complete` decides by reading the edges in the same
//! statement (a waiting `UPDATE` re-checks only its own row).

use std::time::Duration;

use memdb_entity::tasks;
use memdb_migration::{Migrator, MigratorTrait};
use memdb_repository::taskmaster::{BulkTask, NewTask, TaskStatus};
use memdb_repository::{
    RepoResult, Repositories, SeaOrmTaskRepository, SharedTransaction, TaskId, TaskRepository,
};
use memdb_tests::TestDb;
use sea_orm::{DatabaseConnection, EntityTrait};
use serde_json::json;

/// How long `complete` is left waiting before the transaction that blocks it commits.
const WAIT: Duration = Duration::from_millis(300);

/// A submitted, claimed task of its own agent type: `complete` can end it.
async fn running_task(repo: &SeaOrmTaskRepository, name: &str) -> TaskId {
    let task = NewTask {
        agent_type: name.to_owned(),
        ..NewTask::new(name)
    };
    let id = repo.submit(task).await.unwrap().id;
    assert_eq!(repo.claim_next(name).await.unwrap().id, id);
    id
}

async fn dependent_count(db: &DatabaseConnection, id: TaskId) -> i32 {
    let row = tasks::Entity::find_by_id(id.as_uuid()).one(db).await;
    row.unwrap().expect("the task row").dependent_count
}

/// Runs `add` (which adds a dependent of the running task `dependency` and returns it) in a
/// unit of work, and `complete(dependency)` on the pool while that unit is still open; returns
/// the dependent's status once both have finished.
async fn complete_while_adding<F, Fut>(db: &TestDb, dependency: TaskId, add: F) -> TaskStatus
where
    F: FnOnce(Repositories<SharedTransaction>) -> Fut,
    Fut: Future<Output = RepoResult<TaskId>>,
{
    let pool = SeaOrmTaskRepository::new(db.pool());
    let completer = pool.clone();
    let repos = Repositories::from_connection(db.pool());
    let (dependent, completing) = repos
        .transaction(|tx| async move {
            let dependent = add(tx).await?;
            let completing =
                tokio::spawn(
                    async move { completer.complete(dependency, json!({"done": true})).await },
                );
            tokio::time::sleep(WAIT).await;
            assert!(
                !completing.is_finished(),
                "complete did not wait for the transaction adding a dependent"
            );
            Ok((dependent, completing))
        })
        .await
        .unwrap();
    let finished = completing.await.unwrap().unwrap();
    assert_eq!(finished.status, TaskStatus::Completed);
    pool.get(dependent).await.unwrap().status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn complete_waiting_for_a_submit_promotes_the_new_dependent() {
    let db = TestDb::new().await;
    let repo = SeaOrmTaskRepository::new(db.pool());
    let dependency = running_task(&repo, "dependency").await;
    let status = complete_while_adding(&db, dependency, |tx| async move {
        let child = NewTask {
            depends_on: vec![dependency],
            ..NewTask::new("child")
        };
        Ok(tx.tasks.submit(child).await?.id)
    })
    .await;
    assert_eq!(status, TaskStatus::Ready);
    assert_eq!(dependent_count(db.conn(), dependency).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn complete_waiting_for_a_submit_many_promotes_the_new_dependents() {
    let db = TestDb::new().await;
    let repo = SeaOrmTaskRepository::new(db.pool());
    let dependency = running_task(&repo, "dependency").await;
    let status = complete_while_adding(&db, dependency, |tx| async move {
        let child = |name: &str| {
            BulkTask::from(NewTask {
                depends_on: vec![dependency],
                ..NewTask::new(name)
            })
        };
        let batch = vec![child("first"), child("second")];
        let submitted = tx.tasks.submit_many(batch).await?;
        Ok(submitted[1].id)
    })
    .await;
    assert_eq!(status, TaskStatus::Ready);
    assert_eq!(dependent_count(db.conn(), dependency).await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn complete_waiting_for_add_dependency_promotes_the_new_dependent() {
    let db = TestDb::new().await;
    let repo = SeaOrmTaskRepository::new(db.pool());
    let dependency = running_task(&repo, "dependency").await;
    let child = repo.submit(NewTask::new("child")).await.unwrap().id;
    let status = complete_while_adding(&db, dependency, |tx| async move {
        tx.tasks.add_dependency(child, dependency).await?;
        assert_eq!(tx.tasks.get(child).await?.status, TaskStatus::Pending);
        Ok(child)
    })
    .await;
    assert_eq!(status, TaskStatus::Ready);
    assert_eq!(dependent_count(db.conn(), dependency).await, 1);
}

#[tokio::test]
async fn every_path_that_adds_an_edge_counts_it() {
    let db = TestDb::new().await;
    let repo = SeaOrmTaskRepository::new(db.pool());
    let root = repo.submit(NewTask::new("root")).await.unwrap().id;
    let other = repo.submit(NewTask::new("other")).await.unwrap().id;
    let depending_on = |ids: Vec<TaskId>| NewTask {
        depends_on: ids,
        ..NewTask::new("child")
    };
    let one = repo.submit(depending_on(vec![root, other])).await.unwrap();
    // A batch: two tasks on `root`, a third on the batch's first task and on `root`.
    let mut third = BulkTask::from(depending_on(vec![root]));
    third.depends_on_batch = vec![0];
    let batch = vec![
        BulkTask::from(depending_on(vec![root])),
        BulkTask::from(depending_on(vec![root])),
        third,
    ];
    let batch = repo.submit_many(batch).await.unwrap();
    repo.add_dependency(batch[1].id, other).await.unwrap();

    assert_eq!(dependent_count(db.conn(), root).await, 4);
    assert_eq!(dependent_count(db.conn(), other).await, 2);
    assert_eq!(dependent_count(db.conn(), batch[0].id).await, 1);
    for leaf in [one.id, batch[1].id, batch[2].id] {
        assert_eq!(dependent_count(db.conn(), leaf).await, 0);
    }
    // Refused additions count nothing: a duplicate edge, a cycle.
    repo.add_dependency(batch[1].id, other).await.unwrap_err();
    repo.add_dependency(root, batch[2].id).await.unwrap_err();
    assert_eq!(dependent_count(db.conn(), other).await, 2);
    assert_eq!(dependent_count(db.conn(), batch[2].id).await, 0);
}

#[tokio::test]
async fn the_migration_counts_the_edges_already_stored() {
    let db = TestDb::new().await;
    let repo = SeaOrmTaskRepository::new(db.pool());
    let root = repo.submit(NewTask::new("root")).await.unwrap().id;
    let mid = repo
        .submit(NewTask {
            depends_on: vec![root],
            ..NewTask::new("mid")
        })
        .await
        .unwrap()
        .id;
    repo.submit(NewTask {
        depends_on: vec![root, mid],
        ..NewTask::new("leaf")
    })
    .await
    .unwrap();
    // Back to the schema before the column, and up again: the backfill counts the edges.
    Migrator::down(db.conn(), Some(1)).await.unwrap();
    Migrator::up(db.conn(), None).await.unwrap();
    assert_eq!(dependent_count(db.conn(), root).await, 2);
    assert_eq!(dependent_count(db.conn(), mid).await, 1);
}

/// Concurrent callers adding dependents of the same tasks, through `submit` and `submit_many`,
/// each in its own transaction: no error, every edge counted, and completing the shared
/// dependencies promotes every dependent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_adders_count_every_edge() {
    const CALLERS: usize = 12;
    const PER_CALLER: usize = 5;
    let db = TestDb::new().await;
    let repo = SeaOrmTaskRepository::new(db.pool());
    let first = running_task(&repo, "first").await;
    let second = running_task(&repo, "second").await;
    let mut callers = Vec::new();
    for caller in 0..CALLERS {
        let repo = repo.clone();
        callers.push(tokio::spawn(async move {
            // Half the callers name the dependencies in the other order.
            let depends_on = if caller % 2 == 0 {
                vec![first, second]
            } else {
                vec![second, first]
            };
            let child = || NewTask {
                depends_on: depends_on.clone(),
                ..NewTask::new("child")
            };
            let mut ids = Vec::new();
            if caller % 3 == 0 {
                let batch = (0..PER_CALLER).map(|_| BulkTask::from(child())).collect();
                ids.extend(repo.submit_many(batch).await?.into_iter().map(|t| t.id));
            } else {
                for _ in 0..PER_CALLER {
                    ids.push(repo.submit(child()).await?.id);
                }
            }
            RepoResult::Ok(ids)
        }));
    }
    let mut children = Vec::new();
    for caller in callers {
        children.extend(caller.await.unwrap().unwrap());
    }
    let edges = i32::try_from(CALLERS * PER_CALLER).unwrap();
    assert_eq!(dependent_count(db.conn(), first).await, edges);
    assert_eq!(dependent_count(db.conn(), second).await, edges);

    repo.complete(first, json!({})).await.unwrap();
    repo.complete(second, json!({})).await.unwrap();
    for child in children {
        assert_eq!(repo.get(child).await.unwrap().status, TaskStatus::Ready);
    }
}
