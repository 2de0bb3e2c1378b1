//! Cluster counts beyond single writes: recounted after rows written behind memdb's back, and
//! untouched by a unit of work that rolled back.

use memdb_enhanced_repository::RepoError;
use memdb_enhanced_repository::tiered::{
    ClusterKey, NewTieredMemory, Tier, TieredMemoryRepository,
};
use memdb_tests::TestDb;
use sea_orm::ConnectionTrait;
use serde_json::json;

use super::tiered::{count, memory, tiered};

#[tokio::test]
async fn recount_mends_counts_of_rows_written_behind_memdbs_back() {
    let db = TestDb::new().await;
    let repo = tiered(&db);
    for _ in 0..3 {
        repo.add(memory("alice", Tier::ShortTerm, Some(("a", "x"))))
            .await
            .unwrap();
    }
    repo.add(memory("bob", Tier::ShortTerm, Some(("a", "x"))))
        .await
        .unwrap();
    assert_eq!(
        repo.recount_clusters(None).await.unwrap(),
        0,
        "counts are exact"
    );

    // Behind memdb's back: a count set wrong, a memory's topic changed in place, and a
    // numeric topic that must not count as the text "7".
    let conn = db.conn();
    conn.execute_unprepared("UPDATE memory_clusters SET memory_count = 40 WHERE user_id = 'bob'")
        .await
        .unwrap();
    let moved = repo
        .add(memory("alice", Tier::ShortTerm, Some(("a", "x"))))
        .await
        .unwrap();
    let fresh = repo
        .add(NewTieredMemory {
            metadata: json!({"topic": 7, "category": "x"}),
            ..memory("alice", Tier::ShortTerm, None)
        })
        .await
        .unwrap();
    repo.add(memory("alice", Tier::ShortTerm, Some(("7", "x"))))
        .await
        .unwrap();
    let metadata = match db.backend() {
        sea_orm::DbBackend::Postgres => "'{\"topic\": \"new\", \"category\": \"x\"}'::jsonb",
        _ => "'{\"topic\": \"new\", \"category\": \"x\"}'",
    };
    let id = match db.backend() {
        sea_orm::DbBackend::Postgres => format!("'{}'", moved.id),
        _ => format!("x'{}'", moved.id.as_uuid().simple()),
    };
    conn.execute_unprepared(&format!(
        "UPDATE memories SET metadata = {metadata} WHERE id = {id}"
    ))
    .await
    .unwrap();
    assert_eq!(count(&repo, "alice", ("a", "x")).await, 4);

    // Alice only: her "a" cluster drops to 3 and "new" is created; bob's stays wrong.
    assert_eq!(repo.recount_clusters(Some("alice")).await.unwrap(), 2);
    assert_eq!(count(&repo, "alice", ("a", "x")).await, 3);
    assert_eq!(count(&repo, "alice", ("new", "x")).await, 1);
    assert_eq!(
        count(&repo, "alice", ("7", "x")).await,
        1,
        "the number 7 is no topic"
    );
    assert_eq!(count(&repo, "bob", ("a", "x")).await, 40);
    assert_eq!(repo.recount_clusters(None).await.unwrap(), 1);
    assert_eq!(count(&repo, "bob", ("a", "x")).await, 1);
    assert_eq!(repo.recount_clusters(None).await.unwrap(), 0);
    repo.delete(fresh.id).await.unwrap();
    drop(db);
}

#[tokio::test]
async fn a_rolled_back_unit_of_work_leaves_neither_memories_nor_counts() {
    let db = TestDb::new().await;
    let repos = memdb_enhanced_repository::EnhancedRepositories::from_connection(db.pool());
    let kept = repos
        .tiered
        .add(memory("alice", Tier::ShortTerm, Some(("a", "x"))))
        .await
        .unwrap();
    let outcome: Result<(), RepoError> = repos
        .transaction(|tx| async move {
            tx.tiered
                .add(memory("alice", Tier::ShortTerm, Some(("a", "x"))))
                .await?;
            tx.tiered.delete(kept.id).await?;
            tx.tiered
                .add(memory("alice", Tier::ShortTerm, Some(("b", "x"))))
                .await?;
            assert_eq!(count(tx.tiered.as_ref(), "alice", ("a", "x")).await, 1);
            Err(RepoError::invalid("test", "roll back"))
        })
        .await;
    assert!(outcome.is_err());
    assert_eq!(repos.tiered.get(kept.id).await.unwrap(), kept);
    assert_eq!(count(repos.tiered.as_ref(), "alice", ("a", "x")).await, 1);
    assert_eq!(
        repos
            .tiered
            .cluster("alice", ClusterKey::new("b", "x"))
            .await
            .unwrap(),
        None
    );
    assert_eq!(repos.tiered.tier_counts("alice").await.unwrap().total(), 1);
    drop(db);
}
