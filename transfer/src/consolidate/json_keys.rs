//! Finding JSON objects with a repeated key, at any depth: jsonb and `serde_json::Value` both
//! keep only the last value of a repeated key, so such text cannot be copied into `jsonb`
//! without losing data, and neither side's checksum would notice.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// Whether `text` (valid JSON) holds an object with the same key twice; keys are compared
/// after unescaping, so `"a"` and `"\u0061"` are the same key.
#[must_use]
pub(crate) fn has_duplicate_key(text: &str) -> bool {
    serde_json::from_str::<KeysUnique>(text).is_err()
}

/// A JSON value whose objects, at every depth, have distinct keys.
struct KeysUnique;

impl<'de> Deserialize<'de> for KeysUnique {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(KeysUniqueVisitor)
    }
}

/// Visits a JSON value, failing at the first repeated key.
struct KeysUniqueVisitor;

impl<'de> Visitor<'de> for KeysUniqueVisitor {
    type Value = KeysUnique;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<KeysUnique, E> {
        Ok(KeysUnique)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<KeysUnique, E> {
        Ok(KeysUnique)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<KeysUnique, E> {
        Ok(KeysUnique)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<KeysUnique, E> {
        Ok(KeysUnique)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<KeysUnique, E> {
        Ok(KeysUnique)
    }

    fn visit_unit<E: de::Error>(self) -> Result<KeysUnique, E> {
        Ok(KeysUnique)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<KeysUnique, A::Error> {
        while items.next_element::<KeysUnique>()?.is_some() {}
        Ok(KeysUnique)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<KeysUnique, A::Error> {
        let mut keys = HashSet::new();
        while let Some(key) = entries.next_key::<String>()? {
            if !keys.insert(key) {
                return Err(de::Error::custom("duplicate object key"));
            }
            entries.next_value::<KeysUnique>()?;
        }
        Ok(KeysUnique)
    }
}

#[cfg(test)]
mod tests {
    use super::has_duplicate_key;

    #[test]
    fn repeated_keys_are_found_at_any_depth_and_after_unescaping() {
        assert!(has_duplicate_key(r#"{"tags":["a"],"tags":["b"]}"#));
        assert!(has_duplicate_key(r#"[1, {"x": {"a": 1, "b": 2, "a": 3}}]"#));
        assert!(has_duplicate_key(r#"{"a": 1, "\u0061": 2}"#));
        assert!(!has_duplicate_key(
            r#"{"a": {"a": 1}, "b": [{"a": 2}, {"a": 3}]}"#
        ));
        assert!(!has_duplicate_key(
            r#"[1.5e300, -2, 18446744073709551615, null, true, "s"]"#
        ));
    }
}
