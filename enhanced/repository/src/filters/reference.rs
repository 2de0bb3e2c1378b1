//! The in-Rust reference of the filter semantics: what the SQL of every backend must agree
//! with. The property tests compare the two on generated documents and filters.

use std::cmp::Ordering;

use serde_json::{Number, Value};

use super::{CompareOp, KeyPath, MetadataFilter, Scalar};

impl MetadataFilter {
    /// Whether `metadata` (a row's JSON document) matches the filter, by the semantics of the
    /// [module docs](super): the reference the SQL of every backend agrees with. A filter that
    /// fails [`validate`](Self::validate) matches nothing.
    #[must_use]
    pub fn matches(&self, metadata: &Value) -> bool {
        self.validate().is_ok() && self.eval(metadata)
    }

    /// Evaluates a validated filter (its depth is bounded, so recursion is safe).
    fn eval(&self, doc: &Value) -> bool {
        match self {
            Self::Contains(pattern) => doc.is_object() && contains(doc, pattern),
            Self::Compare { path, op, value } => {
                value_at(doc, path).is_some_and(|found| compare(found, *op, value))
            }
            Self::In { path, values } => value_at(doc, path)
                .is_some_and(|found| values.iter().any(|v| compare(found, CompareOp::Eq, v))),
            Self::Exists { path } => value_at(doc, path).is_some(),
            Self::And(filters) => filters.iter().all(|f| f.eval(doc)),
            Self::Or(filters) => filters.iter().any(|f| f.eval(doc)),
            Self::Not(inner) => !inner.eval(doc),
        }
    }
}

/// The value at `path`, stepping through object keys only (never into arrays).
fn value_at<'a>(doc: &'a Value, path: &KeyPath) -> Option<&'a Value> {
    path.segments()
        .iter()
        .try_fold(doc, |value, key| value.as_object()?.get(key))
}

/// PostgreSQL's `@>` below the top level: objects key by key, arrays element by element
/// (each pattern element contained by some document element), scalars equal.
fn contains(doc: &Value, pattern: &Value) -> bool {
    match (doc, pattern) {
        (Value::Object(doc), Value::Object(pattern)) => pattern
            .iter()
            .all(|(key, p)| doc.get(key).is_some_and(|d| contains(d, p))),
        (Value::Array(doc), Value::Array(pattern)) => {
            pattern.iter().all(|p| doc.iter().any(|d| contains(d, p)))
        }
        (Value::Object(_) | Value::Array(_), _) | (_, Value::Object(_) | Value::Array(_)) => false,
        (doc, pattern) => same_scalar(doc, pattern),
    }
}

/// Two JSON scalars of the same type and value (numbers numerically).
fn same_scalar(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(a), Value::Number(b)) => compare_numbers(a, b) == Ordering::Equal,
        (Value::String(a), Value::String(b)) => a == b,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Null, Value::Null) => true,
        _ => false,
    }
}

fn compare(found: &Value, op: CompareOp, operand: &Scalar) -> bool {
    let ordering = match (found, operand) {
        (Value::String(found), Scalar::String(operand)) => found.as_bytes().cmp(operand.as_bytes()),
        (Value::Number(found), Scalar::Number(operand)) => compare_numbers(found, operand),
        (Value::Bool(found), Scalar::Bool(operand)) => found.cmp(operand),
        _ => return false,
    };
    match op {
        CompareOp::Eq => ordering == Ordering::Equal,
        CompareOp::Ne => ordering != Ordering::Equal,
        CompareOp::Gt => ordering == Ordering::Greater,
        CompareOp::Gte => ordering != Ordering::Less,
        CompareOp::Lt => ordering == Ordering::Less,
        CompareOp::Lte => ordering != Ordering::Greater,
    }
}

/// Orders two JSON numbers exactly, integers and floats alike (as PostgreSQL's `numeric` and
/// SQLite do; converting the integer to a double would make `2^53 + 1` equal `2^53`).
pub(super) fn compare_numbers(a: &Number, b: &Number) -> Ordering {
    match (a.as_i128(), b.as_i128()) {
        (Some(a), Some(b)) => a.cmp(&b),
        (Some(a), None) => float_vs_int(as_float(b), a).reverse(),
        (None, Some(b)) => float_vs_int(as_float(a), b),
        (None, None) => as_float(a).total_cmp(&as_float(b)),
    }
}

fn as_float(n: &Number) -> f64 {
    // A JSON number that is no integer is a finite double.
    n.as_f64().unwrap_or(0.0) + 0.0
}

