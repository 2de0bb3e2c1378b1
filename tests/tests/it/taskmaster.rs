//! The task repository's story, run against the SeaORM implementation on a real database.

use std::time::Duration;

use memdb_repository::taskmaster::{NewTask, TaskFilter, TaskStatus};
use memdb_repository::{
    ConflictKind, Page, RepoError, SeaOrmTaskRepository, TaskId, TaskRepository,
};
use memdb_tests::TestDb;
use serde_json::json;

fn task(prompt: &str, priority: u8, depends_on: &[TaskId]) -> NewTask {
    NewTask {
        priority,
        depends_on: depends_on.to_vec(),
        created_by: Some("story".into()),
        ..NewTask::new(prompt)
    }
}

async fn claim(repo: &dyn TaskRepository) -> TaskId {
    repo.claim_next("general").await.unwrap().id
}

async fn status(repo: &dyn TaskRepository, id: TaskId) -> TaskStatus {
    repo.get(id).await.unwrap().status
}

/// Submission, validation, priorities and dependencies.
async fn submission_story(repo: &dyn TaskRepository) {
    let low = repo.submit(task("low", 1, &[])).await.unwrap();
    let high = repo.submit(task("high", 9, &[])).await.unwrap();
    let after_low = repo.submit(task("after low", 10, &[low.id])).await.unwrap();
    assert_eq!(
        (low.status, after_low.status),
        (TaskStatus::Ready, TaskStatus::Pending)
    );
    assert_eq!(
        repo.dependencies(after_low.id, Page::default())
            .await
            .unwrap(),
        [low.id]
    );
    assert_eq!(low.agent_type, "general");
    assert_eq!(
        (low.max_retries, low.max_execution_timeout_seconds),
        (3, 3600)
    );

    for (bad, field) in [
        (task("x", 11, &[]), "priority"),
        (task("  ", 5, &[]), "prompt"),
        (
            NewTask {
                agent_type: "Not Valid".into(),
                ..task("x", 5, &[])
            },
            "agent_type",
        ),
        (task("x", 5, &[TaskId::new()]), "depends_on"),
        (
            NewTask {
                parent_task_id: Some(TaskId::new()),
                ..task("x", 5, &[])
            },
            "parent_task_id",
        ),
        (
            NewTask {
                max_execution_timeout_seconds: 0,
                ..task("x", 5, &[])
            },
            "max_execution_timeout_seconds",
        ),
    ] {
        let err = repo.submit(bad).await.unwrap_err();
        assert!(
            matches!(err, RepoError::Validation { field: f, .. } if f == field),
            "{err}"
        );
    }
    // Nothing half-written by the rejected submissions.
    assert_eq!(
        repo.list(TaskFilter::default(), Page::default())
            .await
            .unwrap()
            .len(),
        3
    );

    // Highest priority first; a task waits for its dependency whatever its priority.
    assert_eq!(claim(repo).await, high.id);
    assert_eq!(claim(repo).await, low.id);
    assert!(matches!(
        repo.claim_next("general").await,
        Err(RepoError::QueueEmpty { agent_type }) if agent_type == "general"
    ));
    assert!(matches!(
        repo.claim_next("other").await,
        Err(RepoError::QueueEmpty { .. })
    ));
    let done = repo.complete(low.id, json!({"ok": true})).await.unwrap();
    assert_eq!(
        (done.status, done.result_data),
        (TaskStatus::Completed, Some(json!({"ok": true})))
    );
    assert_eq!(status(repo, after_low.id).await, TaskStatus::Ready);
    let running = repo.claim_next("general").await.unwrap();
    assert_eq!(
        (running.id, running.status),
        (after_low.id, TaskStatus::Running)
    );
    assert!(running.started_at.is_some() && running.lease_expires_at > running.started_at);

    // Transitions from the wrong state are conflicts; unknown ids are not found.
    assert!(matches!(
        repo.complete(low.id, json!(null)).await,
        Err(RepoError::Conflict {
            kind: ConflictKind::WrongState,
            ..
        })
    ));
    assert!(matches!(
        repo.fail(TaskId::new(), "x").await,
        Err(RepoError::NotFound { .. })
    ));
    assert!(matches!(
        repo.get(TaskId::new()).await,
        Err(RepoError::NotFound { .. })
    ));
    // A task cannot depend on one that failed or was cancelled.
    let doomed = repo.submit(task("doomed", 5, &[])).await.unwrap();
    repo.cancel(doomed.id).await.unwrap();
    assert!(matches!(
        repo.submit(task("never", 5, &[doomed.id])).await,
        Err(RepoError::Validation {
            field: "depends_on",
            ..
        })
    ));
    assert!(matches!(
        repo.cancel(doomed.id).await,
        Err(RepoError::Conflict {
            kind: ConflictKind::WrongState,
            ..
        })
    ));

    // Filters and subtasks.
    let child = repo
        .submit(NewTask {
            parent_task_id: Some(high.id),
            ..task("child", 5, &[])
        })
        .await
        .unwrap();
    assert_eq!(
        repo.children(high.id, Page::default())
            .await
            .unwrap()
            .iter()
            .map(|t| t.id)
            .collect::<Vec<_>>(),
        [child.id]
    );
    let completed = TaskFilter {
        status: Some(TaskStatus::Completed),
        ..TaskFilter::default()
    };
    assert_eq!(
        repo.list(completed, Page::default())
            .await
            .unwrap()
            .iter()
            .map(|t| t.id)
            .collect::<Vec<_>>(),
        [low.id]
    );
    let by_agent = TaskFilter {
        agent_type: Some("general".into()),
        created_by: Some("story".into()),
        ..TaskFilter::default()
    };
    assert_eq!(
        repo.list(by_agent.clone(), Page::new(2, 1).unwrap())
            .await
            .unwrap()
            .len(),
        2
    );
    // The filter is trimmed like the stored value.
    let padded = TaskFilter {
        created_by: Some("  story ".into()),
        ..by_agent
    };
    assert_eq!(
        repo.list(padded, Page::new(2, 1).unwrap())
            .await
            .unwrap()
            .len(),
        2
    );
}

