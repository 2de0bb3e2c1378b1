//! The tiered memory story on a real database: add, read, update, delete; a thread, a tier
//! and a search paged by keyset both ways; tier counts; clusters counted by every write,
//! summarized, paged, and recounted after rows written behind memdb's back.

use memdb_enhanced_repository::tiered::{
    ClusterKey, NewTieredMemory, Order, Tier, TieredMemory, TieredMemoryRepository,
    TieredMemoryUpdate, TieredPaging, TieredQuery,
};
use memdb_enhanced_repository::{RepoError, SeaOrmTieredMemoryRepository, TieredMemoryId};
use memdb_tests::TestDb;
use serde_json::json;

pub(super) fn tiered(db: &TestDb) -> SeaOrmTieredMemoryRepository {
    SeaOrmTieredMemoryRepository::new(db.pool())
}

/// A memory of `user` in `tier`, in cluster `topic`/`category` when given.
pub(super) fn memory(user: &str, tier: Tier, cluster: Option<(&str, &str)>) -> NewTieredMemory {
    let mut input = NewTieredMemory::new(user, "remember this", tier);
    if let Some((topic, category)) = cluster {
        input.metadata = json!({"topic": topic, "category": category, "n": 1});
    }
    input
}

/// The count of `user`'s cluster `topic`/`category`, 0 when it does not exist.
pub(super) async fn count(repo: &dyn TieredMemoryRepository, user: &str, key: (&str, &str)) -> u64 {
    repo.cluster(user, ClusterKey::new(key.0, key.1))
        .await
        .unwrap()
        .map_or(0, |cluster| cluster.memory_count)
}

fn ids(memories: &[TieredMemory]) -> Vec<TieredMemoryId> {
    memories.iter().map(|m| m.id).collect()
}

#[tokio::test]
async fn tiered_story_add_get_update_delete_and_cluster_counts() {
    let db = TestDb::new().await;
    let repo = tiered(&db);
    let input = NewTieredMemory {
        thread_id: Some("t1".into()),
        importance: 0.9,
        metadata: json!({"topic": "billing", "category": "support", "priority": 2}),
        related_threads: vec!["t0".into(), "t2".into()],
        ..NewTieredMemory::new("alice", "refund asked", Tier::ShortTerm)
    };
    let added = repo.add(input).await.unwrap();
    assert_eq!(added.user_id, "alice");
    assert_eq!(added.thread_id.as_deref(), Some("t1"));
    assert_eq!(added.related_threads, ["t0", "t2"]);
    assert_eq!(added.created_at, added.updated_at);
    assert_eq!(repo.get(added.id).await.unwrap(), added);
    let billing = ("billing", "support");
    assert_eq!(count(&repo, "alice", billing).await, 1);
    assert_eq!(
        count(&repo, "bob", billing).await,
        0,
        "clusters are per user"
    );

    // No topic (or a topic that is not a string): no cluster.
    let loose = repo
        .add(NewTieredMemory {
            metadata: json!({"topic": 5, "category": "support"}),
            ..memory("alice", Tier::MidTerm, None)
        })
        .await
        .unwrap();
    assert_eq!(
        repo.clusters("alice", None, 10)
            .await
            .unwrap()
            .clusters
            .len(),
        1
    );

    // An update that changes no cluster key keeps the count; one that does moves it.
    let update = TieredMemoryUpdate {
        tier: Some(Tier::LongTerm),
        importance: Some(0.1),
        ..TieredMemoryUpdate::default()
    };
    let updated = repo.update(added.id, update).await.unwrap();
    assert_eq!((updated.tier, updated.importance), (Tier::LongTerm, 0.1));
    assert_eq!(updated.content, added.content);
    assert_eq!(updated.created_at, added.created_at);
    assert!(updated.updated_at >= added.updated_at);
    assert_eq!(count(&repo, "alice", billing).await, 1);
    let moved = TieredMemoryUpdate {
        metadata: Some(json!({"topic": "shipping", "category": "support"})),
        content: Some("where is my parcel".into()),
        related_threads: Some(Vec::new()),
        ..TieredMemoryUpdate::default()
    };
    let moved = repo.update(added.id, moved).await.unwrap();
    assert_eq!(moved.related_threads, Vec::<String>::new());
    assert_eq!(repo.get(added.id).await.unwrap(), moved);
    assert_eq!(count(&repo, "alice", billing).await, 0);
    assert_eq!(count(&repo, "alice", ("shipping", "support")).await, 1);
    // Into a cluster from none, and out of it again.
    let into = TieredMemoryUpdate {
        metadata: Some(json!({"topic": "shipping", "category": "support"})),
        ..TieredMemoryUpdate::default()
    };
    repo.update(loose.id, into).await.unwrap();
    assert_eq!(count(&repo, "alice", ("shipping", "support")).await, 2);
    repo.delete(added.id).await.unwrap();
    assert_eq!(count(&repo, "alice", ("shipping", "support")).await, 1);
    repo.delete(loose.id).await.unwrap();
    assert_eq!(count(&repo, "alice", ("shipping", "support")).await, 0);
    // The emptied cluster stays, at 0.
    assert_eq!(
        repo.clusters("alice", None, 10)
            .await
            .unwrap()
            .clusters
            .len(),
        2
    );

    let missing = TieredMemoryId::new();
    assert!(matches!(
        repo.get(missing).await,
        Err(RepoError::NotFound { .. })
    ));
    assert!(matches!(
        repo.delete(added.id).await,
        Err(RepoError::NotFound { .. })
    ));
    let some = TieredMemoryUpdate {
        content: Some("x".into()),
        ..TieredMemoryUpdate::default()
    };
    assert!(matches!(
        repo.update(missing, some).await,
        Err(RepoError::NotFound { .. })
    ));
    drop(db);
}

