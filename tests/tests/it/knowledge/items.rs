//! The first half of the knowledge story: items, access counting, search, ranking and scores.

use memdb_repository::knowledge::{KnowledgeItem, KnowledgeQuery, NewKnowledge, ScoreUpdate};
use memdb_repository::{KnowledgeId, KnowledgeRepository, Page};
use serde_json::json;

use super::{field_of, ids, is_not_found, item};

/// The items the first half leaves behind for the second.
#[derive(Clone, Copy, Debug)]
pub(super) struct Items {
    /// Retention 0.8, type `fact`, accessed twice.
    pub(super) a: KnowledgeId,
    /// Retention 0.0 after the story, type `code-pattern`.
    pub(super) b: KnowledgeId,
    /// Retention 0.8, type `fact`.
    pub(super) c: KnowledgeId,
    /// Retention 0.95 after the story, type `fact`.
    pub(super) d: KnowledgeId,
    /// Of `a` and `c`, which tie on retention, the one with the lower id.
    pub(super) tie_first: KnowledgeId,
    /// Of `a` and `c`, the one with the higher id.
    pub(super) tie_second: KnowledgeId,
}

/// Makes a valid input invalid.
type Spoiler = fn(&mut NewKnowledge);

/// Adds items and exercises everything but relationships and deletion.
pub(super) async fn story(repo: &dyn KnowledgeRepository) -> Items {
    let items = add(repo).await;
    access_counting(repo, items.a).await;
    search_and_rank(repo, &items).await;
    update_scores(repo, &items).await;
    items
}

/// Adding: defaults, trimming, and every bad input refused before the database.
async fn add(repo: &dyn KnowledgeRepository) -> Items {
    let a = repo
        .add(item("Rust ownership prevents data races", "fact", 0.8))
        .await
        .unwrap();
    assert_eq!(a.source, "notes/rust.md");
    assert_eq!((a.access_count, a.last_accessed), (0, None));
    assert_eq!(a.created_at, a.updated_at);
    assert_eq!(a.metadata, json!({"tags": ["test"]}));
    assert_eq!(repo.peek(a.id).await.unwrap(), a);
    let b = repo
        .add(item("Use 50% fewer_allocations", "code-pattern", 0.5))
        .await
        .unwrap();
    let c = repo
        .add(item("SQLite WAL: readers beside a writer", "fact", 0.8))
        .await
        .unwrap();
    let d = repo
        .add(item("Tabs or spaces: spaces", "fact", 0.2))
        .await
        .unwrap();

    let spoilers: [(Spoiler, &str); 11] = [
        (|i| i.content = " \n ".into(), "content"),
        (|i| i.content = "x".repeat(100_001), "content"),
        (|i| i.source = "  ".into(), "source"),
        (|i| i.source = "s".repeat(501), "source"),
        (|i| i.knowledge_type = "Bad Type".into(), "knowledge_type"),
        (|i| i.knowledge_type = String::new(), "knowledge_type"),
        (|i| i.confidence_score = 1.5, "confidence_score"),
        (|i| i.confidence_score = -0.1, "confidence_score"),
        (|i| i.retention_score = f64::NAN, "retention_score"),
        (|i| i.retention_score = f64::INFINITY, "retention_score"),
        (|i| i.metadata = json!([1, 2]), "metadata"),
    ];
    for (spoil, field) in spoilers {
        let mut input = item("valid content", "fact", 0.5);
        spoil(&mut input);
        assert_eq!(field_of(repo.add(input).await), field);
    }

    // a and c tie on retention: id order breaks the tie.
    let (tie_first, tie_second) = if a.id < c.id {
        (a.id, c.id)
    } else {
        (c.id, a.id)
    };
    Items {
        a: a.id,
        b: b.id,
        c: c.id,
        d: d.id,
        tie_first,
        tie_second,
    }
}

/// `get` records exactly one access, `peek` none.
async fn access_counting(repo: &dyn KnowledgeRepository, a: KnowledgeId) {
    let before = repo.peek(a).await.unwrap();
    let first = repo.get(a).await.unwrap();
    assert_eq!(first.access_count, 1);
    let first_at = first.last_accessed.expect("get records the access time");
    assert!(first_at >= before.created_at);
    assert_eq!(
        first.updated_at, before.updated_at,
        "an access is not a change"
    );
    assert_eq!(
        first,
        KnowledgeItem {
            access_count: 1,
            last_accessed: Some(first_at),
            ..before
        }
    );
    let second = repo.get(a).await.unwrap();
    assert_eq!(second.access_count, 2);
    assert!(second.last_accessed.unwrap() >= first_at);
    assert_eq!(repo.peek(a).await.unwrap(), second);
    assert_eq!(repo.peek(a).await.unwrap().access_count, 2);
    assert!(is_not_found(&repo.get(KnowledgeId::new()).await));
    assert!(is_not_found(&repo.peek(KnowledgeId::new()).await));
}

