//! Tiered memories searched by metadata: filters of every kind beside a user, a thread and a
//! tier, evaluated in the database; bad filters refused; the SQLite hot keys the same as the
//! migration's indexes; and the property that `search` finds exactly the memories the in-Rust
//! reference matches among those the other conditions select.

use std::sync::atomic::{AtomicU32, Ordering};

use memdb_enhanced_repository::filters::MetadataFilter;
use memdb_enhanced_repository::tiered::{
    MEMORY_HOT_KEYS, NewTieredMemory, Tier, TieredMemory, TieredMemoryRepository, TieredPaging,
    TieredQuery,
};
use memdb_enhanced_repository::{RepoError, TieredMemoryId};
use memdb_tests::TestDb;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use super::filter_generators::{document, filter};
use super::support::invalid_field;
use super::tiered::tiered;
use crate::reliability::properties::check;

const USERS: [&str; 3] = ["alice", "bob", "carol"];
const THREADS: [&str; 2] = ["t1", "t2"];

fn memory(user: &str, thread: Option<&str>, tier: Tier, metadata: Value) -> NewTieredMemory {
    NewTieredMemory {
        thread_id: thread.map(Into::into),
        metadata,
        ..NewTieredMemory::new(user, "remember this", tier)
    }
}

/// The ids of every page of `query`, newest first.
async fn search_all(repo: &dyn TieredMemoryRepository, query: TieredQuery) -> Vec<TieredMemoryId> {
    let mut ids = Vec::new();
    let mut paging = TieredPaging::first(50);
    loop {
        let page = repo
            .search(query.clone().with_paging(paging))
            .await
            .unwrap();
        ids.extend(page.memories.iter().map(|m| m.id));
        match page.next {
            Some(next) => paging = paging.after(Some(next)),
            None => return ids,
        }
    }
}

fn sorted(mut ids: Vec<TieredMemoryId>) -> Vec<TieredMemoryId> {
    ids.sort();
    ids
}

