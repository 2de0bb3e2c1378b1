//! JSON inputs: no NUL anywhere, bounded nesting, one form of zero, and rejected values taken
//! apart without recursion.

use crate::error::{RepoError, RepoResult};

/// The deepest nesting of arrays and objects a JSON value may have: `serde_json`, which reads
/// every stored value back, refuses to parse anything deeper.
pub const MAX_JSON_NESTING: usize = 127;

/// Any JSON value with no NUL character in any string or object key, and arrays and objects
/// nested at most [`MAX_JSON_NESTING`] deep.
///
/// PostgreSQL's `jsonb` refuses `\u0000` while SQLite stores it; rejecting it here gives both
/// backends the same behaviour. A value nested deeper would be stored but could never be read
/// back. The walk uses an explicit stack and a rejected value is taken apart the same way, so a
/// value built in code, deeper than any parser allows, cannot overflow the call stack.
///
/// # Errors
/// [`RepoError::Validation`] naming `field` for a NUL anywhere or nesting deeper than
/// [`MAX_JSON_NESTING`].
pub fn json_value(
    field: &'static str,
    mut value: serde_json::Value,
) -> RepoResult<serde_json::Value> {
    match json_problem(&value) {
        None => {
            canonical_zeros(&mut value);
            Ok(value)
        }
        Some(reason) => {
            drop_flat(value);
            Err(RepoError::invalid(field, reason))
        }
    }
}

/// Turns every `-0.0` in `value` into `0.0`, the one form of zero every backend gives back
/// (PostgreSQL's `jsonb` drops the sign, SQLite keeps it). Only called on values that passed
/// [`json_problem`], so the nesting is bounded.
fn canonical_zeros(value: &mut serde_json::Value) {
    use serde_json::Value;

    let mut pending: Vec<&mut Value> = vec![value];
    while let Some(next) = pending.pop() {
        match next {
            Value::Number(n) if n.as_f64().is_some_and(|f| f == 0.0 && f.is_sign_negative()) => {
                if let Some(zero) = serde_json::Number::from_f64(0.0) {
                    *n = zero;
                }
            }
            Value::Array(items) => pending.extend(items.iter_mut()),
            Value::Object(map) => pending.extend(map.values_mut()),
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
        }
    }
}

/// Why `value` may not be stored, if it may not.
fn json_problem(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;

    // Each entry is a value and how many arrays and objects enclose it.
    let mut pending: Vec<(&Value, usize)> = vec![(value, 0)];
    while let Some((next, enclosing)) = pending.pop() {
        match next {
            Value::String(s) if s.contains('\0') => {
                return Some("must not contain NUL characters in any string".to_owned());
            }
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
            Value::Array(_) | Value::Object(_) if enclosing >= MAX_JSON_NESTING => {
                return Some(format!(
                    "nests arrays and objects more than {MAX_JSON_NESTING} deep"
                ));
            }
            Value::Array(items) => pending.extend(items.iter().map(|v| (v, enclosing + 1))),
            Value::Object(map) => {
                if map.keys().any(|key| key.contains('\0')) {
                    return Some("must not contain NUL characters in any key".to_owned());
                }
                pending.extend(map.values().map(|v| (v, enclosing + 1)));
            }
        }
    }
    None
}

/// Drops `value` without recursion: `serde_json::Value`'s own drop recurses once per level.
fn drop_flat(value: serde_json::Value) {
    use serde_json::Value;

    let mut pending = vec![value];
    while let Some(mut next) = pending.pop() {
        match &mut next {
            Value::Array(items) => pending.append(items),
            Value::Object(map) => pending.extend(std::mem::take(map).into_iter().map(|(_, v)| v)),
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
        }
    }
}

/// A JSON object (metadata, traits, properties) checked like every JSON value memdb stores
/// (`json_value`): arrays and scalars are rejected so callers can rely on key lookups.
///
/// # Errors
/// [`RepoError::Validation`] of `field` for a value that is not an object, holds NUL in a
/// string or key, or nests arrays and objects more than 127 deep.
pub fn json_object(field: &'static str, value: serde_json::Value) -> RepoResult<serde_json::Value> {
    if value.is_object() {
        json_value(field, value)
    } else {
        Err(RepoError::invalid(field, "must be a JSON object"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_rejects_nul_in_strings_and_keys_at_any_depth() {
        use serde_json::json;

        let ok = json!({"a": [1, "two", {"b": null, "c": true}], "d": 1.5});
        assert_eq!(json_value("m", ok.clone()).unwrap(), ok);
        for bad in [
            json!("\0"),
            json!({"k\0": 1}),
            json!({"a": {"b": ["x", "y\0"]}}),
            json!([[[{"deep": [{"k\u{0}ey": 1}]}]]]),
        ] {
            assert!(matches!(
                json_value("m", bad.clone()),
                Err(RepoError::Validation { field: "m", .. })
            ));
            if bad.is_object() {
                assert!(json_object("m", bad).is_err());
            }
        }
        assert!(json_object("m", json!({"k": "\0"})).is_err());
        assert!(json_object("m", json!([])).is_err());
    }

    #[test]
    fn json_walk_survives_nesting_deeper_than_any_parser_allows() {
        use serde_json::{Value, json};

        let nested = |depth: usize, bottom: Value| {
            let mut value = bottom;
            for level in 0..depth {
                value = if level % 2 == 0 {
                    Value::Array(vec![value])
                } else {
                    Value::Object(std::iter::once(("k".to_owned(), value)).collect())
                };
            }
            value
        };
        // Far deeper than a recursive walk or drop survives on a test thread's 2 MiB stack.
        for bottom in [Value::Null, Value::String("\0".to_owned())] {
            assert!(matches!(
                json_value("m", nested(1_000_000, bottom)),
                Err(RepoError::Validation { field: "m", .. })
            ));
        }
        assert!(json_value("m", nested(MAX_JSON_NESTING, Value::Null)).is_ok());
        assert!(json_value("m", nested(MAX_JSON_NESTING + 1, Value::Null)).is_err());
        assert!(json_value("m", nested(MAX_JSON_NESTING + 1, json!(1))).is_err());
        // Exactly what serde_json accepts when it parses the value back.
        let text = nested(MAX_JSON_NESTING, Value::Null).to_string();
        assert!(serde_json::from_str::<Value>(&text).is_ok());
        let text = nested(MAX_JSON_NESTING + 1, Value::Null).to_string();
        assert!(serde_json::from_str::<Value>(&text).is_err());
    }
}
