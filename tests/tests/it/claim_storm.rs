//! The claim storm: 200 concurrent workers drain 1 000 tasks linked in dependency chains,
//! sharing one pool (8 connections on SQLite, 16 on PostgreSQL). Every task is claimed exactly
//! once, none before every one of its dependencies was completed, and no call fails.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use memdb_repository::taskmaster::{NewTask, TaskFilter, TaskStatus};
use memdb_repository::{Page, RepoError, SeaOrmTaskRepository, TaskId, TaskRepository};
use memdb_tests::TestDb;
use serde_json::json;

const TASKS: usize = 1_000;
const WORKERS: usize = 200;
const AGENT: &str = "storm";

/// Task `i` depends on `i - 1` unless `i` starts a chain of five, and every 40th task also on
/// one from the first half (fan-in across chains); priorities vary.
fn dependencies_of(i: usize) -> Vec<usize> {
    let mut deps = Vec::new();
    if !i.is_multiple_of(5) {
        deps.push(i - 1);
    }
    if i > 0 && i.is_multiple_of(40) {
        deps.push(i / 2);
    }
    deps
}

async fn submit_chains(repo: &dyn TaskRepository) -> HashMap<TaskId, Vec<TaskId>> {
    let mut ids: Vec<TaskId> = Vec::with_capacity(TASKS);
    let mut graph = HashMap::with_capacity(TASKS);
    for i in 0..TASKS {
        let depends_on: Vec<TaskId> = dependencies_of(i).into_iter().map(|d| ids[d]).collect();
        let task = NewTask {
            agent_type: AGENT.to_owned(),
            priority: (i % 7) as u8,
            depends_on: depends_on.clone(),
            ..NewTask::new(format!("storm {i}"))
        };
        let id = repo.submit(task).await.unwrap().id;
        ids.push(id);
        graph.insert(id, depends_on);
    }
    graph
}

/// What the workers saw, shared between them.
#[derive(Default)]
struct Log {
    /// Claims per task.
    claims: HashMap<TaskId, usize>,
    /// Tasks whose `complete` was called (recorded before the call, so a claim that sees the
    /// completion always finds it here).
    completing: HashSet<TaskId>,
    /// Claims of a task with a dependency whose `complete` had not been called.
    too_early: Vec<TaskId>,
    /// Every error other than an empty queue.
    errors: Vec<String>,
}

async fn worker(
    repo: Arc<SeaOrmTaskRepository>,
    graph: Arc<HashMap<TaskId, Vec<TaskId>>>,
    log: Arc<Mutex<Log>>,
) {
    loop {
        match repo.claim_next(AGENT).await {
            Ok(task) => {
                {
                    let mut log = log.lock().unwrap();
                    *log.claims.entry(task.id).or_default() += 1;
                    if graph[&task.id].iter().any(|d| !log.completing.contains(d)) {
                        log.too_early.push(task.id);
                    }
                    log.completing.insert(task.id);
                }
                if let Err(err) = repo.complete(task.id, json!({"storm": true})).await {
                    log.lock().unwrap().errors.push(format!("complete: {err}"));
                    return;
                }
            }
            Err(RepoError::QueueEmpty { .. }) => {
                if log.lock().unwrap().claims.len() == TASKS {
                    return;
                }
                // The rest waits for dependencies that other workers are completing.
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            Err(err) => {
                log.lock()
                    .unwrap()
                    .errors
                    .push(format!("claim_next: {err}"));
                return;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_workers_claim_each_task_once_after_its_dependencies() {
    let db = TestDb::new().await;
    let repo = Arc::new(SeaOrmTaskRepository::new(db.pool()));
    let graph = Arc::new(submit_chains(repo.as_ref()).await);
    let log = Arc::new(Mutex::new(Log::default()));

    let workers: Vec<_> = (0..WORKERS)
        .map(|_| tokio::spawn(worker(repo.clone(), graph.clone(), log.clone())))
        .collect();
    // A guard against a hang, not a speed goal: a few seconds on either backend.
    tokio::time::timeout(Duration::from_mins(3), async {
        for w in workers {
            w.await.unwrap();
        }
    })
    .await
    .expect("the workers drain the queue");

    let log = std::mem::take(&mut *log.lock().unwrap());
    assert_eq!(log.errors, Vec::<String>::new(), "calls failed");
    assert_eq!(
        log.too_early,
        Vec::<TaskId>::new(),
        "claimed before a dependency"
    );
    assert_eq!(log.claims.len(), TASKS, "every task claimed");
    let twice: Vec<_> = log.claims.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "claimed more than once: {twice:?}");

    let mut completed = 0;
    for offset in (0..TASKS).step_by(Page::MAX_LIMIT as usize) {
        let page = Page::new(Page::MAX_LIMIT, offset as u64).unwrap();
        let filter = TaskFilter {
            agent_type: Some(AGENT.into()),
            ..TaskFilter::default()
        };
        for task in repo.list(filter, page).await.unwrap() {
            assert_eq!(task.status, TaskStatus::Completed, "task {}", task.id);
            completed += 1;
        }
    }
    assert_eq!(completed, TASKS);
    drop(db);
}