#[tokio::test]
async fn search_by_metadata_beside_user_thread_and_tier() {
    let db = TestDb::new().await;
    let repo = tiered(&db);
    let added = repo
        .add_many(vec![
            memory(
                "alice",
                Some("t1"),
                Tier::ShortTerm,
                json!({"topic": "billing", "category": "invoice", "n": 10, "tags": ["a", "b"]}),
            ),
            memory(
                "alice",
                Some("t1"),
                Tier::LongTerm,
                json!({"topic": "billing", "category": "refund", "n": 9, "tags": ["b"]}),
            ),
            memory(
                "alice",
                Some("t2"),
                Tier::ShortTerm,
                json!({"topic": "support", "n": "10", "customer": {"tier": "gold"}}),
            ),
            memory("alice", None, Tier::MidTerm, json!({"topic": 10, "n": 1.0})),
            memory(
                "bob",
                Some("t1"),
                Tier::ShortTerm,
                json!({"topic": "billing", "category": "invoice", "n": 10}),
            ),
        ])
        .await
        .unwrap();
    let id = |i: usize| added[i].id;
    let alice = TieredQuery::of_user("alice");
    let find = |query: TieredQuery, filter: MetadataFilter| {
        let repo = &repo;
        async move { sorted(search_all(repo, query.with_filter(filter)).await) }
    };

    // Containment: nested objects, arrays containing the given elements, of one user.
    let billing = MetadataFilter::contains(json!({"topic": "billing"}));
    assert_eq!(
        find(alice.clone(), billing.clone()).await,
        sorted(vec![id(0), id(1)])
    );
    let tagged = MetadataFilter::contains(json!({"tags": ["b", "a"]}));
    assert_eq!(find(alice.clone(), tagged).await, [id(0)]);
    let gold = MetadataFilter::contains(json!({"customer": {"tier": "gold"}}));
    assert_eq!(find(alice.clone(), gold).await, [id(2)]);
    // ... of a tier, every user.
    let everyone = find(TieredQuery::in_tier(Tier::ShortTerm), billing.clone()).await;
    assert_eq!(everyone, sorted(vec![id(0), id(4)]));
    // ... of a user's thread and tier.
    let narrow = alice.clone().with_thread("t1").with_tier(Tier::LongTerm);
    assert_eq!(find(narrow, billing.clone()).await, [id(1)]);

    // Typed comparisons: numbers as numbers (10 > 9), never against strings.
    assert_eq!(
        find(alice.clone(), MetadataFilter::gt("n", 9)).await,
        [id(0)]
    );
    assert_eq!(
        find(alice.clone(), MetadataFilter::eq("n", "10")).await,
        [id(2)]
    );
    assert_eq!(
        find(alice.clone(), MetadataFilter::eq("n", 1)).await,
        [id(3)]
    );
    assert_eq!(
        find(alice.clone(), MetadataFilter::eq("customer.tier", "gold")).await,
        [id(2)]
    );
    // The hot key `topic` holding a number is not the string "10".
    assert_eq!(
        find(alice.clone(), MetadataFilter::eq("topic", "10")).await,
        []
    );
    assert_eq!(
        find(alice.clone(), MetadataFilter::eq("topic", 10)).await,
        [id(3)]
    );
    // In, exists, and, or, not.
    let topics = MetadataFilter::one_of("topic", ["support", "billing"]);
    assert_eq!(
        find(alice.clone().with_tier(Tier::ShortTerm), topics).await,
        sorted(vec![id(0), id(2)])
    );
    assert_eq!(
        find(alice.clone(), MetadataFilter::exists("category")).await,
        sorted(vec![id(0), id(1)])
    );
    let invoice_or_gold = MetadataFilter::or([
        MetadataFilter::eq("category", "invoice"),
        MetadataFilter::exists("customer"),
    ]);
    assert_eq!(
        find(alice.clone(), invoice_or_gold).await,
        sorted(vec![id(0), id(2)])
    );
    let billing_not_refund = MetadataFilter::and([
        billing,
        MetadataFilter::negate(MetadataFilter::eq("category", "refund")),
    ]);
    assert_eq!(
        find(alice.clone(), billing_not_refund.clone()).await,
        [id(0)]
    );
    assert_eq!(
        find(TieredQuery::of_user("bob"), billing_not_refund).await,
        [id(4)]
    );
    // Nothing matches: an empty page.
    assert_eq!(
        find(alice, MetadataFilter::eq("topic", "nothing")).await,
        []
    );
    drop(db);
}

#[tokio::test]
async fn a_bad_filter_is_refused_before_anything_runs() {
    let db = TestDb::new().await;
    let repo = tiered(&db);
    let bad = [
        MetadataFilter::eq("a'; DROP TABLE memories; --", 1),
        MetadataFilter::contains(json!(["not an object"])),
        MetadataFilter::one_of::<i64>("topic", []),
        MetadataFilter::gt("flag", true),
    ];
    for filter in bad {
        let query = TieredQuery::of_user("alice").with_filter(filter.clone());
        let result = repo.search(query).await;
        assert_eq!(invalid_field(result), "filter", "{}", filter.to_json());
    }
    // Still a search needs a user or a tier: a filter alone is not one.
    let alone = TieredQuery::default().with_filter(MetadataFilter::eq("topic", "a"));
    assert!(matches!(
        repo.search(alone).await,
        Err(RepoError::Validation { .. })
    ));
    drop(db);
}

