//! Task transitions racing each other on separate connections. SQLite runs write transactions
//! one at a time, so these interleavings matter on PostgreSQL; the tests run on both.

use memdb_repository::taskmaster::{NewTask, TaskStatus};
use memdb_repository::{RepoError, RepoResult, SeaOrmTaskRepository, TaskId, TaskRepository};
use memdb_tests::TestDb;

const ROUNDS: usize = 40;

async fn new_task(repo: &SeaOrmTaskRepository, prompt: &str) -> TaskId {
    repo.submit(NewTask::new(prompt)).await.unwrap().id
}

/// Runs `a` and `b` on two runtime threads at once.
async fn race<A, B>(a: A, b: B) -> (A::Output, B::Output)
where
    A: Future + Send + 'static,
    B: Future + Send + 'static,
    A::Output: Send + 'static,
    B::Output: Send + 'static,
{
    let (a, b) = tokio::join!(tokio::spawn(a), tokio::spawn(b));
    (a.expect("task a"), b.expect("task b"))
}

fn is_cycle(result: &RepoResult<()>) -> bool {
    matches!(result, Err(RepoError::Validation { field: "depends_on", reason }) if reason.contains("cycle"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_submitted_while_its_dependency_is_cancelled_never_waits_forever() {
    let db = TestDb::new().await;
    let repo = SeaOrmTaskRepository::new(db.pool());
    for round in 0..ROUNDS {
        let dependency = new_task(&repo, &format!("dependency {round}")).await;
        let (for_submit, for_cancel) = (repo.clone(), repo.clone());
        let (submitted, cancelled) = race(
            async move {
                let child = NewTask {
                    depends_on: vec![dependency],
                    ..NewTask::new("child")
                };
                for_submit.submit(child).await
            },
            async move { for_cancel.cancel(dependency).await },
        )
        .await;
        cancelled.unwrap();
        match submitted {
            // Submitted first: the cancellation reached it through its dependency.
            Ok(child) => assert_eq!(
                repo.get(child.id).await.unwrap().status,
                TaskStatus::Cancelled,
                "round {round}"
            ),
            // Checked after the cancellation: refused.
            Err(RepoError::Validation { field, .. }) => assert_eq!(field, "depends_on"),
            Err(other) => panic!("round {round}: {other:?}"),
        }
    }
    drop(db);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_submitted_while_its_dependency_completes_becomes_ready() {
    let db = TestDb::new().await;
    let repo = SeaOrmTaskRepository::new(db.pool());
    for round in 0..ROUNDS {
        let agent_type = format!("racer-{round}");
        let dependency = NewTask {
            agent_type: agent_type.clone(),
            ..NewTask::new("dependency")
        };
        let dependency = repo.submit(dependency).await.unwrap().id;
        assert_eq!(repo.claim_next(&agent_type).await.unwrap().id, dependency);
        let (for_submit, for_complete) = (repo.clone(), repo.clone());
        let (submitted, completed) = race(
            async move {
                let child = NewTask {
                    depends_on: vec![dependency],
                    ..NewTask::new("child")
                };
                for_submit.submit(child).await
            },
            async move {
                for_complete
                    .complete(dependency, serde_json::json!({}))
                    .await
            },
        )
        .await;
        completed.unwrap();
        let child = submitted.unwrap().id;
        assert_eq!(
            repo.get(child).await.unwrap().status,
            TaskStatus::Ready,
            "round {round}"
        );
    }
    drop(db);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_edges_added_at_once_never_close_a_cycle() {
    let db = TestDb::new().await;
    let repo = SeaOrmTaskRepository::new(db.pool());
    for round in 0..ROUNDS {
        let mut ids = Vec::new();
        for name in ["a", "b", "c", "d"] {
            ids.push(new_task(&repo, &format!("{name} {round}")).await);
        }
        let [a, b, c, d] = ids[..] else {
            unreachable!()
        };
        repo.add_dependency(a, b).await.unwrap();
        repo.add_dependency(c, d).await.unwrap();
        // b -> c and d -> a each look harmless alone; together a -> b -> c -> d -> a.
        let (first, second) = (repo.clone(), repo.clone());
        let (bc, da) = race(
            async move { first.add_dependency(b, c).await },
            async move { second.add_dependency(d, a).await },
        )
        .await;
        assert!(
            bc.is_ok() ^ da.is_ok(),
            "round {round}: exactly one edge may land: {bc:?} {da:?}"
        );
        assert!(
            is_cycle(&bc) || is_cycle(&da),
            "round {round}: {bc:?} {da:?}"
        );
    }
    drop(db);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opposite_edges_added_at_once_give_one_edge_and_one_cycle_error() {
    let db = TestDb::new().await;
    let repo = SeaOrmTaskRepository::new(db.pool());
    for round in 0..ROUNDS {
        let a = new_task(&repo, &format!("a {round}")).await;
        let b = new_task(&repo, &format!("b {round}")).await;
        let (first, second) = (repo.clone(), repo.clone());
        let (ab, ba) = race(
            async move { first.add_dependency(a, b).await },
            async move { second.add_dependency(b, a).await },
        )
        .await;
        assert!(ab.is_ok() ^ ba.is_ok(), "round {round}: {ab:?} {ba:?}");
        assert!(
            is_cycle(&ab) || is_cycle(&ba),
            "round {round}: {ab:?} {ba:?}"
        );
    }
    drop(db);
}
