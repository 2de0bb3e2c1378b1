//! The canonical form of a JSON context, and its hash: how the drift report compares contexts.
//!
//! Comparing the JSON columns in SQL would give different answers per backend: PostgreSQL's
//! `jsonb` equality ignores key order and spacing, SQLite compares the stored text. The
//! repository therefore writes, beside each context, the SHA-256 of its canonical text (object
//! keys sorted at every level, no spaces, numbers and strings as `serde_json` writes them), and
//! the report compares those hashes in SQL: typed JSON equality, decided once in Rust, served
//! by an index on every backend. `{"a": 1, "b": 2}` and `{"b": 2, "a": 1}` are one context;
//! `1` and `1.0` are two (`serde_json` keeps them apart).

use std::fmt::Write as _;

use serde_json::Value;
use sha2::{Digest, Sha256};

/// The SHA-256 (hex) of `context`'s canonical text.
#[must_use]
pub fn context_hash(context: &Value) -> String {
    let mut text = String::new();
    write_canonical(&mut text, context);
    let digest = Sha256::digest(text.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest {
        // Writing to a String cannot fail.
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// Appends `value` with every object's keys sorted. Depth is bounded by validation (127).
fn write_canonical(out: &mut String, value: &Value) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(out, item);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(out, item);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::context_hash;

    #[test]
    fn key_order_does_not_matter_values_do() {
        let a = json!({"os": "linux", "env": {"b": 1, "a": [1, {"y": 2, "x": 1}]}});
        let b = json!({"env": {"a": [1, {"x": 1, "y": 2}], "b": 1}, "os": "linux"});
        assert_eq!(context_hash(&a), context_hash(&b));
        assert_ne!(context_hash(&a), context_hash(&json!({"os": "linux"})));
        assert_ne!(
            context_hash(&json!({"n": 1})),
            context_hash(&json!({"n": 1.0}))
        );
        assert_eq!(context_hash(&a).len(), 64);
    }
}
