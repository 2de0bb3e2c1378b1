//! The property test of metadata filters: generated filters run as SQL over a generated set
//! of documents find exactly the rows the in-Rust reference matches, on each backend. On
//! PostgreSQL this also checks the reference's containment against the real `@>`. The
//! generators are shared ([`filter_generators`](super::filter_generators)).

use memdb_enhanced_repository::filters::MetadataFilter;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{Map, Value, json};

use super::filter_generators::{document, filter, pattern};
use super::filters::FilterDocs;
use crate::reliability::properties::check;

/// Generated filters per property and backend.
const CASES: u32 = 2000;
/// Generated containment patterns per backend.
const CONTAINMENT_CASES: u32 = 1000;
/// Documents in the table every case of a property runs on.
const DOCS: usize = 160;

/// The documents every case runs on: the same on every run, with a few fixed ones that the
/// vocabulary alone would rarely build.
async fn documents() -> FilterDocs {
    let mut runner = TestRunner::deterministic();
    let tree = proptest::collection::vec(document(), DOCS)
        .new_tree(&mut runner)
        .unwrap();
    let mut docs = tree.current();
    docs.extend([
        json!({}),
        json!({"a": 10, "b": "10", "c": true, "topic": "billing"}),
        json!({"a": 9, "b": "9", "c": 1, "topic": ["billing"]}),
        json!({"a": 1.0, "b": 0, "c": false, "topic": null}),
        json!({"a": {"a": {"b": [1, [2, "a"], {"c": null}]}}, "topic": {"a": "b"}}),
        json!({"a": [[], {}, [[]], [{}]], "b": [1, 1, "1", true, null]}),
    ]);
    FilterDocs::new(docs).await
}

async fn agrees(t: &FilterDocs, filter: MetadataFilter) -> Result<(), TestCaseError> {
    prop_assume!(filter.validate().is_ok());
    let found = t.query(&filter).await.unwrap();
    let expected = t.reference(&filter);
    prop_assert_eq!(found, expected, "{}", filter.to_json());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_filters_find_what_the_reference_matches() {
    let t = documents().await;
    check(CASES, filter(), |filter| agrees(&t, filter));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_containment_finds_what_the_reference_matches() {
    let t = documents().await;
    // Patterns drawn from the stored documents themselves match more often than random ones.
    let stored = t.documents().to_vec();
    let patterns = prop_oneof![
        pattern(),
        (proptest::sample::select(stored), any::<usize>()).prop_map(|(doc, pick)| trim(&doc, pick)),
    ];
    check(CONTAINMENT_CASES, patterns, |pattern| {
        agrees(&t, MetadataFilter::contains(pattern))
    });
}

/// A part of `doc` that `doc` contains: one of its keys kept, the others dropped, and of an
/// array the elements at some positions.
fn trim(doc: &Value, pick: usize) -> Value {
    match doc {
        Value::Object(map) if !map.is_empty() => {
            let (key, value) = map.iter().nth(pick % map.len()).unwrap();
            let mut kept = Map::new();
            kept.insert(key.clone(), trim(value, pick / 3));
            Value::Object(kept)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .filter(|(i, _)| (pick >> (i % 16)) & 1 == 1)
                .map(|(_, v)| v.clone())
                .collect(),
        ),
        other => other.clone(),
    }
}
