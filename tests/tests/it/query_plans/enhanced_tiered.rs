//! Every tiered memory statement, for the plan check: seed 004's composite indexes for the
//! thread and tier shapes, the unique `(user_id, topic, category)` index for clusters.

use memdb_enhanced_repository::EnhancedRepositories;
use memdb_enhanced_repository::filters::MetadataFilter;
use memdb_enhanced_repository::tiered::{
    ClusterKey, NewTieredMemory, Order, Tier, TieredMemoryUpdate, TieredPaging, TieredQuery,
};
use serde_json::json;

use super::recorder::Recorder;

fn memory(user: &str, thread: Option<&str>, tier: Tier, topic: &str) -> NewTieredMemory {
    NewTieredMemory {
        thread_id: thread.map(Into::into),
        metadata: json!({"topic": topic, "category": "c"}),
        ..NewTieredMemory::new(user, "content", tier)
    }
}

pub(super) async fn tiered(repos: &EnhancedRepositories, rec: &Recorder) {
    let repo = &repos.tiered;
    rec.call("tiered.add_many");
    let many = (0..6)
        .map(|i| memory(["u1", "u2"][i % 2], Some("t"), Tier::ALL[i % 3], "a"))
        .collect();
    repo.add_many(many).await.unwrap();
    rec.call("tiered.add");
    let added = repo
        .add(memory("u1", Some("t"), Tier::ShortTerm, "b"))
        .await
        .unwrap();
    rec.call("tiered.get");
    repo.get(added.id).await.unwrap();
    rec.call("tiered.update moving clusters");
    let update = TieredMemoryUpdate {
        metadata: Some(json!({"topic": "a", "category": "c"})),
        tier: Some(Tier::MidTerm),
        ..TieredMemoryUpdate::default()
    };
    repo.update(added.id, update).await.unwrap();
    let paging = TieredPaging::first(1);
    rec.call("tiered.thread");
    let page = repo.thread("u1", "t", paging).await.unwrap();
    rec.call("tiered.thread of a later page");
    repo.thread("u1", "t", paging.after(page.next))
        .await
        .unwrap();
    rec.call("tiered.thread oldest first");
    let oldest = paging.ordered(Order::OldestFirst);
    let page = repo.thread("u1", "t", oldest).await.unwrap();
    repo.thread("u1", "t", oldest.after(page.next))
        .await
        .unwrap();
    rec.call("tiered.by_tier of a user");
    let page = repo
        .by_tier(Some("u1"), Tier::MidTerm, paging)
        .await
        .unwrap();
    repo.by_tier(Some("u1"), Tier::MidTerm, paging.after(page.next))
        .await
        .unwrap();
    rec.call("tiered.by_tier of everyone");
    let page = repo.by_tier(None, Tier::LongTerm, oldest).await.unwrap();
    repo.by_tier(None, Tier::LongTerm, oldest.after(page.next))
        .await
        .unwrap();
    rec.call("tiered.search by user, thread and tier");
    let query = TieredQuery {
        user_id: Some("u1".into()),
        thread_id: Some("t".into()),
        tier: Some(Tier::MidTerm),
        filter: None,
        paging,
    };
    repo.search(query).await.unwrap();
    rec.call("tiered.search by tier");
    let query = TieredQuery {
        tier: Some(Tier::ShortTerm),
        paging,
        ..TieredQuery::default()
    };
    repo.search(query).await.unwrap();
    rec.call("tiered.search of a user in every tier");
    let query = TieredQuery {
        user_id: Some("u1".into()),
        paging,
        ..TieredQuery::default()
    };
    let page = repo.search(query.clone()).await.unwrap();
    let query = TieredQuery {
        paging: paging.after(page.next),
        ..query
    };
    repo.search(query).await.unwrap();
    rec.call("tiered.search with a metadata filter, of a user");
    let topic = MetadataFilter::contains(json!({"topic": "a"}));
    repo.search(TieredQuery::of_user("u1").with_filter(topic.clone()))
        .await
        .unwrap();
    rec.call("tiered.search with a metadata filter, of a tier");
    let typed = MetadataFilter::eq("category", "c") & MetadataFilter::exists("topic");
    repo.search(TieredQuery::in_tier(Tier::ShortTerm).with_filter(typed))
        .await
        .unwrap();
    rec.call("tiered.search with a metadata filter, of a thread");
    let query = TieredQuery::of_user("u1")
        .with_thread("t")
        .with_filter(!topic);
    repo.search(query).await.unwrap();
    rec.call("tiered.tier_counts");
    repo.tier_counts("u1").await.unwrap();
    rec.call("tiered.clusters");
    let page = repo.clusters("u1", None, 1).await.unwrap();
    repo.clusters("u1", page.next, 1).await.unwrap();
    rec.call("tiered.cluster");
    let key = ClusterKey::new("a", "c");
    repo.cluster("u1", key.clone()).await.unwrap();
    rec.call("tiered.set_cluster_summary");
    repo.set_cluster_summary("u1", key, Some("s".into()))
        .await
        .unwrap();
    rec.call("tiered.recount_clusters of a user");
    repo.recount_clusters(Some("u1")).await.unwrap();
    rec.call("tiered.recount_clusters of every user");
    repo.recount_clusters(None).await.unwrap();
    rec.call("tiered.delete");
    repo.delete(added.id).await.unwrap();
}

/// The index each seed 004 query shape must be read through, by recorded call.
const SHAPES: [(&str, &str); 6] = [
    ("tiered.thread", "idx_memories_user_thread"),
    ("tiered.by_tier of a user", "idx_memories_user_tier_updated"),
    ("tiered.by_tier of everyone", "idx_memories_tier_updated"),
    ("tiered.search by tier", "idx_memories_tier_updated"),
    ("tiered.cluster", "idx_cluster_unique"),
    ("tiered.clusters", "idx_cluster_unique"),
];

#[tokio::test]
async fn seed_004_query_shapes_use_their_composite_indexes() {
    let db = memdb_tests::TestDb::new().await;
    // Planned as at scale: many users share topics and threads' names, so an index led by the
    // topic alone (`idx_cluster_topic`) or by the tier alone would read many rows for one.
    let repos = EnhancedRepositories::from_connection(db.pool());
    let crowd = (0..300)
        .map(|i| memory(&format!("s{i}"), Some("t"), Tier::ALL[i % 3], "a"))
        .collect();
    repos.tiered.add_many(crowd).await.unwrap();
    if db.backend() == sea_orm::DbBackend::Postgres {
        use sea_orm::ConnectionTrait;
        db.conn()
            .execute_unprepared("ANALYZE memories; ANALYZE memory_clusters")
            .await
            .unwrap();
    }
    let (recording, rec) = Recorder::attach(db.conn());
    tiered(&EnhancedRepositories::from_connection(recording), &rec).await;
    let statements = rec.statements();
    for (call, index) in SHAPES {
        let selects: Vec<_> = statements
            .iter()
            .filter(|r| r.call == call && r.statement.sql.starts_with("SELECT"))
            .collect();
        assert!(!selects.is_empty(), "{call} ran no SELECT");
        for recorded in selects {
            let plan = super::explain(db.conn(), &recorded.statement).await;
            assert!(
                plan.iter().any(|line| line.contains(index)),
                "{call} is not read through {index}:\n{}\n{}",
                recorded.statement.sql,
                plan.join("\n")
            );
        }
    }
    drop(db);
}