/// `float` against `int`, exactly.
fn float_vs_int(float: f64, int: i128) -> Ordering {
    // 2^127: beyond it no i128 is; below it the float's integer part fits an i128 exactly.
    const LIMIT: f64 = 170_141_183_460_469_231_731_687_303_715_884_105_728.0;
    if float >= LIMIT {
        return Ordering::Greater;
    }
    if float < -LIMIT {
        return Ordering::Less;
    }
    let whole = float.trunc();
    #[expect(clippy::cast_possible_truncation, reason = "range checked above")]
    let whole_int = whole as i128;
    whole_int.cmp(&int).then_with(|| {
        let fraction = float - whole;
        fraction.partial_cmp(&0.0).unwrap_or(Ordering::Equal)
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn n(value: Value) -> Number {
        match value {
            Value::Number(n) => n,
            other => panic!("{other} is no number"),
        }
    }

    #[test]
    fn numbers_compare_exactly() {
        let cmp = |a: Value, b: Value| compare_numbers(&n(a), &n(b));
        assert_eq!(cmp(json!(10), json!(9)), Ordering::Greater);
        assert_eq!(cmp(json!(1), json!(1.0)), Ordering::Equal);
        assert_eq!(cmp(json!(-0.0), json!(0)), Ordering::Equal);
        assert_eq!(cmp(json!(-0.0), json!(0.0)), Ordering::Equal);
        assert_eq!(cmp(json!(1.5), json!(1)), Ordering::Greater);
        assert_eq!(cmp(json!(-1.5), json!(-1)), Ordering::Less);
        assert_eq!(
            cmp(
                json!(9_007_199_254_740_993_i64),
                json!(9_007_199_254_740_992.0)
            ),
            Ordering::Greater
        );
        assert_eq!(cmp(json!(u64::MAX), json!(i64::MIN)), Ordering::Greater);
        assert_eq!(cmp(json!(1e300), json!(u64::MAX)), Ordering::Greater);
        assert_eq!(cmp(json!(-1e300), json!(i64::MIN)), Ordering::Less);
    }

    #[test]
    fn the_reference_follows_postgres_containment() {
        let doc = json!({"a": [1, [2, 3], {"b": 1, "c": 2}, "x", null, true], "n": 5.0, "o": {}});
        let yes = |p: Value| MetadataFilter::contains(p).matches(&doc);
        assert!(yes(json!({})));
        assert!(yes(json!({"a": []})));
        assert!(yes(json!({"a": [1, 1, "x"]})));
        assert!(yes(json!({"a": [[3], {"c": 2}, null, true]})));
        assert!(yes(json!({"a": [[]], "n": 5, "o": {}})));
        assert!(!yes(json!({"a": [2]})));
        assert!(!yes(json!({"a": 1})));
        assert!(!yes(json!({"a": {}})));
        assert!(!yes(json!({"o": []})));
        assert!(!yes(json!({"n": "5"})));
        assert!(!yes(json!({"a": [false]})));
        assert!(!yes(json!({"missing": null})));
        assert!(!MetadataFilter::contains(json!({})).matches(&json!([])));
    }

    #[test]
    fn comparisons_are_typed() {
        let doc = json!({"n": 10, "s": "10", "b": true, "z": null, "a": [1], "o": {"k": "9"}});
        let m = |f: MetadataFilter| f.matches(&doc);
        assert!(m(MetadataFilter::gt("n", 9)));
        assert!(!m(MetadataFilter::gt("s", "9")));
        assert!(!m(MetadataFilter::gt("s", 9)));
        assert!(!m(MetadataFilter::ne("s", 9)));
        assert!(m(MetadataFilter::ne("s", "9")));
        assert!(!m(MetadataFilter::eq("b", 1)));
        assert!(m(MetadataFilter::eq("b", true)));
        assert!(m(MetadataFilter::ne("b", false)));
        assert!(!m(MetadataFilter::ne("z", "x")));
        assert!(m(MetadataFilter::exists("z")));
        assert!(!m(MetadataFilter::exists("a.0")));
        assert!(m(MetadataFilter::lt("o.k", "a")));
        assert!(!m(MetadataFilter::eq("missing", 1)));
        assert!(m(!MetadataFilter::eq("missing", 1)));
        assert!(m(MetadataFilter::one_of("n", [1, 10])));
        assert!(m(MetadataFilter::and([])));
        assert!(!m(MetadataFilter::or([])));
        // An invalid filter matches nothing, its negation included.
        assert!(!m(!MetadataFilter::exists("a b")));
    }
}
