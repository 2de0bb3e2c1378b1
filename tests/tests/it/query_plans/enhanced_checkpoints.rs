//! Every [`CheckpointRepository`](memdb_enhanced_repository::CheckpointRepository) statement,
//! the lookups that name a missing task or session included, for the plan check.

use memdb_enhanced_repository::EnhancedRepositories;
use memdb_enhanced_repository::checkpoints::NewCheckpoint;
use memdb_repository::TaskId;
use memdb_repository::taskmaster::NewTask;
use serde_json::json;
use uuid::Uuid;

use super::enhanced_agents::session;
use super::recorder::Recorder;

fn checkpoint(task_id: TaskId, session_id: Option<Uuid>, iteration: u32) -> NewCheckpoint {
    NewCheckpoint {
        task_id,
        session_id,
        iteration,
        state: json!({"iteration": iteration}),
    }
}

pub(super) async fn checkpoints(repos: &EnhancedRepositories, rec: &Recorder) {
    let checkpoints = &repos.checkpoints;
    let task = repos
        .legacy
        .tasks
        .submit(NewTask::new("checkpointed"))
        .await
        .unwrap()
        .id;
    let session = session(repos).await;
    rec.call("checkpoints.save");
    for iteration in 0..4 {
        checkpoints
            .save(checkpoint(task, Some(session), iteration))
            .await
            .unwrap();
    }
    rec.call("checkpoints.save of a taken iteration");
    checkpoints
        .save(checkpoint(task, None, 0))
        .await
        .unwrap_err();
    rec.call("checkpoints.save naming a missing task");
    checkpoints
        .save(checkpoint(TaskId::new(), None, 0))
        .await
        .unwrap_err();
    rec.call("checkpoints.save naming a missing session");
    checkpoints
        .save(checkpoint(task, Some(Uuid::now_v7()), 9))
        .await
        .unwrap_err();
    rec.call("checkpoints.latest");
    checkpoints.latest(task).await.unwrap().unwrap();
    rec.call("checkpoints.get");
    checkpoints.get(task, 1).await.unwrap();
    rec.call("checkpoints.list");
    let first = checkpoints.list(task, None, 2).await.unwrap();
    rec.call("checkpoints.list, a later page");
    checkpoints.list(task, first.next, 2).await.unwrap();
    rec.call("checkpoints.prune");
    assert_eq!(checkpoints.prune(task, 2).await.unwrap(), 2);
}
