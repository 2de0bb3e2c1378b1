//! Tasks in bulk (`submit_many`): dependencies and parents inside the batch (by index, earlier
//! tasks only) and on stored tasks, all or nothing, claimable in dependency order.

use memdb_entity::{task_dependencies, tasks};
use memdb_repository::taskmaster::TaskStatus::{Pending, Ready};
use memdb_repository::taskmaster::{BulkTask, NewTask, TaskStatus};
use memdb_repository::{Page, RepoError, Repositories, TaskId};
use memdb_tests::TestDb;

use crate::bulk::{count, invalid};

fn task(prompt: &str) -> NewTask {
    NewTask {
        agent_type: "bulk".into(),
        ..NewTask::new(prompt)
    }
}

fn after(prompt: &str, depends_on_batch: Vec<usize>) -> BulkTask {
    BulkTask {
        depends_on_batch,
        ..task(prompt).into()
    }
}

async fn sorted_dependencies(repos: &Repositories, id: TaskId) -> Vec<TaskId> {
    let mut ids = repos.tasks.dependencies(id, Page::default()).await.unwrap();
    ids.sort_unstable();
    ids
}

#[tokio::test]
async fn a_batch_with_dependencies_runs_in_dependency_order() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());
    let t = &repos.tasks;
    let done = t.submit(task("stored, completed")).await.unwrap().id;
    assert_eq!(t.claim_next("bulk").await.unwrap().id, done);
    t.complete(done, serde_json::json!({})).await.unwrap();
    let waiting = t.submit(task("stored, waiting")).await.unwrap().id;

    let batch = vec![
        BulkTask::from(task("a")),
        after("b after a", vec![0]),
        BulkTask {
            task: NewTask {
                depends_on: vec![done],
                ..task("c after a, b and a completed stored task")
            },
            depends_on_batch: vec![0, 1, 1],
            parent_in_batch: None,
        },
        BulkTask {
            parent_in_batch: Some(0),
            ..task("d, a subtask of a").into()
        },
        BulkTask::from(NewTask {
            depends_on: vec![done],
            ..task("e after a completed stored task")
        }),
        BulkTask::from(NewTask {
            depends_on: vec![waiting],
            parent_task_id: Some(waiting),
            ..task("f after a waiting stored task, its subtask")
        }),
    ];
    let created = t.submit_many(batch).await.unwrap();
    let ids: Vec<TaskId> = created.iter().map(|task| task.id).collect();
    let statuses: Vec<TaskStatus> = created.iter().map(|task| task.status).collect();
    assert_eq!(statuses, [Ready, Pending, Pending, Ready, Ready, Pending]);
    for created in &created {
        assert_eq!(&t.get(created.id).await.unwrap(), created);
    }
    let mut c_needs = vec![ids[0], ids[1], done];
    c_needs.sort_unstable();
    assert_eq!(sorted_dependencies(&repos, ids[2]).await, c_needs);
    let children = t.children(ids[0], Page::default()).await.unwrap();
    assert_eq!(children.iter().map(|c| c.id).collect::<Vec<_>>(), [ids[3]]);
    assert_eq!(created[5].parent_task_id, Some(waiting));

    // Stored first (older), then the batch in input order as each becomes runnable.
    let mut claimed = Vec::new();
    loop {
        match t.claim_next("bulk").await {
            Ok(task) => {
                t.complete(task.id, serde_json::json!({})).await.unwrap();
                claimed.push(task.id);
            }
            Err(RepoError::QueueEmpty { .. }) => break,
            Err(err) => panic!("{err}"),
        }
    }
    assert_eq!(
        claimed,
        [waiting, ids[0], ids[1], ids[2], ids[3], ids[4], ids[5]]
    );
}