#[tokio::test]
async fn every_memory_hot_key_has_its_sqlite_index() {
    let db = TestDb::new().await;
    if db.backend() != DbBackend::Sqlite {
        return;
    }
    let rows = db
        .conn()
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'memories' \
             AND name LIKE 'idx_memories_metadata_%'",
        ))
        .await
        .unwrap();
    let mut indexed: Vec<(String, String)> = rows
        .iter()
        .map(|row| {
            (
                row.try_get("", "name").unwrap(),
                row.try_get("", "sql").unwrap(),
            )
        })
        .collect();
    indexed.sort();
    let mut expected: Vec<String> = MEMORY_HOT_KEYS
        .iter()
        .map(|key| format!("idx_memories_metadata_{key}"))
        .collect();
    expected.sort();
    let names: Vec<&String> = indexed.iter().map(|(name, _)| name).collect();
    assert_eq!(names, expected.iter().collect::<Vec<_>>());
    for (name, sql) in &indexed {
        let key = name.trim_start_matches("idx_memories_metadata_");
        assert!(sql.contains(&format!("'$.{key}'")), "{name}: {sql}");
    }
    drop(db);
}

/// Generated cases of the property, per backend.
const CASES: u32 = 400;
/// Generated memories the property searches.
const MEMORIES: usize = 150;

/// The memories every case searches: the same on every run, spread over users, threads and
/// tiers.
async fn memories(repo: &dyn TieredMemoryRepository) -> Vec<TieredMemory> {
    let mut runner = TestRunner::deterministic();
    let docs = proptest::collection::vec(document(), MEMORIES)
        .new_tree(&mut runner)
        .unwrap()
        .current();
    let inputs = docs
        .into_iter()
        .enumerate()
        .map(|(i, mut doc)| {
            // A cluster names two non-empty strings.
            let blank = |key: &str| doc.get(key).and_then(Value::as_str) == Some("");
            if blank("topic") || blank("category") {
                doc.as_object_mut().unwrap().remove("category");
            }
            let thread = (i % 3 < 2).then_some(THREADS[i % 2]);
            memory(USERS[i % USERS.len()], thread, Tier::ALL[i % 3], doc)
        })
        .collect();
    repo.add_many(inputs).await.unwrap()
}

/// The conditions beside the filter: a user, a user's thread, a tier, a user's tier.
fn conditions() -> impl Strategy<Value = TieredQuery> {
    let user = proptest::sample::select(&USERS[..]);
    let thread = proptest::sample::select(&THREADS[..]);
    let tier = proptest::sample::select(Tier::ALL);
    prop_oneof![
        user.clone().prop_map(TieredQuery::of_user),
        (user.clone(), thread).prop_map(|(u, t)| TieredQuery::of_user(u).with_thread(t)),
        tier.clone().prop_map(TieredQuery::in_tier),
        (user, tier).prop_map(|(u, t)| TieredQuery::of_user(u).with_tier(t)),
    ]
}

fn selects(query: &TieredQuery, m: &TieredMemory) -> bool {
    query.user_id.as_ref().is_none_or(|u| *u == m.user_id)
        && query
            .thread_id
            .as_ref()
            .is_none_or(|t| m.thread_id.as_ref() == Some(t))
        && query.tier.is_none_or(|t| t == m.tier)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_finds_what_the_reference_matches() {
    let db = TestDb::new().await;
    let repo = tiered(&db);
    let stored = memories(&repo).await;
    // Cases whose filter matched some memory: the property must not hold by finding nothing.
    let (ran, matched) = (AtomicU32::new(0), AtomicU32::new(0));
    check(CASES, (conditions(), filter()), |(query, filter)| {
        let (repo, stored, ran, matched) = (&repo, &stored, &ran, &matched);
        async move {
            prop_assume!(filter.validate().is_ok());
            let expected: Vec<TieredMemoryId> = stored
                .iter()
                .filter(|m| selects(&query, m) && filter.matches(&m.metadata))
                .map(|m| m.id)
                .collect();
            ran.fetch_add(1, Ordering::Relaxed);
            if !expected.is_empty() {
                matched.fetch_add(1, Ordering::Relaxed);
            }
            let found = search_all(repo, query.clone().with_filter(filter.clone())).await;
            prop_assert_eq!(sorted(found), sorted(expected), "{}", filter.to_json());
            Ok(())
        }
    });
    let (ran, matched) = (ran.into_inner(), matched.into_inner());
    assert!(
        matched * 10 >= ran,
        "{matched} of {ran} cases matched a memory"
    );
    drop(db);
}
