//! Hostile and out-of-range tiered memory input: a typed `Validation` naming the field, and
//! nothing written.

use memdb_enhanced_repository::limits;
use memdb_enhanced_repository::tiered::{
    ClusterKey, NewTieredMemory, Tier, TieredMemoryRepository, TieredMemoryUpdate, TieredPaging,
    TieredQuery,
};
use memdb_tests::TestDb;
use serde_json::json;

use super::support::{invalid_field, nested_object};
use super::tiered::{memory, tiered};

fn base() -> NewTieredMemory {
    memory("alice", Tier::ShortTerm, Some(("a", "x")))
}

#[tokio::test]
async fn bad_new_memories_are_refused_and_nothing_is_written() {
    let db = TestDb::new().await;
    let repo = tiered(&db);
    let long = |n: usize| "x".repeat(n + 1);
    let cases: Vec<(&str, NewTieredMemory)> = vec![
        (
            "user_id",
            NewTieredMemory {
                user_id: " ".into(),
                ..base()
            },
        ),
        (
            "user_id",
            NewTieredMemory {
                user_id: long(limits::TIERED_USER_ID),
                ..base()
            },
        ),
        (
            "user_id",
            NewTieredMemory {
                user_id: "a\0b".into(),
                ..base()
            },
        ),
        (
            "thread_id",
            NewTieredMemory {
                thread_id: Some(String::new()),
                ..base()
            },
        ),
        (
            "thread_id",
            NewTieredMemory {
                thread_id: Some(long(limits::TIERED_THREAD_ID)),
                ..base()
            },
        ),
        (
            "content",
            NewTieredMemory {
                content: String::new(),
                ..base()
            },
        ),
        (
            "content",
            NewTieredMemory {
                content: long(limits::TIERED_CONTENT),
                ..base()
            },
        ),
        (
            "importance",
            NewTieredMemory {
                importance: f64::NAN,
                ..base()
            },
        ),
        (
            "importance",
            NewTieredMemory {
                importance: f64::INFINITY,
                ..base()
            },
        ),
        (
            "importance",
            NewTieredMemory {
                importance: -0.01,
                ..base()
            },
        ),
        (
            "importance",
            NewTieredMemory {
                importance: 1.01,
                ..base()
            },
        ),
        (
            "metadata",
            NewTieredMemory {
                metadata: json!([1]),
                ..base()
            },
        ),
        (
            "metadata",
            NewTieredMemory {
                metadata: json!("x"),
                ..base()
            },
        ),
        (
            "metadata",
            NewTieredMemory {
                metadata: json!({"k": "\0"}),
                ..base()
            },
        ),
        (
            "metadata",
            NewTieredMemory {
                metadata: nested_object(1_000_000),
                ..base()
            },
        ),
        (
            "metadata",
            NewTieredMemory {
                metadata: json!({"blob": "x".repeat(limits::TIERED_METADATA_BYTES)}),
                ..base()
            },
        ),
        (
            "metadata",
            NewTieredMemory {
                metadata: json!({"topic": long(limits::TIERED_CLUSTER_KEY), "category": "x"}),
                ..base()
            },
        ),
        (
            "metadata",
            NewTieredMemory {
                metadata: json!({"topic": "a", "category": " "}),
                ..base()
            },
        ),
        (
            "related_threads",
            NewTieredMemory {
                related_threads: vec!["t".into(); limits::TIERED_RELATED_THREADS + 1],
                ..base()
            },
        ),
        (
            "related_threads",
            NewTieredMemory {
                related_threads: vec![String::new()],
                ..base()
            },
        ),
    ];
    for (field, input) in cases {
        assert_eq!(invalid_field(repo.add(input).await), field);
    }
    // One bad input in a batch: nothing of the batch is written, and the error names it.
    let batch = vec![
        base(),
        base(),
        NewTieredMemory {
            importance: 2.0,
            ..base()
        },
    ];
    match repo.add_many(batch).await {
        Err(memdb_enhanced_repository::RepoError::Validation { field, reason }) => {
            assert_eq!(field, "importance");
            assert!(reason.starts_with("input 2: "), "{reason}");
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
    assert_eq!(repo.tier_counts("alice").await.unwrap().total(), 0);
    assert_eq!(repo.clusters("alice", None, 10).await.unwrap().clusters, []);

    // Tiers from text: only the three names.
    assert_eq!(Tier::parse("mid_term").unwrap(), Tier::MidTerm);
    for bad in ["MID_TERM", "", "forever", "short_term "] {
        assert_eq!(invalid_field(Tier::parse(bad)), "tier");
    }
    drop(db);
}

#[tokio::test]
async fn bad_updates_reads_and_cluster_calls_are_refused() {
    let db = TestDb::new().await;
    let repo = tiered(&db);
    let kept = repo.add(base()).await.unwrap();
    let updates = [
        ("update", TieredMemoryUpdate::default()),
        (
            "importance",
            TieredMemoryUpdate {
                importance: Some(f64::NAN),
                ..Default::default()
            },
        ),
        (
            "content",
            TieredMemoryUpdate {
                content: Some(" ".into()),
                ..Default::default()
            },
        ),
        (
            "metadata",
            TieredMemoryUpdate {
                metadata: Some(json!(null)),
                ..Default::default()
            },
        ),
        (
            "metadata",
            TieredMemoryUpdate {
                metadata: Some(nested_object(1_000_000)),
                ..Default::default()
            },
        ),
        (
            "related_threads",
            TieredMemoryUpdate {
                related_threads: Some(vec!["\0".into()]),
                ..Default::default()
            },
        ),
    ];
    for (field, update) in updates {
        assert_eq!(invalid_field(repo.update(kept.id, update).await), field);
    }
    assert_eq!(repo.get(kept.id).await.unwrap(), kept, "nothing changed");

    let page = |limit| TieredPaging::first(limit);
    assert_eq!(
        invalid_field(repo.thread("alice", "t", page(0)).await),
        "limit"
    );
    assert_eq!(
        invalid_field(
            repo.thread("alice", "t", page(limits::TIERED_PAGE + 1))
                .await
        ),
        "limit"
    );
    assert_eq!(
        invalid_field(repo.thread("", "t", page(1)).await),
        "user_id"
    );
    assert_eq!(
        invalid_field(repo.thread("alice", " ", page(1)).await),
        "thread_id"
    );
    assert_eq!(
        invalid_field(repo.by_tier(Some(""), Tier::MidTerm, page(1)).await),
        "user_id"
    );
    let search = |query: TieredQuery| repo.search(query);
    assert_eq!(invalid_field(search(TieredQuery::default()).await), "query");
    let orphan_thread = TieredQuery {
        thread_id: Some("t".into()),
        tier: Some(Tier::ShortTerm),
        ..TieredQuery::default()
    };
    assert_eq!(invalid_field(search(orphan_thread).await), "thread_id");
    assert_eq!(invalid_field(repo.tier_counts("\0").await), "user_id");
    assert_eq!(
        invalid_field(repo.clusters("alice", None, 0).await),
        "limit"
    );
    let bad_key = ClusterKey::new("", "x");
    assert_eq!(
        invalid_field(repo.clusters("alice", Some(bad_key.clone()), 1).await),
        "topic"
    );
    assert_eq!(invalid_field(repo.cluster("alice", bad_key).await), "topic");
    let key = ClusterKey::new("a", "x");
    let too_long = "s".repeat(limits::TIERED_CLUSTER_SUMMARY + 1);
    assert_eq!(
        invalid_field(
            repo.set_cluster_summary("alice", key.clone(), Some(too_long))
                .await
        ),
        "summary"
    );
    assert_eq!(
        invalid_field(repo.recount_clusters(Some(" ")).await),
        "user_id"
    );
    assert_eq!(
        repo.cluster("alice", key).await.unwrap().unwrap().summary,
        None
    );
    // Quotes and SQL in values are data.
    let sneaky = "a'); DROP TABLE memories; --";
    let odd = memory(sneaky, Tier::ShortTerm, Some((sneaky, "%_\\")));
    repo.add(odd).await.unwrap();
    assert_eq!(repo.tier_counts(sneaky).await.unwrap().total(), 1);
    assert_eq!(repo.recount_clusters(Some(sneaky)).await.unwrap(), 0);
    drop(db);
}

#[tokio::test]
async fn the_tier_column_allows_exactly_the_tiers() {
    let db = TestDb::new().await;
    let added = tiered(&db).add(base()).await.unwrap();
    memdb_tests::checks::assert_check_allows_exactly(
        db.conn(),
        ("memories", "tier"),
        ("id", added.id.as_uuid().into()),
        Tier::VALUES,
    )
    .await;
    drop(db);
}
