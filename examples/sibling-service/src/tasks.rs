//! Every task-queue call, on tasks of an agent type of this run's own (tasks are never
//! deleted, so the agent type is what keeps runs apart).

use anyhow::ensure;
use memdb_repository::taskmaster::{NewTask, Task, TaskFilter, TaskStatus};
use memdb_repository::{Page, RepoError, RepoResult, Repositories, TaskId, TaskRepository};
use serde_json::json;

use crate::check::Call as _;

/// Submits four tasks and takes them through every ending: completed, failed (which cancels its
/// dependent), cancelled.
pub(crate) async fn exercise(repos: &Repositories, run: &str) -> anyhow::Result<()> {
    let tasks = &repos.tasks;
    let agent_type = format!("sibling-{run}");
    let new = |prompt: &str| NewTask {
        agent_type: agent_type.clone(),
        created_by: Some("sibling-service".to_owned()),
        ..NewTask::new(prompt)
    };
    let collect = tasks.submit(new("collect")).await.call("tasks.submit")?;
    let summarise = NewTask {
        depends_on: vec![collect.id],
        max_retries: 0,
        ..new("summarise")
    };
    let summarise = tasks.submit(summarise).await.call("tasks.submit")?;
    let publish = NewTask {
        parent_task_id: Some(collect.id),
        ..new("publish")
    };
    let publish = tasks.submit(publish).await.call("tasks.submit")?;
    ensure!(
        (summarise.status, publish.status) == (TaskStatus::Pending, TaskStatus::Ready),
        "tasks.submit gave statuses {:?} and {:?}",
        summarise.status,
        publish.status
    );
    tasks
        .add_dependency(publish.id, summarise.id)
        .await
        .call("tasks.add_dependency")?;
    let depends = tasks
        .dependencies(publish.id, Page::default())
        .await
        .call("tasks.dependencies")?;
    ensure!(
        depends == [summarise.id],
        "tasks.dependencies returned {depends:?}"
    );

    let claimed = claim(tasks.as_ref(), &agent_type)
        .await
        .call("tasks.claim_next")?;
    ensure!(
        claimed.as_ref().map(|t| t.id) == Some(collect.id),
        "tasks.claim_next took {claimed:?}"
    );
    let done = tasks
        .complete(collect.id, json!({ "sources": 3 }))
        .await
        .call("tasks.complete")?;
    ensure!(
        done.status == TaskStatus::Completed && done.result_data == Some(json!({ "sources": 3 })),
        "tasks.complete returned {done:?}"
    );
    let claimed = claim(tasks.as_ref(), &agent_type)
        .await
        .call("tasks.claim_next")?;
    ensure!(
        claimed.as_ref().map(|t| t.id) == Some(summarise.id),
        "tasks.claim_next took {claimed:?}"
    );
    let failed = tasks
        .fail(summarise.id, "no sources")
        .await
        .call("tasks.fail")?;
    ensure!(
        failed.status == TaskStatus::Failed,
        "tasks.fail returned {failed:?}"
    );
    let publish = tasks.get(publish.id).await.call("tasks.get")?;
    ensure!(
        publish.status == TaskStatus::Cancelled,
        "dependent of a failed task: {publish:?}"
    );

    let archive = tasks.submit(new("archive")).await.call("tasks.submit")?;
    let cancelled = tasks.cancel(archive.id).await.call("tasks.cancel")?;
    ensure!(
        cancelled.status == TaskStatus::Cancelled,
        "tasks.cancel returned {cancelled:?}"
    );
    let claimed = claim(tasks.as_ref(), &agent_type)
        .await
        .call("tasks.claim_next")?;
    ensure!(
        claimed.is_none(),
        "tasks.claim_next on an empty queue took {claimed:?}"
    );

    listings(
        repos,
        &agent_type,
        [collect.id, summarise.id, publish.id, archive.id],
    )
    .await
}

/// The next task for `agent_type`, or `None` when there is nothing to do: how a worker loop
/// tells an idle queue from a failure.
pub(crate) async fn claim(
    tasks: &dyn TaskRepository,
    agent_type: &str,
) -> RepoResult<Option<Task>> {
    match tasks.claim_next(agent_type).await {
        Ok(task) => Ok(Some(task)),
        Err(RepoError::QueueEmpty { .. }) => Ok(None),
        Err(other) => Err(other),
    }
}

/// The listings see this run's tasks, oldest first.
async fn listings(repos: &Repositories, agent_type: &str, all: [TaskId; 4]) -> anyhow::Result<()> {
    let tasks = &repos.tasks;
    let [collect, _, publish, _] = all;
    let children = tasks
        .children(collect, Page::default())
        .await
        .call("tasks.children")?;
    ensure!(
        ids(&children) == [publish],
        "tasks.children returned {children:?}"
    );
    let mine = TaskFilter {
        agent_type: Some(agent_type.to_owned()),
        ..TaskFilter::default()
    };
    let listed = tasks
        .list(mine.clone(), Page::default())
        .await
        .call("tasks.list")?;
    ensure!(
        ids(&listed) == all,
        "tasks.list returned {:?}",
        ids(&listed)
    );
    let completed = TaskFilter {
        status: Some(TaskStatus::Completed),
        ..mine
    };
    let listed = tasks
        .list(completed, Page::default())
        .await
        .call("tasks.list")?;
    ensure!(
        ids(&listed) == [collect],
        "tasks.list (completed) returned {listed:?}"
    );
    let requeued = tasks
        .requeue_timed_out()
        .await
        .call("tasks.requeue_timed_out")?;
    ensure!(
        !requeued.iter().any(|id| all.contains(id)),
        "tasks.requeue_timed_out took back a finished task: {requeued:?}"
    );
    Ok(())
}

fn ids(tasks: &[Task]) -> Vec<TaskId> {
    tasks.iter().map(|task| task.id).collect()
}

#[cfg(test)]
mod tests {
    //! The repositories' mocks (memdb-repository's `mock` feature) work from outside memdb's
    //! workspace.

    use memdb_repository::{MockTaskRepository, RepoError};

    use super::claim;

    #[tokio::test]
    async fn an_empty_queue_is_no_task() {
        let mut tasks = MockTaskRepository::new();
        tasks
            .expect_claim_next()
            .withf(|agent_type| agent_type == "indexer")
            .times(1)
            .returning(|agent_type| {
                Err(RepoError::QueueEmpty {
                    agent_type: agent_type.to_owned(),
                })
            });
        assert!(matches!(claim(&tasks, "indexer").await, Ok(None)));
    }

    #[tokio::test]
    async fn other_errors_reach_the_caller() {
        let mut tasks = MockTaskRepository::new();
        tasks.expect_claim_next().times(1).returning(|_| {
            Err(RepoError::Validation {
                field: "agent_type",
                reason: "not a label".to_owned(),
            })
        });
        let claimed = claim(&tasks, "Not A Label").await;
        assert!(matches!(
            claimed,
            Err(RepoError::Validation {
                field: "agent_type",
                ..
            })
        ));
    }
}
