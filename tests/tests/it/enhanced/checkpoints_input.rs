//! Bad input to the checkpoint repository: every refusal is typed and leaves nothing written;
//! concurrent saves of one iteration store it once.

use std::sync::Arc;

use memdb_enhanced_entity::checkpoints;
use memdb_enhanced_repository::checkpoints::{CheckpointRepository, NewCheckpoint};
use memdb_enhanced_repository::limits::CHECKPOINT_ITERATION;
use memdb_enhanced_repository::{EnhancedRepositories, RepoError};
use memdb_repository::{ConflictKind, TaskId};
use memdb_tests::TestDb;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;
use uuid::Uuid;

use super::agents::task;
use super::checkpoints::checkpoint;
use super::support::{invalid_field, nested_object};

async fn checkpoint_rows(db: &TestDb) -> u64 {
    checkpoints::Entity::find().count(db.conn()).await.unwrap()
}

#[tokio::test]
async fn bad_saves_are_refused_and_write_nothing() {
    let db = TestDb::new().await;
    let repos = EnhancedRepositories::from_connection(db.pool());
    let repo = repos.checkpoints.as_ref();
    let work = task(&repos, "work").await;
    let cases = [
        (checkpoint(TaskId::new(), 0), "task_id"),
        (
            NewCheckpoint {
                session_id: Some(Uuid::now_v7()),
                ..checkpoint(work, 0)
            },
            "session_id",
        ),
        (checkpoint(work, CHECKPOINT_ITERATION + 1), "iteration"),
        (
            NewCheckpoint {
                state: json!({"note": "a\0b"}),
                ..checkpoint(work, 0)
            },
            "state",
        ),
        (
            NewCheckpoint {
                state: nested_object(200),
                ..checkpoint(work, 0)
            },
            "state",
        ),
    ];
    for (input, field) in cases {
        assert_eq!(invalid_field(repo.save(input).await), field);
    }
    assert_eq!(checkpoint_rows(&db).await, 0);

    let top = repo
        .save(checkpoint(work, CHECKPOINT_ITERATION))
        .await
        .unwrap();
    assert_eq!(repo.latest(work).await.unwrap(), Some(top.clone()));
    match repo.save(checkpoint(work, CHECKPOINT_ITERATION)).await {
        Err(RepoError::Conflict {
            kind: ConflictKind::Duplicate,
            ..
        }) => {}
        other => panic!("expected a duplicate conflict, got {other:?}"),
    }
    assert_eq!(repo.get(work, CHECKPOINT_ITERATION).await.unwrap(), top);
    assert_eq!(checkpoint_rows(&db).await, 1);
}

#[tokio::test]
async fn bad_reads_and_prunes_are_typed() {
    let db = TestDb::new().await;
    let repos = EnhancedRepositories::from_connection(db.pool());
    let repo = repos.checkpoints.as_ref();
    let work = task(&repos, "work").await;
    repo.save(checkpoint(work, 1)).await.unwrap();
    assert!(matches!(
        repo.get(work, 2).await,
        Err(RepoError::NotFound {
            entity: "checkpoint",
            ..
        })
    ));
    assert_eq!(
        invalid_field(repo.get(work, CHECKPOINT_ITERATION + 1).await),
        "iteration"
    );
    assert_eq!(invalid_field(repo.prune(work, 0).await), "keep_last");
    for limit in [0, 1001] {
        assert_eq!(invalid_field(repo.list(work, None, limit).await), "limit");
    }
    // A `before` above every storable iteration lists from the newest.
    let page = repo.list(work, Some(u32::MAX), 10).await.unwrap();
    assert_eq!(page.checkpoints.len(), 1);
    assert_eq!(checkpoint_rows(&db).await, 1);
}

#[tokio::test]
async fn a_refused_save_leaves_a_unit_of_work_usable() {
    let db = TestDb::new().await;
    let repos = EnhancedRepositories::from_connection(db.pool());
    let work = task(&repos, "work").await;
    repos
        .transaction(|tx| async move {
            let refused = tx.checkpoints.save(checkpoint(TaskId::new(), 0)).await;
            assert_eq!(invalid_field(refused), "task_id");
            tx.checkpoints.save(checkpoint(work, 0)).await?;
            let again = tx.checkpoints.save(checkpoint(work, 0)).await;
            assert_eq!(
                again.unwrap_err().conflict_kind(),
                Some(ConflictKind::Duplicate)
            );
            tx.checkpoints.save(checkpoint(work, 1)).await
        })
        .await
        .unwrap();
    assert_eq!(checkpoint_rows(&db).await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_saves_of_one_iteration_store_it_once() {
    let db = TestDb::new().await;
    let repos = EnhancedRepositories::from_connection(db.pool());
    let repo: Arc<dyn CheckpointRepository> = Arc::clone(&repos.checkpoints);
    let work = task(&repos, "work").await;
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let repo = Arc::clone(&repo);
            tokio::spawn(async move {
                let input = NewCheckpoint {
                    state: json!({"writer": i}),
                    ..checkpoint(work, 4)
                };
                repo.save(input).await
            })
        })
        .collect();
    let mut saved = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(checkpoint) => saved.push(checkpoint),
            Err(err) => assert_eq!(err.conflict_kind(), Some(ConflictKind::Duplicate), "{err}"),
        }
    }
    assert_eq!(saved.len(), 1);
    assert_eq!(repo.get(work, 4).await.unwrap(), saved[0]);
    assert_eq!(checkpoint_rows(&db).await, 1);
}