/// Search: case-insensitive substring, literal wildcards, type filter, ranking, pages; and the
/// top N by retention.
async fn search_and_rank(repo: &dyn KnowledgeRepository, items: &Items) {
    let Items {
        a,
        b,
        d,
        tie_first,
        tie_second,
        ..
    } = *items;
    let search = |text: Option<&str>, knowledge_type: Option<&str>, page: Page| {
        repo.search(
            KnowledgeQuery {
                text: text.map(Into::into),
                knowledge_type: knowledge_type.map(Into::into),
            },
            page,
        )
    };
    let all = Page::default();
    let hits = search(Some("OWNERSHIP"), None, all).await.unwrap();
    assert_eq!(ids(&hits), [a]);
    assert_eq!(hits[0].access_count, 2, "search does not record accesses");
    let hits = search(Some("50% FEWER_"), None, all).await.unwrap();
    assert_eq!(ids(&hits), [b]);
    let hits = search(Some("50%_fewer"), None, all).await.unwrap();
    assert!(hits.is_empty(), "% and _ match only themselves");
    let facts = search(None, Some("fact"), all).await.unwrap();
    assert_eq!(ids(&facts), [tie_first, tie_second, d]);
    let everything = search(None, None, all).await.unwrap();
    assert_eq!(ids(&everything), [tie_first, tie_second, b, d]);
    let page_two = search(None, Some("fact"), Page::new(1, 1).unwrap());
    assert_eq!(ids(&page_two.await.unwrap()), [tie_second]);
    let both = search(Some("s"), Some("code-pattern"), all).await.unwrap();
    assert_eq!(ids(&both), [b]);
    let none = search(Some("ownership"), Some("code-pattern"), all);
    assert!(none.await.unwrap().is_empty());
    assert_eq!(field_of(search(Some("  "), None, all).await), "text");
    assert_eq!(
        field_of(search(None, Some("Fact"), all).await),
        "knowledge_type"
    );

    let top = repo.top_by_retention(3, None).await.unwrap();
    assert_eq!(ids(&top), [tie_first, tie_second, b]);
    let top_facts = repo.top_by_retention(10, Some("fact".into())).await;
    assert_eq!(ids(&top_facts.unwrap()), [tie_first, tie_second, d]);
    let no_such_type = repo.top_by_retention(5, Some("nothing-of-this-type".into()));
    assert!(no_such_type.await.unwrap().is_empty());
    assert_eq!(field_of(repo.top_by_retention(0, None).await), "n");
    assert_eq!(field_of(repo.top_by_retention(1001, None).await), "n");
    assert_eq!(
        field_of(repo.top_by_retention(1, Some("no spaces".into())).await),
        "knowledge_type"
    );
}

/// Score updates move an item in the ranking and bump `updated_at` only; bad scores write
/// nothing.
async fn update_scores(repo: &dyn KnowledgeRepository, items: &Items) {
    let scores = |confidence, retention| ScoreUpdate {
        confidence_score: confidence,
        retention_score: retention,
    };
    let before = repo.peek(items.d).await.unwrap();
    let promoted = repo
        .update_scores(items.d, scores(None, Some(0.95)))
        .await
        .unwrap();
    assert!(promoted.updated_at >= before.updated_at);
    assert_eq!(
        promoted,
        KnowledgeItem {
            retention_score: 0.95,
            updated_at: promoted.updated_at,
            ..before
        }
    );
    let top = repo.top_by_retention(1, None).await.unwrap();
    assert_eq!(ids(&top), [items.d]);
    let trusted = repo
        .update_scores(items.b, scores(Some(1.0), Some(0.0)))
        .await
        .unwrap();
    assert_eq!(
        (trusted.confidence_score, trusted.retention_score),
        (1.0, 0.0)
    );
    assert_eq!(
        field_of(repo.update_scores(items.d, scores(Some(1.1), None)).await),
        "confidence_score"
    );
    assert_eq!(
        field_of(
            repo.update_scores(items.d, scores(None, Some(f64::NAN)))
                .await
        ),
        "retention_score"
    );
    assert_eq!(
        repo.peek(items.d).await.unwrap(),
        promoted,
        "nothing written"
    );
    let unknown = repo.update_scores(KnowledgeId::new(), scores(Some(0.1), None));
    assert!(is_not_found(&unknown.await));
}
