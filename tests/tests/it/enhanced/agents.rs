//! The agent story on a real database: spawn, the lifecycle to a final state, listings by
//! state, task and session in keyset pages, and what deleting the task or session leaves.

use memdb_enhanced_entity::sessions;
use memdb_enhanced_repository::agents::{
    Agent, AgentFilter, AgentRepository, AgentState, NewAgent,
};
use memdb_enhanced_repository::{AgentId, EnhancedRepositories};
use memdb_entity::tasks;
use memdb_repository::taskmaster::NewTask;
use memdb_repository::{TaskId, now};
use memdb_tests::TestDb;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel};
use serde_json::json;
use uuid::Uuid;

/// A legacy task, submitted through the task repository.
pub(super) async fn task(repos: &EnhancedRepositories, prompt: &str) -> TaskId {
    repos
        .legacy
        .tasks
        .submit(NewTask::new(prompt))
        .await
        .unwrap()
        .id
}

/// A session, inserted through the generated entity (the session repository is not the
/// subject here; the query-plan tests use it too).
pub(crate) async fn session(db: &impl ConnectionTrait) -> Uuid {
    let at = now();
    let id = Uuid::now_v7();
    sessions::Model {
        id,
        app_name: "memdb".into(),
        user_id: "alice".into(),
        project_id: None,
        status: "active".into(),
        state: json!({}),
        metadata: json!({}),
        version: 1,
        last_event_seq: 0,
        created_at: at,
        last_update_time: at,
        terminated_at: None,
        archived_at: None,
    }
    .into_active_model()
    .insert(db)
    .await
    .unwrap();
    id
}

/// Deletes a session row, as ending one for good would.
pub(super) async fn delete_session(db: &TestDb, id: Uuid) {
    let deleted = sessions::Entity::delete_by_id(id)
        .exec(db.conn())
        .await
        .unwrap();
    assert_eq!(deleted.rows_affected, 1);
}

/// Deletes a legacy task row (the task repository has no delete: tasks are kept).
pub(super) async fn delete_task(db: &TestDb, id: TaskId) {
    let deleted = tasks::Entity::delete_by_id(id.as_uuid())
        .exec(db.conn())
        .await
        .unwrap();
    assert_eq!(deleted.rows_affected, 1);
}

/// A spawn input with no owner.
pub(super) fn agent(name: &str) -> NewAgent {
    NewAgent {
        name: name.into(),
        specialization: "review".into(),
        model: "model-a".into(),
        task_id: None,
        session_id: None,
    }
}

/// Every agent `filter` selects, read in pages of `size`.
async fn all_pages(repo: &dyn AgentRepository, filter: AgentFilter, size: u64) -> Vec<AgentId> {
    let mut ids = Vec::new();
    let mut after = None;
    loop {
        let page = repo.list(filter, after, size).await.unwrap();
        assert!(page.agents.len() <= usize::try_from(size).unwrap());
        ids.extend(page.agents.iter().map(|a| a.id));
        match page.next {
            Some(next) => after = Some(next),
            None => return ids,
        }
    }
}

async fn lifecycle(repo: &dyn AgentRepository, agent: &Agent) {
    assert_eq!(agent.state, AgentState::Spawning);
    assert_eq!(agent.spawned_at, agent.updated_at);
    assert_eq!(agent.terminated_at, None);
    let idle = repo.transition(agent.id, AgentState::Idle).await.unwrap();
    assert_eq!(idle.state, AgentState::Idle);
    assert!(idle.updated_at >= agent.updated_at);
    let busy = repo.transition(agent.id, AgentState::Busy).await.unwrap();
    let idle_again = repo.transition(busy.id, AgentState::Idle).await.unwrap();
    assert_eq!(idle_again.state, AgentState::Idle);
    let stopping = repo
        .transition(agent.id, AgentState::Terminating)
        .await
        .unwrap();
    assert_eq!(stopping.terminated_at, None, "not final yet");
    let stopped = repo
        .transition(agent.id, AgentState::Terminated)
        .await
        .unwrap();
    assert_eq!(stopped.state, AgentState::Terminated);
    let at = stopped.terminated_at.expect("a final state is stamped");
    assert_eq!(at, stopped.updated_at);
    assert_eq!(repo.get(agent.id).await.unwrap(), stopped);
}

