//! Concurrent writes of one memory entry from real concurrent callers: each write gets its own
//! version or a conflict, never a duplicate version or a lost write.

use std::sync::Arc;

use memdb_enhanced_repository::memory::{MemoryRepository, PutMemory};
use memdb_enhanced_repository::{Page, RepoError};
use memdb_repository::ConflictKind;
use memdb_tests::TestDb;
use serde_json::json;

use super::memory::{memory, put};

const WRITERS: usize = 16;

/// Runs `WRITERS` puts at once; the results in task order.
async fn race(
    repo: &Arc<dyn MemoryRepository>,
    input: impl Fn(usize) -> PutMemory,
) -> Vec<Result<u32, RepoError>> {
    let tasks: Vec<_> = (0..WRITERS)
        .map(|i| {
            let repo = Arc::clone(repo);
            let input = input(i);
            tokio::spawn(async move { repo.put(input).await.map(|e| e.version) })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_first_writes_get_distinct_versions_and_lose_nothing() {
    let db = TestDb::new().await;
    let repo: Arc<dyn MemoryRepository> = Arc::new(memory(&db, "alice"));
    let results = race(&repo, |i| put("user:alice", "race", json!(i))).await;
    let mut versions = Vec::new();
    for result in &results {
        match result {
            Ok(version) => versions.push(*version),
            Err(RepoError::Conflict {
                kind: ConflictKind::Duplicate,
                ..
            }) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    versions.sort_unstable();
    let expected: Vec<u32> = (1..=u32::try_from(versions.len()).unwrap()).collect();
    assert_eq!(versions, expected, "distinct versions from 1");
    let history = repo
        .history("user:alice", "race", Page::new(100, 0).unwrap())
        .await
        .unwrap();
    assert_eq!(
        history.len(),
        versions.len(),
        "every successful write is stored"
    );
    let mut written: Vec<i64> = history.iter().map(|e| e.value.as_i64().unwrap()).collect();
    written.sort_unstable();
    let mut succeeded: Vec<i64> = (0..WRITERS)
        .filter(|i| results[*i].is_ok())
        .map(|i| i64::try_from(i).unwrap())
        .collect();
    succeeded.sort_unstable();
    assert_eq!(
        written, succeeded,
        "each stored value is a successful writer's"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_compare_and_set_lets_exactly_one_writer_win() {
    let db = TestDb::new().await;
    let repo: Arc<dyn MemoryRepository> = Arc::new(memory(&db, "alice"));
    repo.put(put("user:alice", "cas", json!("start")))
        .await
        .unwrap();
    let results = race(&repo, |i| PutMemory {
        expected_version: Some(1),
        ..put("user:alice", "cas", json!(i))
    })
    .await;
    let won: Vec<u32> = results
        .iter()
        .filter_map(|r| r.as_ref().ok().copied())
        .collect();
    assert_eq!(won, [2]);
    for result in results.iter().filter(|r| r.is_err()) {
        assert!(
            matches!(
                result,
                Err(RepoError::Conflict {
                    kind: ConflictKind::StaleVersion,
                    ..
                })
            ),
            "{result:?}"
        );
    }
    let history = repo
        .history("user:alice", "cas", Page::new(100, 0).unwrap())
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
}