#[tokio::test]
async fn bad_links_in_a_batch_are_named_and_nothing_is_written() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());
    let t = &repos.tasks;
    let cancelled = t.submit(task("cancelled")).await.unwrap().id;
    t.cancel(cancelled).await.unwrap();
    let good = || -> Vec<BulkTask> {
        (0..3000)
            .map(|i| {
                after(
                    &format!("task {i}"),
                    if i > 0 { vec![i - 1] } else { vec![] },
                )
            })
            .collect()
    };
    let with = |index: usize, bad: BulkTask| {
        let mut batch = good();
        batch[index] = bad;
        batch
    };

    let cases = [
        (with(2500, after("forward", vec![2501])), "depends_on_batch"),
        (with(2500, after("itself", vec![2500])), "depends_on_batch"),
        (
            with(
                2500,
                BulkTask {
                    parent_in_batch: Some(2600),
                    ..task("x").into()
                },
            ),
            "parent_in_batch",
        ),
        (
            with(
                2500,
                BulkTask {
                    parent_in_batch: Some(1),
                    ..NewTask {
                        parent_task_id: Some(cancelled),
                        ..task("two parents")
                    }
                    .into()
                },
            ),
            "parent_in_batch",
        ),
        (
            with(
                2500,
                NewTask {
                    depends_on: vec![TaskId::new()],
                    ..task("x")
                }
                .into(),
            ),
            "depends_on",
        ),
        (
            with(
                2500,
                NewTask {
                    depends_on: vec![cancelled],
                    ..task("x")
                }
                .into(),
            ),
            "depends_on",
        ),
        (
            with(
                2500,
                NewTask {
                    parent_task_id: Some(TaskId::new()),
                    ..task("x")
                }
                .into(),
            ),
            "parent_task_id",
        ),
        (
            with(
                2500,
                NewTask {
                    priority: 11,
                    ..task("x")
                }
                .into(),
            ),
            "priority",
        ),
    ];
    for (batch, expected) in cases {
        let (field, reason) = invalid(t.submit_many(batch).await);
        assert_eq!(field, expected, "{reason}");
        assert!(reason.starts_with("input 2500: "), "{field}: {reason}");
    }
    assert_eq!(count::<tasks::Entity>(db.conn()).await, 1);
    assert_eq!(count::<task_dependencies::Entity>(db.conn()).await, 0);

    // The same batch without the fault goes in whole: a chain of 3 000.
    let created = t.submit_many(good()).await.unwrap();
    assert_eq!(count::<tasks::Entity>(db.conn()).await, 3001);
    assert_eq!(count::<task_dependencies::Entity>(db.conn()).await, 2999);
    assert_eq!(
        sorted_dependencies(&repos, created[2999].id).await,
        [created[2998].id]
    );
    assert_eq!(t.claim_next("bulk").await.unwrap().id, created[0].id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_submitted_while_its_dependency_is_cancelled_never_waits_forever() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());
    for round in 0..20 {
        let dependency = repos
            .tasks
            .submit(task(&format!("dependency {round}")))
            .await
            .unwrap()
            .id;
        let (for_submit, for_cancel) = (repos.tasks.clone(), repos.tasks.clone());
        let batch: Vec<BulkTask> = (0..200)
            .map(|i| {
                NewTask {
                    depends_on: vec![dependency],
                    ..task(&format!("waits {i}"))
                }
                .into()
            })
            .collect();
        let (submitted, cancelled) = tokio::join!(
            tokio::spawn(async move { for_submit.submit_many(batch).await }),
            tokio::spawn(async move { for_cancel.cancel(dependency).await }),
        );
        cancelled.unwrap().unwrap();
        match submitted.unwrap() {
            // Submitted first: the cancellation found and cancelled every task of the batch.
            Ok(created) => {
                for task in created {
                    let status = repos.tasks.get(task.id).await.unwrap().status;
                    assert_eq!(status, TaskStatus::Cancelled, "round {round}");
                }
            }
            // Cancelled first: the batch was refused whole.
            Err(err) => {
                let (field, reason) = invalid::<()>(Err(err));
                assert_eq!(field, "depends_on", "{reason}");
            }
        }
    }
}
