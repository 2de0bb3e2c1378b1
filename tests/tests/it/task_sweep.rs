//! The timeout sweep over a backlog larger than one sweep batch: every expired task is taken
//! back exactly once, running tasks whose lease is still good are left alone.

use chrono::{TimeDelta, Utc};
use memdb_entity::tasks;
use memdb_repository::taskmaster::{TaskFilter, TaskStatus};
use memdb_repository::{Page, SeaOrmTaskRepository, TaskId, TaskRepository};
use memdb_tests::TestDb;
use sea_orm::ActiveValue::Set;
use sea_orm::{DatabaseConnection, EntityTrait};
use serde_json::json;

/// More than two sweep batches.
const EXPIRED: usize = 450;

/// Writes `count` running tasks whose lease ends `lease` from now, straight through the entity.
async fn running_tasks(db: &DatabaseConnection, count: usize, lease: TimeDelta) -> Vec<TaskId> {
    let ids: Vec<TaskId> = (0..count).map(|_| TaskId::new()).collect();
    let at = Utc::now().fixed_offset();
    for batch in ids.chunks(500) {
        tasks::Entity::insert_many(batch.iter().map(|id| tasks::ActiveModel {
            id: Set(id.as_uuid()),
            prompt: Set(format!("work {id}")),
            agent_type: Set("general".into()),
            priority: Set(5),
            status: Set(TaskStatus::Running.as_str().into()),
            input_data: Set(json!({})),
            result_data: Set(None),
            error_message: Set(None),
            retry_count: Set(0),
            max_retries: Set(3),
            max_execution_timeout_seconds: Set(60),
            submitted_at: Set(at),
            started_at: Set(Some(at)),
            completed_at: Set(None),
            last_updated_at: Set(at),
            lease_expires_at: Set(Some(at + lease)),
            created_by: Set(None),
            parent_task_id: Set(None),
            dependent_count: Set(0),
        }))
        .exec(db)
        .await
        .expect("insert running tasks");
    }
    ids
}

#[tokio::test]
async fn the_sweep_takes_back_a_backlog_larger_than_one_batch() {
    let db = TestDb::new().await;
    let repo = SeaOrmTaskRepository::new(db.pool());
    let mut expired = running_tasks(db.conn(), EXPIRED, TimeDelta::seconds(-5)).await;
    let healthy = running_tasks(db.conn(), 3, TimeDelta::hours(1)).await;

    let mut swept = repo.requeue_timed_out().await.unwrap();
    swept.sort();
    expired.sort();
    assert_eq!(swept, expired);
    assert!(repo.requeue_timed_out().await.unwrap().is_empty());

    let pending = TaskFilter {
        status: Some(TaskStatus::Pending),
        ..TaskFilter::default()
    };
    let mut requeued = 0;
    for offset in (0..EXPIRED).step_by(Page::MAX_LIMIT as usize) {
        let page = Page::new(Page::MAX_LIMIT, offset as u64).unwrap();
        for task in repo.list(pending.clone(), page).await.unwrap() {
            assert_eq!(task.retry_count, 1);
            assert_eq!(task.lease_expires_at, None);
            requeued += 1;
        }
    }
    assert_eq!(requeued, EXPIRED);
    for id in healthy {
        assert_eq!(repo.get(id).await.unwrap().status, TaskStatus::Running);
    }
}
