//! The JSON form of a [`MetadataFilter`] (see the [module docs](super)), read with typed errors
//! by [`MetadataFilter::parse`] and [`MetadataFilter::from_json`], and through serde.

use memdb_repository::{RepoError, RepoResult};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::validate::{FIELD, drop_flat, nests_within};
use super::{CompareOp, KeyPath, MetadataFilter, Scalar};
use crate::limits::FILTER_DEPTH;

fn invalid(reason: impl Into<String>) -> RepoError {
    RepoError::invalid(FIELD, reason)
}

impl MetadataFilter {
    /// Reads a filter from its JSON form in text (a command line argument, a request body)
    /// and [validates](Self::validate) it.
    ///
    /// # Errors
    /// [`RepoError::Validation`] of `filter` when the text is no JSON, is not the JSON form of
    /// a filter or breaks a rule of [`validate`](Self::validate).
    pub fn parse(text: &str) -> RepoResult<Self> {
        // serde_json refuses to parse values nested deeper than 128 levels.
        let value: Value = serde_json::from_str(text)
            .map_err(|err| invalid(format!("is not valid JSON: {err}")))?;
        Self::from_json(value)
    }

    /// Reads a filter from its JSON form and [validates](Self::validate) it. A value nested
    /// deeper than any filter may be is refused, and dropped, without recursion.
    ///
    /// # Errors
    /// [`RepoError::Validation`] of `filter` when `value` is not the JSON form of a filter or
    /// breaks a rule of [`validate`](Self::validate).
    pub fn from_json(value: Value) -> RepoResult<Self> {
        let filter = read(&value, 1);
        drop_flat(value);
        let filter = filter?;
        filter.validate()?;
        Ok(filter)
    }
}

/// The filter `value` spells, `depth` levels down (bounded, so the recursion is).
fn read(value: &Value, depth: usize) -> RepoResult<MetadataFilter> {
    if depth > FILTER_DEPTH {
        return Err(invalid(format!("nests more than {FILTER_DEPTH} deep")));
    }
    let Value::Object(map) = value else {
        return Err(invalid("each filter is a JSON object"));
    };
    let keys: Vec<&str> = map.keys().map(String::as_str).collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    match (sorted.as_slice(), map) {
        (["contains"], m) => {
            let pattern = &m["contains"];
            if !nests_within(pattern, FILTER_DEPTH) {
                return Err(invalid(format!("nests more than {FILTER_DEPTH} deep")));
            }
            Ok(MetadataFilter::Contains(pattern.clone()))
        }
        (["and"], m) => Ok(MetadataFilter::And(read_list(&m["and"], depth)?)),
        (["or"], m) => Ok(MetadataFilter::Or(read_list(&m["or"], depth)?)),
        (["not"], m) => Ok(MetadataFilter::negate(read(&m["not"], depth + 1)?)),
        (["exists"], m) => Ok(MetadataFilter::Exists {
            path: read_path(&m["exists"])?,
        }),
        (["op", "path", "value"], m) => {
            let op = m["op"]
                .as_str()
                .and_then(CompareOp::from_name)
                .ok_or_else(|| invalid("op is one of eq, ne, gt, gte, lt, lte"))?;
            Ok(MetadataFilter::Compare {
                path: read_path(&m["path"])?,
                op,
                value: read_scalar(&m["value"])?,
            })
        }
        (["in", "path"], m) => {
            let Value::Array(items) = &m["in"] else {
                return Err(invalid("in takes a JSON array of values"));
            };
            Ok(MetadataFilter::In {
                path: read_path(&m["path"])?,
                values: items.iter().map(read_scalar).collect::<RepoResult<_>>()?,
            })
        }
        _ => Err(invalid(format!(
            "unknown filter with keys {keys:?}: expected contains, path with op and value, \
             path with in, exists, and, or or not"
        ))),
    }
}

fn read_list(value: &Value, depth: usize) -> RepoResult<Vec<MetadataFilter>> {
    let Value::Array(items) = value else {
        return Err(invalid("and and or take a JSON array of filters"));
    };
    items.iter().map(|item| read(item, depth + 1)).collect()
}

fn read_path(value: &Value) -> RepoResult<KeyPath> {
    value
        .as_str()
        .map(KeyPath::parse)
        .ok_or_else(|| invalid("a key path is a string of keys joined by dots"))
}

fn read_scalar(value: &Value) -> RepoResult<Scalar> {
    match value {
        Value::String(s) => Ok(Scalar::String(s.clone())),
        Value::Number(n) => Ok(Scalar::Number(n.clone())),
        Value::Bool(b) => Ok(Scalar::Bool(*b)),
        Value::Null => Err(invalid(
            "comparisons between incompatible types: null is not compared (use exists or \
             contains)",
        )),
        Value::Array(_) | Value::Object(_) => Err(invalid(
            "comparisons between incompatible types: operands are strings, numbers or \
             booleans (use contains for arrays and objects)",
        )),
    }
}

