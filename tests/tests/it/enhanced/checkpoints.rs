//! The checkpoint story on a real database: save, latest, get, keyset pages newest first,
//! pruning to the last N, and what deleting the task or the session does.

use memdb_enhanced_repository::EnhancedRepositories;
use memdb_enhanced_repository::checkpoints::{Checkpoint, CheckpointRepository, NewCheckpoint};
use memdb_repository::TaskId;
use memdb_tests::TestDb;
use serde_json::json;

use super::agents::{delete_session, delete_task, session, task};

pub(super) fn checkpoint(task_id: TaskId, iteration: u32) -> NewCheckpoint {
    NewCheckpoint {
        task_id,
        session_id: None,
        iteration,
        state: json!({"iteration": iteration, "done": ["parse"]}),
    }
}

/// The iterations of every checkpoint of `task`, read in pages of `size`.
async fn all_pages(repo: &dyn CheckpointRepository, task: TaskId, size: u64) -> Vec<u32> {
    let mut iterations = Vec::new();
    let mut before = None;
    loop {
        let page = repo.list(task, before, size).await.unwrap();
        assert!(page.checkpoints.len() <= usize::try_from(size).unwrap());
        assert!(page.checkpoints.iter().all(|c| c.task_id == task));
        iterations.extend(page.checkpoints.iter().map(|c| c.iteration));
        match page.next {
            Some(next) => before = Some(next),
            None => return iterations,
        }
    }
}

#[tokio::test]
async fn checkpoint_story_save_latest_list_and_prune() {
    let db = TestDb::new().await;
    let repos = EnhancedRepositories::from_connection(db.pool());
    let repo = repos.checkpoints.as_ref();
    let work = task(&repos, "long job").await;
    let other = task(&repos, "other job").await;
    assert_eq!(repo.latest(work).await.unwrap(), None);

    let chat = session(db.conn()).await;
    let first = repo
        .save(NewCheckpoint {
            session_id: Some(chat),
            ..checkpoint(work, 0)
        })
        .await
        .unwrap();
    assert_eq!(
        (first.task_id, first.session_id, first.iteration),
        (work, Some(chat), 0)
    );
    assert_eq!(first.state, json!({"iteration": 0, "done": ["parse"]}));
    // Iterations need not come in order or be consecutive.
    for iteration in [3, 1, 7, 5, 2] {
        repo.save(checkpoint(work, iteration)).await.unwrap();
    }
    repo.save(checkpoint(other, 100)).await.unwrap();
    let latest: Checkpoint = repo.latest(work).await.unwrap().unwrap();
    assert_eq!(latest.iteration, 7);
    assert_eq!(repo.get(work, 0).await.unwrap(), first);
    assert_eq!(repo.get(work, 5).await.unwrap().iteration, 5);
    for size in [1, 2, 6, 100] {
        assert_eq!(all_pages(repo, work, size).await, [7, 5, 3, 2, 1, 0]);
    }
    assert_eq!(all_pages(repo, other, 10).await, [100]);
    let below = repo.list(work, Some(3), 10).await.unwrap();
    let iterations: Vec<u32> = below.checkpoints.iter().map(|c| c.iteration).collect();
    assert_eq!((iterations, below.next), (vec![2, 1, 0], None));

    // Pruning keeps the newest N of this task only, and is a no-op once there are N.
    assert_eq!(repo.prune(work, 10).await.unwrap(), 0);
    assert_eq!(repo.prune(work, 3).await.unwrap(), 3);
    assert_eq!(all_pages(repo, work, 10).await, [7, 5, 3]);
    assert_eq!(repo.prune(work, 3).await.unwrap(), 0);
    assert_eq!(repo.prune(work, 1).await.unwrap(), 2);
    assert_eq!(all_pages(repo, work, 10).await, [7]);
    assert_eq!(all_pages(repo, other, 10).await, [100]);
    assert_eq!(repo.prune(TaskId::new(), 1).await.unwrap(), 0);
    assert_eq!(repo.latest(work).await.unwrap().unwrap().iteration, 7);
}

#[tokio::test]
async fn checkpoints_go_with_their_task_and_keep_an_ended_session() {
    let db = TestDb::new().await;
    let repos = EnhancedRepositories::from_connection(db.pool());
    let repo = repos.checkpoints.as_ref();
    let doomed = task(&repos, "deleted later").await;
    let kept = task(&repos, "kept").await;
    let chat = session(db.conn()).await;
    for iteration in 0..3 {
        for task_id in [doomed, kept] {
            repo.save(NewCheckpoint {
                session_id: Some(chat),
                ..checkpoint(task_id, iteration)
            })
            .await
            .unwrap();
        }
    }
    delete_session(&db, chat).await;
    let after_session = repo.get(kept, 1).await.unwrap();
    assert_eq!(after_session.session_id, None, "the reference is cleared");
    assert_eq!(all_pages(repo, kept, 10).await, [2, 1, 0]);

    delete_task(&db, doomed).await;
    assert_eq!(repo.latest(doomed).await.unwrap(), None);
    assert!(all_pages(repo, doomed, 10).await.is_empty());
    assert_eq!(all_pages(repo, kept, 10).await, [2, 1, 0]);
}
