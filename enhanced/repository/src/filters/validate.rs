//! The rules a [`MetadataFilter`] must keep before it is compiled or evaluated, checked with an
//! explicit stack, and the flat drop that lets a filter of any depth go away without recursion.

use memdb_repository::{RepoError, RepoResult};
use serde_json::Value;

use super::{CompareOp, KeyPath, MetadataFilter, Scalar};
use crate::limits::{
    FILTER_DEPTH, FILTER_IN_VALUES, FILTER_KEY, FILTER_NODES, FILTER_PATH_SEGMENTS, FILTER_STRING,
};

/// The field every filter error names.
pub(super) const FIELD: &str = "filter";

fn invalid(reason: impl Into<String>) -> RepoError {
    RepoError::invalid(FIELD, reason)
}

/// A node met on the way down: a filter or a value of a containment pattern.
enum Node<'a> {
    Filter(&'a MetadataFilter),
    Pattern(&'a Value),
}

impl MetadataFilter {
    /// Checks the filter against the input rules, so nothing invalid reaches the database:
    /// - key path segments (and containment keys) are 1 to
    ///   [`FILTER_KEY`] characters of `[A-Za-z0-9_-]`, at most
    ///   [`FILTER_PATH_SEGMENTS`] of them;
    /// - the containment pattern at the top is an object;
    /// - operands: `eq`/`ne`/`in` take strings, numbers and booleans, the ordering operators
    ///   strings and numbers; an `in` list is not empty, at most
    ///   [`FILTER_IN_VALUES`] long and of one type;
    /// - strings (operands and in patterns) are at most
    ///   [`FILTER_STRING`] characters, without NUL;
    /// - combinators and pattern containers nest at most
    ///   [`FILTER_DEPTH`] deep, with at most
    ///   [`FILTER_NODES`] nodes in all.
    ///
    /// The walk is iterative: a filter nested far deeper than the limit is refused, not a
    /// stack overflow.
    ///
    /// # Errors
    /// [`RepoError::Validation`] of `filter` naming the broken rule.
    pub fn validate(&self) -> RepoResult<()> {
        let mut pending = vec![(Node::Filter(self), 1usize)];
        let mut nodes = 0usize;
        while let Some((node, depth)) = pending.pop() {
            nodes += 1;
            if nodes > FILTER_NODES {
                return Err(invalid(format!("has more than {FILTER_NODES} nodes")));
            }
            if depth > FILTER_DEPTH {
                return Err(invalid(format!("nests more than {FILTER_DEPTH} deep")));
            }
            match node {
                Node::Filter(filter) => check_filter(filter, depth, &mut pending, &mut nodes)?,
                Node::Pattern(value) => check_pattern(value, depth, &mut pending)?,
            }
        }
        Ok(())
    }
}

fn check_filter<'a>(
    filter: &'a MetadataFilter,
    depth: usize,
    pending: &mut Vec<(Node<'a>, usize)>,
    nodes: &mut usize,
) -> RepoResult<()> {
    match filter {
        MetadataFilter::Contains(pattern) => {
            if !pattern.is_object() {
                return Err(invalid("a containment pattern must be a JSON object"));
            }
            // The pattern's top object is the Contains node's own level.
            pending.push((Node::Pattern(pattern), depth));
            *nodes -= 1;
        }
        MetadataFilter::Compare { path, op, value } => {
            check_path(path)?;
            check_operand(*op, value)?;
        }
        MetadataFilter::In { path, values } => {
            check_path(path)?;
            check_in(values)?;
            *nodes += values.len();
        }
        MetadataFilter::Exists { path } => check_path(path)?,
        MetadataFilter::And(filters) | MetadataFilter::Or(filters) => {
            pending.extend(filters.iter().map(|f| (Node::Filter(f), depth + 1)));
        }
        MetadataFilter::Not(inner) => pending.push((Node::Filter(inner), depth + 1)),
    }
    Ok(())
}

fn check_pattern<'a>(
    value: &'a Value,
    depth: usize,
    pending: &mut Vec<(Node<'a>, usize)>,
) -> RepoResult<()> {
    match value {
        Value::String(s) => check_string(s),
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
        Value::Array(items) => {
            pending.extend(items.iter().map(|v| (Node::Pattern(v), depth + 1)));
            Ok(())
        }
        Value::Object(map) => {
            for key in map.keys() {
                check_key(key)?;
            }
            pending.extend(map.values().map(|v| (Node::Pattern(v), depth + 1)));
            Ok(())
        }
    }
}

/// Whether `key` may be a path segment or a containment key: 1 to [`FILTER_KEY`] characters
/// of `[A-Za-z0-9_-]`. Only such keys reach SQL text (hot keys) or a JSON path.
pub(super) fn is_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= FILTER_KEY
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn check_key(key: &str) -> RepoResult<()> {
    if is_key(key) {
        return Ok(());
    }
    let shown: String = key.chars().take(80).collect();
    Err(invalid(format!(
        "key {shown:?} must be 1 to {FILTER_KEY} characters of A-Z, a-z, 0-9, _ and -"
    )))
}

fn check_path(path: &KeyPath) -> RepoResult<()> {
    let segments = path.segments();
    if segments.is_empty() || segments.len() > FILTER_PATH_SEGMENTS {
        return Err(invalid(format!(
            "a key path has 1 to {FILTER_PATH_SEGMENTS} segments, got {}",
            segments.len()
        )));
    }
    segments.iter().try_for_each(|s| check_key(s))
}

fn check_string(s: &str) -> RepoResult<()> {
    if s.contains('\0') {
        return Err(invalid("strings must not contain NUL characters"));
    }
    if s.chars().count() > FILTER_STRING {
        return Err(invalid(format!(
            "strings are at most {FILTER_STRING} characters long"
        )));
    }
    Ok(())
}

fn check_operand(op: CompareOp, value: &Scalar) -> RepoResult<()> {
    match value {
        Scalar::String(s) => check_string(s),
        Scalar::Bool(_) if op.orders() => Err(invalid(format!(
            "comparisons between incompatible types: {} orders strings and numbers, not booleans",
            op.name()
        ))),
        Scalar::Number(_) | Scalar::Bool(_) => Ok(()),
    }
}

fn check_in(values: &[Scalar]) -> RepoResult<()> {
    let Some(first) = values.first() else {
        return Err(invalid(
            "comparisons between incompatible types: an in list must not be empty",
        ));
    };
    if values.len() > FILTER_IN_VALUES {
        return Err(invalid(format!(
            "an in list holds at most {FILTER_IN_VALUES} values"
        )));
    }
    if let Some(other) = values.iter().find(|v| v.type_name() != first.type_name()) {
        return Err(invalid(format!(
            "comparisons between incompatible types: an in list mixes {} and {}",
            first.type_name(),
            other.type_name()
        )));
    }
    values
        .iter()
        .try_for_each(|v| check_operand(CompareOp::Eq, v))
}

impl Drop for MetadataFilter {
    /// Takes nested filters and patterns apart with an explicit stack: the derived drop
    /// recurses once per level, which a filter built in code can make overflow the stack.
    fn drop(&mut self) {
        let mut filters = Vec::new();
        let mut values = Vec::new();
        take_children(self, &mut filters, &mut values);
        while let Some(mut next) = filters.pop() {
            take_children(&mut next, &mut filters, &mut values);
            // `next` has no children left: its own drop does not go deeper.
        }
        values.into_iter().for_each(drop_flat);
    }
}

/// Drops `value` without recursion: `serde_json::Value`'s own drop recurses once per level.
pub(super) fn drop_flat(value: Value) {
    let mut pending = vec![value];
    while let Some(mut next) = pending.pop() {
        match &mut next {
            Value::Array(items) => pending.append(items),
            Value::Object(map) => pending.extend(std::mem::take(map).into_iter().map(|(_, v)| v)),
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
        }
    }
}

/// Whether `value` nests arrays and objects at most `limit` deep (checked without recursion,
/// stopping at the first level too deep).
pub(super) fn nests_within(value: &Value, limit: usize) -> bool {
    let mut pending = vec![(value, 1usize)];
    while let Some((next, depth)) = pending.pop() {
        let children: Box<dyn Iterator<Item = &Value>> = match next {
            Value::Array(items) => Box::new(items.iter()),
            Value::Object(map) => Box::new(map.values()),
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => continue,
        };
        if depth > limit {
            return false;
        }
        pending.extend(children.map(|child| (child, depth + 1)));
    }
    true
}

fn take_children(
    filter: &mut MetadataFilter,
    filters: &mut Vec<MetadataFilter>,
    values: &mut Vec<Value>,
) {
    match filter {
        MetadataFilter::And(children) | MetadataFilter::Or(children) => filters.append(children),
        MetadataFilter::Not(inner) => {
            filters.push(std::mem::replace(
                &mut **inner,
                MetadataFilter::And(Vec::new()),
            ));
        }
        MetadataFilter::Contains(pattern)
            if matches!(pattern, Value::Array(_) | Value::Object(_)) =>
        {
            values.push(std::mem::take(pattern));
        }
        MetadataFilter::Contains(_)
        | MetadataFilter::Compare { .. }
        | MetadataFilter::In { .. }
        | MetadataFilter::Exists { .. } => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn field(result: RepoResult<()>) -> &'static str {
        match result {
            Err(RepoError::Validation { field, .. }) => field,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn limits_hold_at_their_edges() {
        let mut nested = MetadataFilter::exists("a");
        for _ in 1..FILTER_DEPTH {
            nested = !nested;
        }
        assert!(nested.validate().is_ok());
        assert_eq!(field((!nested).validate()), FIELD);

        let path = KeyPath::new(vec!["k"; FILTER_PATH_SEGMENTS]);
        assert!(MetadataFilter::exists(path.clone()).validate().is_ok());
        let mut long = path.segments().to_vec();
        long.push("k".into());
        assert!(
            MetadataFilter::exists(KeyPath::new(long))
                .validate()
                .is_err()
        );
        let key = "k".repeat(FILTER_KEY);
        assert!(MetadataFilter::exists(key.as_str()).validate().is_ok());
        assert!(
            MetadataFilter::exists(format!("{key}k").as_str())
                .validate()
                .is_err()
        );

        let many = MetadataFilter::and((0..FILTER_NODES - 1).map(|_| MetadataFilter::exists("a")));
        assert!(many.validate().is_ok());
        let more = MetadataFilter::and((0..FILTER_NODES).map(|_| MetadataFilter::exists("a")));
        assert!(more.validate().is_err());

        // The pattern's containers count towards the depth: the top object is level 1.
        let mut pattern = json!(1);
        for _ in 1..FILTER_DEPTH {
            pattern = json!({ "n": pattern });
        }
        assert!(MetadataFilter::contains(pattern.clone()).validate().is_ok());
        assert!(
            MetadataFilter::contains(json!({ "n": pattern }))
                .validate()
                .is_err()
        );
    }

    #[test]
    fn bad_input_is_refused() {
        for bad in [
            MetadataFilter::exists(""),
            MetadataFilter::exists("a..b"),
            MetadataFilter::exists("a'b"),
            MetadataFilter::exists("a b"),
            MetadataFilter::exists("$"),
            MetadataFilter::exists("a*"),
            MetadataFilter::exists("a%"),
            MetadataFilter::exists(KeyPath::new(Vec::<String>::new())),
            MetadataFilter::exists(KeyPath::new(["a.b"])),
            MetadataFilter::contains(json!([1])),
            MetadataFilter::contains(json!("a")),
            MetadataFilter::contains(json!({"a'": 1})),
            MetadataFilter::contains(json!({"a": {"b c": 1}})),
            MetadataFilter::contains(json!({"a": "\0"})),
            MetadataFilter::gt("a", true),
            MetadataFilter::eq("a", "x".repeat(FILTER_STRING + 1)),
            MetadataFilter::one_of("a", Vec::<Scalar>::new()),
            MetadataFilter::In {
                path: "a".into(),
                values: vec![1.into(), "1".into()],
            },
            MetadataFilter::one_of("a", (0..=FILTER_IN_VALUES as i64).map(Scalar::from)),
        ] {
            assert_eq!(field(bad.validate()), FIELD, "{bad:?}");
        }
        assert!(
            MetadataFilter::eq("a", "x".repeat(FILTER_STRING))
                .validate()
                .is_ok()
        );
        assert!(MetadataFilter::ne("A-z_9", false).validate().is_ok());
    }

    #[test]
    fn deep_filters_are_checked_and_dropped_without_recursion() {
        let mut deep = MetadataFilter::exists("a");
        for level in 0..1_000_000 {
            deep = if level % 2 == 0 {
                !deep
            } else {
                MetadataFilter::and([deep])
            };
        }
        assert!(deep.validate().is_err());
        drop(deep);

        let mut pattern = Value::Null;
        for _ in 0..1_000_000 {
            pattern = Value::Array(vec![pattern]);
        }
        let mut top = serde_json::Map::new();
        top.insert("a".into(), pattern);
        let deep = MetadataFilter::contains(Value::Object(top));
        assert!(deep.validate().is_err());
        drop(deep);
    }
}