impl MetadataFilter {
    /// The JSON form of the filter.
    #[must_use]
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        let path = |path: &KeyPath| Value::String(path.to_string());
        match self {
            Self::Contains(pattern) => {
                map.insert("contains".into(), pattern.clone());
            }
            Self::Compare { path: p, op, value } => {
                map.insert("path".into(), path(p));
                map.insert("op".into(), op.name().into());
                map.insert("value".into(), value.to_json());
            }
            Self::In { path: p, values } => {
                map.insert("path".into(), path(p));
                map.insert("in".into(), values.iter().map(Scalar::to_json).collect());
            }
            Self::Exists { path: p } => {
                map.insert("exists".into(), path(p));
            }
            Self::And(filters) => {
                map.insert("and".into(), filters.iter().map(Self::to_json).collect());
            }
            Self::Or(filters) => {
                map.insert("or".into(), filters.iter().map(Self::to_json).collect());
            }
            Self::Not(inner) => {
                map.insert("not".into(), inner.to_json());
            }
        }
        Value::Object(map)
    }
}

impl Serialize for MetadataFilter {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Value::Object(form) = self.to_json() else {
            unreachable!("the JSON form of a filter is an object")
        };
        let mut map = serializer.serialize_map(Some(form.len()))?;
        for (key, value) in &form {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for MetadataFilter {
    /// Reads the JSON form and [validates](MetadataFilter::validate) it: a deserialized
    /// filter keeps every rule.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Self::from_json(value).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_json_form_round_trips() {
        let forms = [
            json!({"contains": {"customer": {"tier": "gold"}, "tags": ["urgent"]}}),
            json!({"path": "customer.age", "op": "gte", "value": 18}),
            json!({"path": "topic", "in": ["billing", "refunds"]}),
            json!({"exists": "customer.email"}),
            json!({"and": [{"exists": "a"}, {"or": []}]}),
            json!({"not": {"path": "b", "op": "ne", "value": false}}),
        ];
        for form in forms {
            let filter = MetadataFilter::from_json(form.clone()).unwrap();
            assert_eq!(filter.to_json(), form);
            assert_eq!(serde_json::to_value(&filter).unwrap(), form);
            let read: MetadataFilter = serde_json::from_value(form.clone()).unwrap();
            assert_eq!(read, filter);
            assert_eq!(MetadataFilter::parse(&form.to_string()).unwrap(), filter);
        }
        assert_eq!(
            MetadataFilter::parse(r#"{"path": "n", "op": "gt", "value": 10}"#).unwrap(),
            MetadataFilter::gt("n", 10)
        );
    }

    #[test]
    fn malformed_forms_are_validation_errors() {
        for bad in [
            "",
            "[]",
            "1",
            "{}",
            r#"{"contains": [1]}"#,
            r#"{"path": "a", "op": "like", "value": 1}"#,
            r#"{"path": "a", "op": "eq", "value": null}"#,
            r#"{"path": "a", "op": "eq", "value": [1]}"#,
            r#"{"path": "a", "op": "eq", "value": {}}"#,
            r#"{"path": "a", "op": "gt", "value": true}"#,
            r#"{"path": "a", "in": []}"#,
            r#"{"path": "a", "in": [1, "1"]}"#,
            r#"{"path": "a", "in": 1}"#,
            r#"{"exists": 1}"#,
            r#"{"exists": "a'; drop"}"#,
            r#"{"and": {}}"#,
            r#"{"not": []}"#,
            r#"{"exists": "a", "and": []}"#,
        ] {
            assert!(
                matches!(
                    MetadataFilter::parse(bad),
                    Err(RepoError::Validation {
                        field: "filter",
                        ..
                    })
                ),
                "{bad}"
            );
            assert!(
                serde_json::from_str::<MetadataFilter>(bad).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn deep_forms_are_refused_without_recursion() {
        let mut deep = json!({"exists": "a"});
        for _ in 0..1_000_000 {
            let mut map = Map::new();
            map.insert("not".into(), deep);
            deep = Value::Object(map);
        }
        assert!(MetadataFilter::from_json(deep).is_err());
        let mut pattern = json!(1);
        for _ in 0..1_000_000 {
            pattern = Value::Array(vec![pattern]);
        }
        let mut contains = Map::new();
        contains.insert("a".into(), pattern);
        let mut form = Map::new();
        form.insert("contains".into(), Value::Object(contains));
        assert!(MetadataFilter::from_json(Value::Object(form)).is_err());
    }
}