#[tokio::test]
async fn thread_tier_and_search_pages_follow_their_order_both_ways() {
    let db = TestDb::new().await;
    let repo = tiered(&db);
    let mut thread = Vec::new();
    for i in 0..5 {
        let input = NewTieredMemory {
            thread_id: Some("t".into()),
            content: format!("m{i}"),
            ..memory(
                "alice",
                if i % 2 == 0 {
                    Tier::ShortTerm
                } else {
                    Tier::LongTerm
                },
                None,
            )
        };
        thread.push(repo.add(input).await.unwrap());
    }
    let other_thread = NewTieredMemory {
        thread_id: Some("u".into()),
        ..memory("alice", Tier::ShortTerm, None)
    };
    let other = repo.add(other_thread).await.unwrap();
    let bob = repo
        .add(memory("bob", Tier::ShortTerm, None))
        .await
        .unwrap();

    // The thread, newest first, two at a time.
    let mut seen = Vec::new();
    let mut paging = TieredPaging::first(2);
    loop {
        let page = repo.thread("alice", "t", paging).await.unwrap();
        seen.extend(ids(&page.memories));
        match page.next {
            Some(next) => paging = paging.after(Some(next)),
            None => break,
        }
    }
    let mut newest_first = ids(&thread);
    newest_first.reverse();
    assert_eq!(seen, newest_first);
    let oldest = repo
        .thread(
            "alice",
            "t",
            TieredPaging::first(10).ordered(Order::OldestFirst),
        )
        .await
        .unwrap();
    assert_eq!(ids(&oldest.memories), ids(&thread));
    assert_eq!(oldest.next, None);

    // A tier, of one user and of everyone.
    let short: Vec<_> = [&thread[0], &thread[2], &thread[4], &other]
        .iter()
        .map(|m| m.id)
        .collect();
    let page = repo
        .by_tier(
            Some("alice"),
            Tier::ShortTerm,
            TieredPaging::first(10).ordered(Order::OldestFirst),
        )
        .await
        .unwrap();
    assert_eq!(ids(&page.memories), short);
    let first = repo
        .by_tier(None, Tier::ShortTerm, TieredPaging::first(4))
        .await
        .unwrap();
    assert_eq!(first.memories[0].id, bob.id);
    let rest = repo
        .by_tier(
            None,
            Tier::ShortTerm,
            TieredPaging::first(4).after(first.next),
        )
        .await
        .unwrap();
    assert_eq!(first.memories.len() + rest.memories.len(), 5);
    assert_eq!(rest.next, None);

    // An update moves a memory to the front of its tier's newest-first order.
    let touched = TieredMemoryUpdate {
        importance: Some(1.0),
        ..TieredMemoryUpdate::default()
    };
    repo.update(thread[0].id, touched).await.unwrap();
    let page = repo
        .by_tier(Some("alice"), Tier::ShortTerm, TieredPaging::first(1))
        .await
        .unwrap();
    assert_eq!(page.memories[0].id, thread[0].id);

    // Search: every condition at once, and a user in every tier.
    let query = TieredQuery {
        user_id: Some("alice".into()),
        thread_id: Some("t".into()),
        tier: Some(Tier::LongTerm),
        filter: None,
        paging: TieredPaging::first(10).ordered(Order::OldestFirst),
    };
    let page = repo.search(query).await.unwrap();
    assert_eq!(ids(&page.memories), [thread[1].id, thread[3].id]);
    let mut seen = Vec::new();
    let mut paging = TieredPaging::first(4);
    loop {
        let query = TieredQuery {
            user_id: Some("alice".into()),
            paging,
            ..TieredQuery::default()
        };
        let page = repo.search(query).await.unwrap();
        seen.extend(ids(&page.memories));
        match page.next {
            Some(next) => paging = paging.after(Some(next)),
            None => break,
        }
    }
    assert_eq!(seen.len(), 6);
    assert_eq!(seen[0], thread[0].id, "the latest update first");

    let counts = repo.tier_counts("alice").await.unwrap();
    assert_eq!(
        (counts.short_term, counts.mid_term, counts.long_term),
        (4, 0, 2)
    );
    assert_eq!(counts.total(), 6);
    assert_eq!(counts.get(Tier::LongTerm), 2);
    assert_eq!(repo.tier_counts("nobody").await.unwrap().total(), 0);
    drop(db);
}

