//! Every [`AgentRepository`](memdb_enhanced_repository::AgentRepository) statement, the
//! lookups that name a missing task or session included, for the plan check.

use memdb_enhanced_repository::agents::{AgentFilter, AgentState, NewAgent};
use memdb_enhanced_repository::{AgentId, EnhancedRepositories};
use memdb_repository::TaskId;
use memdb_repository::taskmaster::NewTask;
use uuid::Uuid;

use super::recorder::Recorder;

/// A session row, written through the generated entity (a plain insert, not checked).
pub(super) async fn session(repos: &EnhancedRepositories) -> Uuid {
    crate::enhanced::agents::session(repos.connection()).await
}

fn agent(task_id: Option<TaskId>, session_id: Option<Uuid>) -> NewAgent {
    NewAgent {
        name: "planner".into(),
        specialization: "plans".into(),
        model: "model-a".into(),
        task_id,
        session_id,
    }
}

pub(super) async fn agents(repos: &EnhancedRepositories, rec: &Recorder) {
    let agents = &repos.agents;
    let task = repos
        .legacy
        .tasks
        .submit(NewTask::new("agents at work"))
        .await
        .unwrap()
        .id;
    let session = session(repos).await;
    rec.call("agents.spawn");
    let spawned = agents
        .spawn(agent(Some(task), Some(session)))
        .await
        .unwrap();
    agents.spawn(agent(Some(task), None)).await.unwrap();
    rec.call("agents.spawn naming a missing task");
    agents
        .spawn(agent(Some(TaskId::new()), None))
        .await
        .unwrap_err();
    rec.call("agents.spawn naming a missing session");
    agents
        .spawn(agent(Some(task), Some(Uuid::now_v7())))
        .await
        .unwrap_err();
    rec.call("agents.get");
    agents.get(spawned.id).await.unwrap();
    rec.call("agents.transition");
    agents
        .transition(spawned.id, AgentState::Idle)
        .await
        .unwrap();
    rec.call("agents.transition to a final state");
    agents
        .transition(spawned.id, AgentState::Failed)
        .await
        .unwrap();
    rec.call("agents.transition refused");
    agents
        .transition(spawned.id, AgentState::Busy)
        .await
        .unwrap_err();
    agents
        .transition(AgentId::new(), AgentState::Busy)
        .await
        .unwrap_err();
    for (name, filter) in [
        (
            "agents.list by state",
            AgentFilter::State(AgentState::Spawning),
        ),
        ("agents.list by task", AgentFilter::Task(task)),
        ("agents.list by session", AgentFilter::Session(session)),
    ] {
        rec.call(name);
        let first = agents.list(filter, None, 1).await.unwrap();
        rec.call(&format!("{name}, a later page"));
        agents.list(filter, first.next, 1).await.unwrap();
    }
}