/// Retries, failure cascading to dependents, cancellation, cycles and timeouts.
async fn failure_story(repo: &dyn TaskRepository) {
    let flaky = repo
        .submit(NewTask {
            max_retries: 1,
            ..task("flaky", 5, &[])
        })
        .await
        .unwrap();
    let child = repo
        .submit(task("needs flaky", 5, &[flaky.id]))
        .await
        .unwrap();
    let grandchild = repo
        .submit(task("needs child", 5, &[child.id]))
        .await
        .unwrap();

    assert_eq!(claim(repo).await, flaky.id);
    let retried = repo.fail(flaky.id, "boom").await.unwrap();
    assert_eq!(
        (retried.status, retried.retry_count),
        (TaskStatus::Pending, 1)
    );
    assert_eq!(retried.error_message.as_deref(), Some("boom"));
    assert_eq!(claim(repo).await, flaky.id);
    let failed = repo.fail(flaky.id, "boom again").await.unwrap();
    assert_eq!((failed.status, failed.retry_count), (TaskStatus::Failed, 1));
    assert_eq!(status(repo, child.id).await, TaskStatus::Cancelled);
    assert_eq!(status(repo, grandchild.id).await, TaskStatus::Cancelled);
    assert!(matches!(
        repo.fail(flaky.id, "again").await,
        Err(RepoError::Conflict {
            kind: ConflictKind::WrongState,
            ..
        })
    ));
    assert!(matches!(
        repo.fail(flaky.id, "").await,
        Err(RepoError::Validation { .. })
    ));

    // Cycles are refused with the cycle in the message; nothing is written.
    let x = repo.submit(task("x", 5, &[])).await.unwrap().id;
    let y = repo.submit(task("y", 5, &[x])).await.unwrap().id;
    let z = repo.submit(task("z", 5, &[])).await.unwrap().id;
    repo.add_dependency(z, y).await.unwrap();
    assert_eq!(status(repo, z).await, TaskStatus::Pending);
    let err = repo.add_dependency(x, z).await.unwrap_err();
    assert!(
        matches!(&err, RepoError::Validation { reason, .. } if reason.contains("cycle") && reason.contains(&x.to_string())),
        "{err}"
    );
    assert!(
        repo.dependencies(x, Page::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        repo.add_dependency(x, x).await,
        Err(RepoError::Validation { .. })
    ));
    assert!(matches!(
        repo.add_dependency(z, y).await,
        Err(RepoError::Conflict {
            kind: ConflictKind::Duplicate,
            ..
        })
    ));
    assert!(matches!(
        repo.add_dependency(z, TaskId::new()).await,
        Err(RepoError::NotFound { .. })
    ));

    // Cancelling a task cancels what waits on it.
    let cancelled = repo.cancel(x).await.unwrap();
    assert_eq!(cancelled.status, TaskStatus::Cancelled);
    assert_eq!(
        (status(repo, y).await, status(repo, z).await),
        (TaskStatus::Cancelled, TaskStatus::Cancelled)
    );

    // A running task past its timeout is taken back as a failed attempt.
    let slow = repo
        .submit(NewTask {
            max_execution_timeout_seconds: 1,
            agent_type: "slow".into(),
            ..task("slow", 5, &[])
        })
        .await
        .unwrap();
    repo.claim_next("slow").await.unwrap();
    assert!(repo.requeue_timed_out().await.unwrap().is_empty());
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(repo.requeue_timed_out().await.unwrap(), [slow.id]);
    let requeued = repo.get(slow.id).await.unwrap();
    assert_eq!(
        (requeued.status, requeued.retry_count),
        (TaskStatus::Pending, 1)
    );
    assert_eq!(
        requeued.error_message.as_deref(),
        Some("timed out after 1 s")
    );
    assert_eq!(repo.claim_next("slow").await.unwrap().id, slow.id);
}

#[tokio::test]
async fn task_submission_story_on_sea_orm() {
    let db = TestDb::new().await;
    submission_story(&SeaOrmTaskRepository::new(db.pool())).await;
}

#[tokio::test]
async fn task_failure_story_on_sea_orm() {
    let db = TestDb::new().await;
    failure_story(&SeaOrmTaskRepository::new(db.pool())).await;
}