#[tokio::test]
async fn agent_story_spawn_lifecycle_listings_and_owners() {
    let db = TestDb::new().await;
    let repos = EnhancedRepositories::from_connection(db.pool());
    let repo = repos.agents.as_ref();
    let work = task(&repos, "review the parser").await;
    let other = task(&repos, "other work").await;
    let chat = session(db.conn()).await;

    let first = repo
        .spawn(NewAgent {
            name: "  Rezensent cafe\u{301} ".into(),
            task_id: Some(work),
            session_id: Some(chat),
            ..agent("unused")
        })
        .await
        .unwrap();
    assert_eq!(first.name, "Rezensent café", "trimmed, in NFC");
    assert_eq!((first.task_id, first.session_id), (Some(work), Some(chat)));
    assert_eq!(repo.get(first.id).await.unwrap(), first);
    lifecycle(repo, &first).await;

    // Five agents of the task (one also in the session), two of another, one of nobody.
    let mut of_work = vec![first.id];
    let mut in_chat = vec![first.id];
    for i in 0..4 {
        let spawned = repo
            .spawn(NewAgent {
                task_id: Some(work),
                session_id: (i == 2).then_some(chat),
                ..agent(&format!("worker {i}"))
            })
            .await
            .unwrap();
        of_work.push(spawned.id);
        if i == 2 {
            in_chat.push(spawned.id);
        }
    }
    let mut of_other = Vec::new();
    for name in ["a", "b"] {
        let spawned = repo
            .spawn(NewAgent {
                task_id: Some(other),
                ..agent(name)
            })
            .await
            .unwrap();
        of_other.push(spawned.id);
    }
    let loner = repo.spawn(agent("loner")).await.unwrap();
    repo.transition(loner.id, AgentState::Busy).await.unwrap();
    repo.transition(of_other[0], AgentState::Busy)
        .await
        .unwrap();

    for size in [1, 2, 5, 100] {
        assert_eq!(
            all_pages(repo, AgentFilter::Task(work), size).await,
            of_work
        );
        assert_eq!(
            all_pages(repo, AgentFilter::Session(chat), size).await,
            in_chat
        );
        assert_eq!(
            all_pages(repo, AgentFilter::State(AgentState::Busy), size).await,
            vec![of_other[0], loner.id]
        );
    }
    let spawning = all_pages(repo, AgentFilter::State(AgentState::Spawning), 3).await;
    assert_eq!(
        spawning.len(),
        5,
        "4 workers of the task and one of the other"
    );
    assert_eq!(
        all_pages(repo, AgentFilter::State(AgentState::Terminated), 3).await,
        vec![first.id]
    );
    let exact = repo.list(AgentFilter::Task(other), None, 2).await.unwrap();
    assert_eq!(exact.next, Some(of_other[1]), "a full page offers a next");
    let after_last = repo
        .list(AgentFilter::Task(other), exact.next, 2)
        .await
        .unwrap();
    assert!(after_last.agents.is_empty() && after_last.next.is_none());

    // Agents outlive their owners: the references are cleared.
    delete_session(&db, chat).await;
    assert!(
        all_pages(repo, AgentFilter::Session(chat), 10)
            .await
            .is_empty()
    );
    assert_eq!(repo.get(first.id).await.unwrap().session_id, None);
    delete_task(&db, work).await;
    assert!(
        all_pages(repo, AgentFilter::Task(work), 10)
            .await
            .is_empty()
    );
    let kept = repo.get(of_work[1]).await.unwrap();
    assert_eq!((kept.task_id, kept.state), (None, AgentState::Spawning));
    assert_eq!(
        all_pages(repo, AgentFilter::Task(other), 10).await,
        of_other
    );
}

#[tokio::test]
async fn every_allowed_transition_works_and_final_states_are_stamped() {
    let db = TestDb::new().await;
    let repos = EnhancedRepositories::from_connection(db.pool());
    let repo = repos.agents.as_ref();
    // Each allowed move, from a fresh agent brought to its starting state the short way.
    let way_to = |state: AgentState| -> &'static [AgentState] {
        match state {
            AgentState::Spawning => &[],
            AgentState::Idle => &[AgentState::Idle],
            AgentState::Busy => &[AgentState::Busy],
            AgentState::Terminating => &[AgentState::Idle, AgentState::Terminating],
            AgentState::Terminated => &[AgentState::Terminated],
            AgentState::Failed => &[AgentState::Failed],
        }
    };
    for &from in AgentState::ALL {
        for &to in AgentState::ALL {
            let spawned = repo.spawn(agent("mover")).await.unwrap();
            for &step in way_to(from) {
                repo.transition(spawned.id, step).await.unwrap();
            }
            let result = repo.transition(spawned.id, to).await;
            assert_eq!(result.is_ok(), from.can_become(to), "{from} -> {to}");
            if let Ok(moved) = result {
                assert_eq!(moved.state, to);
                assert_eq!(moved.terminated_at.is_some(), to.is_final(), "{to}");
            }
        }
    }
}
