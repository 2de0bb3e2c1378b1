//! Dependency graphs wider than one statement may bind parameters for (SQLite allows 32 766,
//! PostgreSQL 65 535): a task that fans in from, and a task that fans out to, 33 000 others.

use chrono::Utc;
use memdb_entity::{task_dependencies as deps, tasks};
use memdb_repository::taskmaster::{NewTask, TaskFilter, TaskStatus};
use memdb_repository::{Page, RepoError, SeaOrmTaskRepository, TaskId, TaskRepository};
use memdb_tests::TestDb;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait,
};
use serde_json::json;

/// More ids than SQLite binds in one statement, and twice that in (task, dependency) pairs.
const WIDTH: usize = 33_000;

/// Writes `WIDTH` pending tasks that each depend on `root`, straight through the entities (the
/// repository would take one transaction per task).
async fn fan_out_from(db: &DatabaseConnection, root: TaskId) -> Vec<TaskId> {
    let ids: Vec<TaskId> = (0..WIDTH).map(|_| TaskId::new()).collect();
    let at = Utc::now().fixed_offset();
    let txn = db.begin().await.expect("begin");
    // 1 500 rows of 19 columns stay under SQLite's 32 766 bound parameters.
    for batch in ids.chunks(1500) {
        tasks::Entity::insert_many(batch.iter().map(|id| tasks::ActiveModel {
            id: Set(id.as_uuid()),
            prompt: Set(format!("map {id}")),
            agent_type: Set("general".into()),
            priority: Set(5),
            status: Set("pending".into()),
            input_data: Set(json!({})),
            result_data: Set(None),
            error_message: Set(None),
            retry_count: Set(0),
            max_retries: Set(3),
            max_execution_timeout_seconds: Set(3600),
            submitted_at: Set(at),
            started_at: Set(None),
            completed_at: Set(None),
            last_updated_at: Set(at),
            lease_expires_at: Set(None),
            created_by: Set(None),
            parent_task_id: Set(None),
            dependent_count: Set(0),
        }))
        .exec(&txn)
        .await
        .expect("insert tasks");
        deps::Entity::insert_many(batch.iter().map(|id| deps::ActiveModel {
            task_id: Set(id.as_uuid()),
            depends_on_task_id: Set(root.as_uuid()),
        }))
        .exec(&txn)
        .await
        .expect("insert dependencies");
    }
    // The repository keeps each task's count of dependents; so must a writer that goes around it.
    tasks::Entity::update_many()
        .col_expr(tasks::Column::DependentCount, Expr::val(WIDTH as i32))
        .filter(tasks::Column::Id.eq(root.as_uuid()))
        .exec(&txn)
        .await
        .expect("count the root's dependents");
    txn.commit().await.expect("commit");
    ids
}

async fn count(db: &DatabaseConnection, status: TaskStatus) -> u64 {
    tasks::Entity::find()
        .filter(tasks::Column::Status.eq(status.as_str()))
        .count(db)
        .await
        .expect("count")
}

#[tokio::test]
async fn graphs_wider_than_a_statement_submit_check_and_cascade() {
    let db = TestDb::new().await;
    let repo = SeaOrmTaskRepository::new(db.pool());

    let root = repo.submit(NewTask::new("root")).await.unwrap();
    let middle = fan_out_from(db.conn(), root.id).await;
    let sink = repo
        .submit(NewTask {
            depends_on: middle.clone(),
            ..NewTask::new("reduce")
        })
        .await
        .unwrap();
    assert_eq!(sink.status, TaskStatus::Pending);
    assert_eq!(dependency_count(&repo, sink.id).await, WIDTH);

    // Closing the loop root -> sink must be found through all WIDTH middle tasks.
    let cycle = repo.add_dependency(root.id, sink.id).await.unwrap_err();
    assert!(
        matches!(&cycle, RepoError::Validation { field: "depends_on", reason } if reason.contains("cycle")),
        "{cycle:?}"
    );

    // Cancelling the root cancels every middle task, and through them the sink.
    repo.cancel(root.id).await.unwrap();
    assert_eq!(
        count(db.conn(), TaskStatus::Cancelled).await,
        WIDTH as u64 + 2
    );
    assert_eq!(
        repo.get(sink.id).await.unwrap().status,
        TaskStatus::Cancelled
    );
    let waiting = TaskFilter {
        status: Some(TaskStatus::Pending),
        ..TaskFilter::default()
    };
    assert!(
        repo.list(waiting, Page::default())
            .await
            .unwrap()
            .is_empty()
    );

    drop(db);
}

/// How many dependencies `id` has, read page by page.
async fn dependency_count(repo: &SeaOrmTaskRepository, id: TaskId) -> usize {
    let mut count = 0;
    loop {
        let page = Page::new(Page::MAX_LIMIT, count as u64).unwrap();
        let batch = repo.dependencies(id, page).await.unwrap().len();
        count += batch;
        if batch < Page::MAX_LIMIT as usize {
            return count;
        }
    }
}
