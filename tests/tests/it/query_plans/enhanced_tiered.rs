//! Every tiered memory statement, for the plan check: seed 004's composite indexes for the
//! thread and tier shapes, the unique `(user_id, topic, category)` index for clusters.

use memdb_enhanced_repository::EnhancedRepositories;
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
