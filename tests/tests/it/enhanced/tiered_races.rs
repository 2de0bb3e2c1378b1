//! Cluster counts under real concurrent writers of one cluster: adders, deleters and movers
//! at once, and the count ends exact.

use std::sync::Arc;

use memdb_enhanced_repository::tiered::{
    NewTieredMemory, Tier, TieredMemoryRepository, TieredMemoryUpdate,
};
use memdb_tests::TestDb;
use serde_json::json;

use super::support::retrying;
use super::tiered::{count, memory, tiered};

const WORKERS: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_adders_deleters_and_movers_keep_the_cluster_count_exact() {
    let db = TestDb::new().await;
    let repo: Arc<dyn TieredMemoryRepository> = Arc::new(tiered(&db));
    let hot = ("hot", "x");
    // Memories to delete and to move away, made before the race.
    let doomed = repo
        .add_many(
            (0..WORKERS * 2)
                .map(|_| memory("alice", Tier::ShortTerm, Some(hot)))
                .collect(),
        )
        .await
        .unwrap();
    assert_eq!(count(repo.as_ref(), "alice", hot).await, 40);

    let tasks: Vec<_> = (0..WORKERS)
        .map(|worker| {
            let repo = Arc::clone(&repo);
            let (delete, moving) = (doomed[worker * 2].id, doomed[worker * 2 + 1].id);
            tokio::spawn(async move {
                for _ in 0..3 {
                    retrying(|| repo.add(memory("alice", Tier::ShortTerm, Some(hot)))).await;
                }
                let batch = || {
                    let inputs: Vec<NewTieredMemory> = (0..2)
                        .map(|_| memory("alice", Tier::MidTerm, Some(hot)))
                        .collect();
                    repo.add_many(inputs)
                };
                retrying(batch).await;
                retrying(|| repo.delete(delete)).await;
                let away = || {
                    let update = TieredMemoryUpdate {
                        metadata: Some(json!({"topic": "cold", "category": "x"})),
                        ..TieredMemoryUpdate::default()
                    };
                    repo.update(moving, update)
                };
                retrying(away).await;
                // A second delete of the same memory finds nothing and counts nothing.
                assert!(repo.delete(delete).await.is_err());
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    // 40 before, +5 per worker, -1 deleted and -1 moved away per worker.
    assert_eq!(
        count(repo.as_ref(), "alice", hot).await,
        40 + 3 * WORKERS as u64
    );
    assert_eq!(
        count(repo.as_ref(), "alice", ("cold", "x")).await,
        WORKERS as u64
    );
    assert_eq!(
        repo.tier_counts("alice").await.unwrap().total(),
        40 + 4 * WORKERS as u64
    );
    // The counts agree with the memories themselves.
    assert_eq!(repo.recount_clusters(None).await.unwrap(), 0);
    drop(db);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_first_adds_create_one_cluster() {
    let db = TestDb::new().await;
    let repo: Arc<dyn TieredMemoryRepository> = Arc::new(tiered(&db));
    let tasks: Vec<_> = (0..WORKERS)
        .map(|_| {
            let repo = Arc::clone(&repo);
            tokio::spawn(async move {
                retrying(|| repo.add(memory("bob", Tier::LongTerm, Some(("new", "y"))))).await;
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let page = repo.clusters("bob", None, 10).await.unwrap();
    assert_eq!(page.clusters.len(), 1);
    assert_eq!(page.clusters[0].memory_count, WORKERS as u64);
    drop(db);
}