#[tokio::test]
async fn add_many_counts_each_cluster_once_and_clusters_page_and_summarize() {
    let db = TestDb::new().await;
    let repo = tiered(&db);
    let inputs: Vec<_> = (0..2500)
        .map(|i| {
            let topic = ["a", "b", "c"][i % 3];
            let user = if i % 5 == 0 { "bob" } else { "alice" };
            memory(user, Tier::ShortTerm, Some((topic, "x")))
        })
        .collect();
    let added = repo.add_many(inputs).await.unwrap();
    assert_eq!(added.len(), 2500);
    assert_eq!(repo.get(added[1234].id).await.unwrap(), added[1234]);
    let mut total = 0;
    for user in ["alice", "bob"] {
        for topic in ["a", "b", "c"] {
            total += count(&repo, user, (topic, "x")).await;
        }
    }
    assert_eq!(total, 2500);
    assert_eq!(count(&repo, "bob", ("a", "x")).await, 167);
    assert!(repo.add_many(Vec::new()).await.unwrap().is_empty());

    // Clusters page by topic then category.
    let first = repo.clusters("alice", None, 2).await.unwrap();
    let topics: Vec<_> = first
        .clusters
        .iter()
        .map(|c| c.key.topic.as_str())
        .collect();
    assert_eq!(topics, ["a", "b"]);
    let rest = repo.clusters("alice", first.next, 2).await.unwrap();
    assert_eq!(rest.clusters.len(), 1);
    assert_eq!(rest.next, None);

    let key = ClusterKey::new("a", "x");
    let summarized = repo
        .set_cluster_summary("alice", key.clone(), Some("all about a".into()))
        .await
        .unwrap();
    assert_eq!(summarized.summary.as_deref(), Some("all about a"));
    assert_eq!(
        repo.cluster("alice", key.clone()).await.unwrap(),
        Some(summarized)
    );
    let cleared = repo.set_cluster_summary("alice", key, None).await.unwrap();
    assert_eq!(cleared.summary, None);
    assert!(matches!(
        repo.set_cluster_summary("alice", ClusterKey::new("zzz", "x"), None)
            .await,
        Err(RepoError::NotFound { .. })
    ));
    drop(db);
}
