//! Bad input to the agent repository: every refusal is typed, names what is wrong and leaves
//! nothing written; the state column holds exactly the Rust enum's values.

use memdb_enhanced_entity::agents;
use memdb_enhanced_repository::agents::{AgentFilter, AgentState, NewAgent};
use memdb_enhanced_repository::limits::{AGENT_MODEL, AGENT_NAME, AGENT_SPECIALIZATION};
use memdb_enhanced_repository::{AgentId, EnhancedRepositories, RepoError};
use memdb_repository::{ConflictKind, TaskId};
use memdb_tests::TestDb;
use memdb_tests::checks::assert_check_allows_exactly;
use sea_orm::{EntityTrait, PaginatorTrait};
use uuid::Uuid;

use super::agents::{agent, session, task};
use super::support::invalid_field;

async fn agent_rows(db: &TestDb) -> u64 {
    agents::Entity::find().count(db.conn()).await.unwrap()
}

#[tokio::test]
async fn bad_spawns_are_refused_field_by_field_and_write_nothing() {
    let db = TestDb::new().await;
    let repos = EnhancedRepositories::from_connection(db.pool());
    let repo = repos.agents.as_ref();
    let long = |n: usize| "x".repeat(n + 1);
    let cases = [
        (
            NewAgent {
                name: " \u{200b} ".into(),
                ..agent("x")
            },
            "name",
        ),
        (
            NewAgent {
                name: long(AGENT_NAME),
                ..agent("x")
            },
            "name",
        ),
        (
            NewAgent {
                name: "a\0b".into(),
                ..agent("x")
            },
            "name",
        ),
        (
            NewAgent {
                specialization: String::new(),
                ..agent("x")
            },
            "specialization",
        ),
        (
            NewAgent {
                specialization: long(AGENT_SPECIALIZATION),
                ..agent("x")
            },
            "specialization",
        ),
        (
            NewAgent {
                model: "  ".into(),
                ..agent("x")
            },
            "model",
        ),
        (
            NewAgent {
                model: long(AGENT_MODEL),
                ..agent("x")
            },
            "model",
        ),
        (
            NewAgent {
                task_id: Some(TaskId::new()),
                ..agent("x")
            },
            "task_id",
        ),
        (
            NewAgent {
                session_id: Some(Uuid::now_v7()),
                ..agent("x")
            },
            "session_id",
        ),
    ];
    for (input, field) in cases {
        assert_eq!(
            invalid_field(repo.spawn(input.clone()).await),
            field,
            "{input:?}"
        );
    }
    // A real task with a missing session: the session is named.
    let work = task(&repos, "work").await;
    let missing_session = NewAgent {
        task_id: Some(work),
        session_id: Some(Uuid::now_v7()),
        ..agent("x")
    };
    assert_eq!(
        invalid_field(repo.spawn(missing_session).await),
        "session_id"
    );
    assert_eq!(agent_rows(&db).await, 0);
    // At the limits, accepted.
    let edge = NewAgent {
        name: "n".repeat(AGENT_NAME),
        specialization: "s".repeat(AGENT_SPECIALIZATION),
        model: "m".repeat(AGENT_MODEL),
        task_id: Some(work),
        session_id: Some(session(db.conn()).await),
    };
    repo.spawn(edge).await.unwrap();
    assert_eq!(agent_rows(&db).await, 1);
}

#[tokio::test]
async fn a_refused_owner_leaves_a_unit_of_work_usable() {
    let db = TestDb::new().await;
    let repos = EnhancedRepositories::from_connection(db.pool());
    let kept = repos
        .transaction(|tx| async move {
            let refused = tx
                .agents
                .spawn(NewAgent {
                    task_id: Some(TaskId::new()),
                    ..agent("x")
                })
                .await;
            assert_eq!(invalid_field(refused), "task_id");
            tx.agents.spawn(agent("after the refusal")).await
        })
        .await
        .unwrap();
    assert_eq!(repos.agents.get(kept.id).await.unwrap(), kept);
    assert_eq!(agent_rows(&db).await, 1);
}

#[tokio::test]
async fn illegal_transitions_are_typed_and_change_nothing() {
    let db = TestDb::new().await;
    let repos = EnhancedRepositories::from_connection(db.pool());
    let repo = repos.agents.as_ref();
    let spawned = repo.spawn(agent("worker")).await.unwrap();
    // Nothing leads back to spawning, whatever the agent's state.
    assert_eq!(
        invalid_field(repo.transition(spawned.id, AgentState::Spawning).await),
        "state"
    );
    // Not allowed from spawning.
    match repo.transition(spawned.id, AgentState::Terminating).await {
        Err(RepoError::Conflict {
            kind: ConflictKind::WrongState,
            message,
        }) => {
            assert!(
                message.contains("spawning") && message.contains("terminating"),
                "{message}"
            );
        }
        other => panic!("expected a wrong-state conflict, got {other:?}"),
    }
    let failed = repo
        .transition(spawned.id, AgentState::Failed)
        .await
        .unwrap();
    // Final: every move out is refused and the row stays as it was.
    for &next in AgentState::ALL {
        let result = repo.transition(spawned.id, next).await;
        match (next, result) {
            (AgentState::Spawning, result) => assert_eq!(invalid_field(result), "state"),
            (
                _,
                Err(RepoError::Conflict {
                    kind: ConflictKind::WrongState,
                    message,
                }),
            ) => {
                assert!(message.contains("failed"), "{message}");
            }
            (_, other) => panic!("{next}: expected a wrong-state conflict, got {other:?}"),
        }
    }
    assert_eq!(repo.get(spawned.id).await.unwrap(), failed);
    // A missing agent is not found, not a state problem.
    let missing = AgentId::new();
    for next in [AgentState::Idle, AgentState::Failed] {
        assert!(matches!(
            repo.transition(missing, next).await,
            Err(RepoError::NotFound {
                entity: "agent",
                ..
            })
        ));
    }
    assert!(matches!(
        repo.get(missing).await,
        Err(RepoError::NotFound {
            entity: "agent",
            ..
        })
    ));
}

#[tokio::test]
async fn listing_limits_are_checked() {
    let db = TestDb::new().await;
    let repos = EnhancedRepositories::from_connection(db.pool());
    let filter = AgentFilter::State(AgentState::Idle);
    for limit in [0, 1001] {
        assert_eq!(
            invalid_field(repos.agents.list(filter, None, limit).await),
            "limit"
        );
    }
    assert!(
        repos
            .agents
            .list(filter, None, 1000)
            .await
            .unwrap()
            .agents
            .is_empty()
    );
}

#[tokio::test]
async fn the_state_column_allows_exactly_the_agent_states() {
    let db = TestDb::new().await;
    let repos = EnhancedRepositories::from_connection(db.pool());
    let spawned = repos.agents.spawn(agent("typed")).await.unwrap();
    assert_check_allows_exactly(
        db.conn(),
        ("agents", "state"),
        ("id", spawned.id.as_uuid().into()),
        AgentState::VALUES,
    )
    .await;
}
