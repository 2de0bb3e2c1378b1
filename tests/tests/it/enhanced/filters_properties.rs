//! The property test of metadata filters: generated filters run as SQL over a generated set
//! of documents find exactly the rows the in-Rust reference matches, on each backend. On
//! PostgreSQL this also checks the reference's containment against the real `@>`.
//!
//! Documents and filters are built from a small vocabulary of keys and values (the hot key
//! `topic` among them) so that filters match often and the cases probe the edges: numbers
//! against strings (`10`, `9`, `"10"`, `"9"`), integers against floats (`1`, `1.0`), booleans
//! against `1`/`0`, JSON null, empty and nested arrays and objects, missing paths.

use memdb_enhanced_repository::filters::{CompareOp, KeyPath, MetadataFilter, Scalar};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{Map, Number, Value, json};

use super::filters::FilterDocs;
use crate::reliability::properties::check;

/// Generated filters per property and backend.
const CASES: u32 = 2000;
/// Generated containment patterns per backend.
const CONTAINMENT_CASES: u32 = 1000;
/// Documents in the table every case of a property runs on.
const DOCS: usize = 160;

const KEYS: &[&str] = &["a", "b", "c", "topic"];

fn key() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(KEYS)
}

fn number() -> impl Strategy<Value = Number> {
    prop_oneof![
        4 => (-2i64..4).prop_map(Number::from),
        1 => Just(Number::from(9)),
        1 => Just(Number::from(10)),
        1 => proptest::sample::select(&[1.0, 2.5, -0.5, 0.0, 9.5][..])
            .prop_map(|f| Number::from_f64(f).unwrap()),
    ]
}

fn string() -> impl Strategy<Value = String> {
    proptest::sample::select(&["", "a", "b", "B", "10", "9", "é", "a b", "billing"][..])
        .prop_map(str::to_owned)
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        3 => number().prop_map(Value::Number),
        3 => string().prop_map(Value::String),
    ]
}

fn object(inner: impl Strategy<Value = Value>, size: usize) -> impl Strategy<Value = Value> {
    proptest::collection::btree_map(key(), inner, 0..size).prop_map(|m| {
        Value::Object(
            m.into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect::<Map<_, _>>(),
        )
    })
}

/// A JSON value nested up to `depth` containers deep.
fn value(depth: u32, size: usize) -> impl Strategy<Value = Value> {
    leaf().prop_recursive(depth, 16, 4, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..size).prop_map(Value::Array),
            object(inner, size),
        ]
    })
}

fn document() -> impl Strategy<Value = Value> {
    object(value(3, 4), 5)
}

fn pattern() -> impl Strategy<Value = Value> {
    object(value(2, 3), 3)
}

fn path() -> impl Strategy<Value = KeyPath> {
    proptest::collection::vec(key(), 1..3).prop_map(KeyPath::new)
}

fn scalar() -> impl Strategy<Value = Scalar> {
    prop_oneof![
        string().prop_map(Scalar::String),
        number().prop_map(Scalar::Number),
        any::<bool>().prop_map(Scalar::Bool),
    ]
}

fn op() -> impl Strategy<Value = CompareOp> {
    use CompareOp::{Eq, Gt, Gte, Lt, Lte, Ne};
    proptest::sample::select(&[Eq, Ne, Gt, Gte, Lt, Lte][..])
}

fn leaf_filter() -> impl Strategy<Value = MetadataFilter> {
    let compare = (path(), op(), scalar()).prop_map(|(path, op, value)| {
        // Booleans are only compared for equality.
        let op = match value {
            Scalar::Bool(_) if op.orders() => CompareOp::Ne,
            _ => op,
        };
        MetadataFilter::Compare { path, op, value }
    });
    let values = prop_oneof![
        proptest::collection::vec(string().prop_map(Scalar::String), 1..4),
        proptest::collection::vec(number().prop_map(Scalar::Number), 1..4),
        proptest::collection::vec(any::<bool>().prop_map(Scalar::Bool), 1..3),
    ];
    prop_oneof![
        2 => pattern().prop_map(MetadataFilter::Contains),
        4 => compare,
        1 => (path(), values).prop_map(|(path, values)| MetadataFilter::In { path, values }),
        1 => path().prop_map(|path| MetadataFilter::Exists { path }),
    ]
}

fn filter() -> impl Strategy<Value = MetadataFilter> {
    leaf_filter().prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(MetadataFilter::And),
            proptest::collection::vec(inner.clone(), 0..4).prop_map(MetadataFilter::Or),
            inner.prop_map(MetadataFilter::negate),
        ]
    })
}

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
