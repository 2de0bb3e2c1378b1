//! Generators of metadata filters and the JSON documents they run on, shared by the property
//! tests of the filters (`filters_properties`) and of tiered memories' search
//! (`tiered_filters`).
//!
//! Documents and filters are built from a small vocabulary of keys and values (the hot keys
//! `topic` and `category` among them) so that filters match often and the cases probe the
//! edges: numbers against strings (`10`, `9`, `"10"`, `"9"`), integers against floats (`1`,
//! `1.0`), booleans against `1`/`0`, JSON null, empty and nested arrays and objects, missing
//! paths.

use memdb_enhanced_repository::filters::{CompareOp, KeyPath, MetadataFilter, Scalar};
use proptest::prelude::*;
use serde_json::{Map, Number, Value};

/// The keys of generated documents and paths.
const KEYS: &[&str] = &["a", "b", "c", "topic", "category"];

/// A key of [`KEYS`].
fn key() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(KEYS)
}

/// A number of the vocabulary: small integers, `9`, `10` and a few floats.
fn number() -> impl Strategy<Value = Number> {
    prop_oneof![
        4 => (-2i64..4).prop_map(Number::from),
        1 => Just(Number::from(9)),
        1 => Just(Number::from(10)),
        1 => proptest::sample::select(&[1.0, 2.5, -0.5, 0.0, 9.5][..])
            .prop_map(|f| Number::from_f64(f).unwrap()),
    ]
}

/// A string of the vocabulary.
fn string() -> impl Strategy<Value = String> {
    proptest::sample::select(&["", "a", "b", "B", "10", "9", "é", "a b", "billing"][..])
        .prop_map(str::to_owned)
}

/// A JSON null, boolean, number or string.
fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        3 => number().prop_map(Value::Number),
        3 => string().prop_map(Value::String),
    ]
}

/// A JSON object of up to `size` keys, each value drawn from `inner`.
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

/// A stored document: a JSON object of up to 4 keys, nested up to 3 deep.
pub(crate) fn document() -> impl Strategy<Value = Value> {
    object(value(3, 4), 5)
}

/// A containment pattern: a JSON object of up to 2 keys, nested up to 2 deep.
pub(crate) fn pattern() -> impl Strategy<Value = Value> {
    object(value(2, 3), 3)
}

/// A key path of 1 or 2 keys.
fn path() -> impl Strategy<Value = KeyPath> {
    proptest::collection::vec(key(), 1..3).prop_map(KeyPath::new)
}

/// A comparison operand.
fn scalar() -> impl Strategy<Value = Scalar> {
    prop_oneof![
        string().prop_map(Scalar::String),
        number().prop_map(Scalar::Number),
        any::<bool>().prop_map(Scalar::Bool),
    ]
}

/// A comparison operator.
fn op() -> impl Strategy<Value = CompareOp> {
    use CompareOp::{Eq, Gt, Gte, Lt, Lte, Ne};
    proptest::sample::select(&[Eq, Ne, Gt, Gte, Lt, Lte][..])
}

/// A containment, comparison, `in` or `exists` filter.
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

/// A filter: leaf filters combined with `and`, `or` and `not`, up to 3 deep.
pub(crate) fn filter() -> impl Strategy<Value = MetadataFilter> {
    leaf_filter().prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(MetadataFilter::And),
            proptest::collection::vec(inner.clone(), 0..4).prop_map(MetadataFilter::Or),
            inner.prop_map(MetadataFilter::negate),
        ]
    })
}
