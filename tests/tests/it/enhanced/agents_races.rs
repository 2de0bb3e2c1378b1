//! Concurrent transitions of one agent from real concurrent callers: of moves that exclude
//! each other, exactly one wins and the others see the winner's state.

use std::sync::Arc;

use memdb_enhanced_repository::agents::{AgentRepository, AgentState};
use memdb_enhanced_repository::{AgentId, EnhancedRepositories, RepoError};
use memdb_repository::ConflictKind;
use memdb_tests::TestDb;

use super::agents::agent;

const CALLERS: usize = 16;

/// Runs `CALLERS` transitions of `id` at once, the `i`th to `next(i)`; the results in task
/// order.
async fn race(
    repo: &Arc<dyn AgentRepository>,
    id: AgentId,
    next: impl Fn(usize) -> AgentState,
) -> Vec<Result<AgentState, RepoError>> {
    let tasks: Vec<_> = (0..CALLERS)
        .map(|i| {
            let repo = Arc::clone(repo);
            let next = next(i);
            tokio::spawn(async move { repo.transition(id, next).await.map(|a| a.state) })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}

/// How many results are wins; panics on an error other than a wrong-state conflict.
fn wins(results: &[Result<AgentState, RepoError>]) -> usize {
    results
        .iter()
        .filter(|result| match result {
            Ok(_) => true,
            Err(RepoError::Conflict {
                kind: ConflictKind::WrongState,
                ..
            }) => false,
            Err(other) => panic!("unexpected {other:?}"),
        })
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_callers_taking_an_idle_agent_busy_exactly_one_wins() {
    let db = TestDb::new().await;
    let repos = EnhancedRepositories::from_connection(db.pool());
    let repo: Arc<dyn AgentRepository> = Arc::clone(&repos.agents);
    for round in 0..3 {
        let spawned = repo.spawn(agent(&format!("round {round}"))).await.unwrap();
        repo.transition(spawned.id, AgentState::Idle).await.unwrap();
        let results = race(&repo, spawned.id, |_| AgentState::Busy).await;
        assert_eq!(wins(&results), 1, "round {round}: {results:?}");
        assert_eq!(repo.get(spawned.id).await.unwrap().state, AgentState::Busy);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_final_states_leave_one_winner_and_its_stamp() {
    let db = TestDb::new().await;
    let repos = EnhancedRepositories::from_connection(db.pool());
    let repo: Arc<dyn AgentRepository> = Arc::clone(&repos.agents);
    let spawned = repo.spawn(agent("doomed")).await.unwrap();
    repo.transition(spawned.id, AgentState::Terminating)
        .await
        .expect_err("spawning cannot start terminating");
    repo.transition(spawned.id, AgentState::Idle).await.unwrap();
    let results = race(&repo, spawned.id, |i| {
        if i % 2 == 0 {
            AgentState::Terminated
        } else {
            AgentState::Failed
        }
    })
    .await;
    assert_eq!(wins(&results), 1, "{results:?}");
    let winner = results
        .iter()
        .find_map(|r| r.as_ref().ok())
        .copied()
        .unwrap();
    let stored = repo.get(spawned.id).await.unwrap();
    assert_eq!(stored.state, winner);
    assert_eq!(stored.terminated_at, Some(stored.updated_at));
}
