//! Memory namespace prefix listings against an in-Rust reference. Each case stores entries
//! under namespaces drawn from a few characters that matter to prefix matching — the
//! separator `:`, `;` (the character after it, the listing's upper bound), LIKE's `%`, `_`
//! and `\`, `-` and digits (which sort before `:`) and letters — soft-deletes some, and lists
//! prefixes taken from those namespaces (whole, cut at a segment boundary, cut anywhere) and
//! made up. A listing, followed page by page, must be exactly the live entries whose
//! namespace is the prefix or starts with the prefix and `:`, in namespace-then-key byte
//! order; a namespace or prefix with an empty segment must be refused with a `Validation`
//! error of its field. The cases share one database and each starts from an empty
//! `memory_entries` table.

use std::collections::BTreeMap;

use memdb_enhanced_repository::RepoError;
use memdb_enhanced_repository::audited::AuditTrail;
use memdb_enhanced_repository::memory::{
    MemoryCursor, MemoryRepository, MemoryType, PutMemory, SeaOrmMemoryRepository,
};
use memdb_tests::TestDb;
use proptest::prelude::*;
use proptest::sample::Index;
use sea_orm::ConnectionTrait as _;
use serde_json::json;

use super::check;

/// Cases of the property (each stores up to [`ENTRIES`] entries and lists up to six
/// prefixes).
const CASES: u32 = 256;
/// The most entries one case stores.
const ENTRIES: usize = 8;

const ALPHABET: [char; 11] = ['a', 'b', 'Z', '0', '-', '_', '%', '\\', ';', ':', ':'];

/// A string of 1 to 7 characters of [`ALPHABET`] (`:` twice as likely as the others).
fn name() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(&ALPHABET[..]), 1..8)
        .prop_map(|chars| chars.into_iter().collect())
}

/// One stored entry: namespace, key, and whether it is soft-deleted afterwards.
fn entry() -> impl Strategy<Value = (String, &'static str, bool)> {
    (
        name(),
        proptest::sample::select(&["k", "j"][..]),
        proptest::bool::weighted(0.2),
    )
}

/// How a listed prefix is made.
#[derive(Clone, Debug)]
enum Prefix {
    /// A stored namespace, whole.
    Whole(Index),
    /// A stored namespace's first segments (at least one).
    Segments(Index, Index),
    /// A stored namespace's first characters (at least one).
    Cut(Index, Index),
    /// Any string of the alphabet.
    Other(String),
}

fn prefix() -> impl Strategy<Value = Prefix> {
    prop_oneof![
        any::<Index>().prop_map(Prefix::Whole),
        (any::<Index>(), any::<Index>()).prop_map(|(n, k)| Prefix::Segments(n, k)),
        (any::<Index>(), any::<Index>()).prop_map(|(n, k)| Prefix::Cut(n, k)),
        name().prop_map(Prefix::Other),
    ]
}

impl Prefix {
    /// The prefix text, taken from `namespaces` (never empty).
    fn text(&self, namespaces: &[String]) -> String {
        match self {
            Self::Whole(n) => n.get(namespaces).clone(),
            Self::Segments(n, k) => {
                let ns = n.get(namespaces);
                let segments: Vec<&str> = ns.split(':').collect();
                segments[..=k.index(segments.len())].join(":")
            }
            Self::Cut(n, k) => {
                let ns = n.get(namespaces);
                ns[..=k.index(ns.len())].to_owned()
            }
            Self::Other(text) => text.clone(),
        }
    }
}

/// The rule of the alphabet's strings: not empty, and no empty segment.
fn valid(namespace: &str) -> bool {
    namespace.split(':').all(|segment| !segment.is_empty())
}

/// Whether `namespace` is listed under `prefix`: itself or below it, on whole segments.
fn under(namespace: &str, prefix: &str) -> bool {
    namespace == prefix || namespace.starts_with(&format!("{prefix}:"))
}

/// The whole listing of `prefix`, `page` entries a request, as `(namespace, key)`.
async fn listing(
    repo: &dyn MemoryRepository,
    prefix: &str,
    page: u64,
) -> Result<Vec<(String, String)>, RepoError> {
    let mut listed = Vec::new();
    let mut after: Option<MemoryCursor> = None;
    loop {
        let found = repo.list(prefix, after.take(), page).await?;
        listed.extend(
            found
                .entries
                .into_iter()
                .map(|entry| (entry.namespace, entry.key)),
        );
        match found.next {
            Some(next) => after = Some(next),
            None => return Ok(listed),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prefix_listings_equal_a_segment_safe_reference() {
    let db = TestDb::new().await;
    let repo = SeaOrmMemoryRepository::new(db.pool(), AuditTrail::new("prop").unwrap());
    let strategy = (
        proptest::collection::vec(entry(), 1..=ENTRIES),
        proptest::collection::vec(prefix(), 1..7),
        1..5u64,
    );
    check(CASES, strategy, |(entries, prefixes, page)| {
        let (db, repo) = (&db, &repo);
        async move {
            db.conn()
                .execute_unprepared("DELETE FROM memory_entries")
                .await
                .unwrap();
            // (namespace, key) -> live, after the case's writes.
            let mut reference = BTreeMap::new();
            for (namespace, key, deleted) in &entries {
                let put = PutMemory::new(namespace, *key, MemoryType::Semantic, json!(namespace));
                match repo.put(put).await {
                    Ok(_) => {
                        prop_assert!(valid(namespace), "stored {namespace:?}");
                        if *deleted {
                            repo.delete(namespace, key).await.unwrap();
                        }
                        reference.insert((namespace.clone(), (*key).to_owned()), !deleted);
                    }
                    Err(RepoError::Validation {
                        field: "namespace", ..
                    }) => prop_assert!(!valid(namespace), "refused {namespace:?}"),
                    Err(other) => prop_assert!(false, "put {namespace:?}: {other:?}"),
                }
            }
            let namespaces: Vec<String> = entries.iter().map(|(ns, ..)| ns.clone()).collect();
            for prefix in prefixes.iter().map(|p| p.text(&namespaces)) {
                match listing(repo, &prefix, page).await {
                    Ok(listed) => {
                        prop_assert!(valid(&prefix), "listed {prefix:?}");
                        let expected: Vec<(String, String)> = reference
                            .iter()
                            .filter(|((ns, _), live)| **live && under(ns, &prefix))
                            .map(|(name, _)| name.clone())
                            .collect();
                        prop_assert_eq!(listed, expected, "prefix {:?}", prefix);
                    }
                    Err(RepoError::Validation {
                        field: "prefix", ..
                    }) => {
                        prop_assert!(!valid(&prefix), "refused prefix {prefix:?}");
                    }
                    Err(other) => prop_assert!(false, "list {prefix:?}: {other:?}"),
                }
            }
            Ok(())
        }
    });
}
