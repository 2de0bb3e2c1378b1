//! JSON metadata (nested, big and negative-zero numbers, unicode and escapes, NUL) comes back
//! as it went in, numerically equal, or is refused as a `Validation` of `metadata`; scores and
//! task numbers at and beyond their bounds are stored exactly or refused as a `Validation` of
//! their field.

use memdb_repository::knowledge::NewKnowledge;
use memdb_repository::taskmaster::NewTask;
use memdb_repository::{RepoError, Repositories};
use memdb_tests::TestDb;
use proptest::prelude::*;
use serde_json::{Map, Number, Value, json};

use super::{CASES, check, hostile_string};

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        Just(Value::from(u64::MAX)),
        Just(Value::from(i64::MIN)),
        // Non-finite floats have no JSON form: serde_json makes them null.
        any::<f64>().prop_map(Value::from),
        Just(Value::from(-0.0)),
        Just(Value::from(f64::MAX)),
        Just(Value::from(f64::MIN_POSITIVE)),
        Just(Value::from(5e-324)),
        Just(Value::from(1e21)),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        hostile_string(40).prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 5, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::btree_map(hostile_string(12), inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Metadata objects: mostly arbitrary, sometimes nested around the depth limit.
fn metadata() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => proptest::collection::btree_map(hostile_string(12), json_value(), 0..6)
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        1 => (120usize..135).prop_map(|depth| {
            let mut value = json!(1);
            for _ in 1..depth {
                value = json!([value]);
            }
            json!({ "deep": value })
        }),
    ]
}

/// Equal as JSON: numbers by value (an integer-valued float may come back as an integer and
/// `-0.0` as `0.0`), everything else structurally.
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => same_number(x, y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

fn same_number(x: &Number, y: &Number) -> bool {
    match (x.as_i128(), y.as_i128()) {
        (Some(x), Some(y)) => x == y,
        _ => x.as_f64() == y.as_f64(),
    }
}

fn has_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(has_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

fn item(metadata: Value, confidence: f64, retention: f64) -> NewKnowledge {
    NewKnowledge {
        content: "fact".to_owned(),
        source: "prop".to_owned(),
        knowledge_type: "prop".to_owned(),
        confidence_score: confidence,
        retention_score: retention,
        metadata,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_json_metadata_comes_back_equal_or_is_refused_with_a_typed_error() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());
    check(CASES, metadata(), |metadata| {
        let repos = &repos;
        async move {
            match repos.knowledge.add(item(metadata.clone(), 0.5, 0.5)).await {
                Ok(added) => {
                    prop_assert!(!has_nul(&metadata), "NUL was accepted");
                    let stored = repos.knowledge.peek(added.id).await.unwrap().metadata;
                    prop_assert!(same_json(&stored, &metadata), "stored {stored}");
                    prop_assert!(same_json(&added.metadata, &metadata));
                }
                Err(RepoError::Validation {
                    field: "metadata", ..
                }) => {}
                Err(other) => prop_assert!(false, "untyped or wrong error: {other:?}"),
            }
            Ok(())
        }
    });
}

fn score() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => 0.0..=1.0f64,
        2 => any::<f64>(),
        1 => Just(-0.0),
        1 => Just(0.0),
        1 => Just(1.0),
        1 => Just(1.0 + f64::EPSILON),
        1 => Just(-f64::MIN_POSITIVE),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(5e-324),
    ]
}

fn in_range(score: f64) -> bool {
    score.is_finite() && (0.0..=1.0).contains(&score)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scores_at_and_beyond_their_bounds_are_stored_exactly_or_refused() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());
    check(CASES, (score(), score()), |(confidence, retention)| {
        let repos = &repos;
        async move {
            let outcome = repos
                .knowledge
                .add(item(json!({}), confidence, retention))
                .await;
            match outcome {
                Ok(added) => {
                    prop_assert!(in_range(confidence) && in_range(retention));
                    let stored = repos.knowledge.peek(added.id).await.unwrap();
                    // Bit for bit, with -0.0 stored as +0.0.
                    prop_assert_eq!(
                        stored.confidence_score.to_bits(),
                        (confidence + 0.0).to_bits()
                    );
                    prop_assert_eq!(
                        stored.retention_score.to_bits(),
                        (retention + 0.0).to_bits()
                    );
                }
                Err(RepoError::Validation { field, .. }) => {
                    let expected = if in_range(confidence) {
                        "retention_score"
                    } else {
                        "confidence_score"
                    };
                    prop_assert_eq!(field, expected);
                }
                Err(other) => prop_assert!(false, "untyped or wrong error: {other:?}"),
            }
            Ok(())
        }
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn task_numbers_at_and_beyond_their_bounds_are_stored_exactly_or_refused() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());
    let numbers = (
        prop_oneof![any::<u8>(), 9u8..12],
        prop_oneof![
            any::<u32>(),
            Just(0),
            Just(i32::MAX as u32),
            Just(i32::MAX as u32 + 1)
        ],
        prop_oneof![any::<u32>(), Just(0), Just(1), Just(i32::MAX as u32 + 1)],
    );
    check(CASES, numbers, |(priority, retries, timeout)| {
        let repos = &repos;
        async move {
            let task = NewTask {
                priority,
                max_retries: retries,
                max_execution_timeout_seconds: timeout,
                ..NewTask::new("bounded")
            };
            match repos.tasks.submit(task).await {
                Ok(task) => {
                    prop_assert!(priority <= 10);
                    let stored = repos.tasks.get(task.id).await.unwrap();
                    prop_assert_eq!((stored.priority, stored.max_retries), (priority, retries));
                    prop_assert_eq!(stored.max_execution_timeout_seconds, timeout);
                }
                Err(RepoError::Validation { field, .. }) => prop_assert!(
                    matches!(
                        field,
                        "priority" | "max_retries" | "max_execution_timeout_seconds"
                    ),
                    "{field}"
                ),
                Err(other) => prop_assert!(false, "untyped or wrong error: {other:?}"),
            }
            Ok(())
        }
    });
}
