//! Typed metadata filters over a JSON object column, evaluated by the database on every backend.
//!
//! A [`MetadataFilter`] is compiled by [`metadata_condition`] into ONE SQL condition (PostgreSQL
//! `jsonb`, SQLite JSON text through its JSON functions); rows are never loaded to be filtered
//! in Rust. [`MetadataFilter::matches`] is the in-Rust reference of exactly the same semantics,
//! against which the property tests check both backends.
//!
//! ## Semantics
//! - [`MetadataFilter::Contains`]: PostgreSQL's `@>` exactly. The pattern is an object; each
//!   of its keys must be in the document with a value containing the pattern's value: objects
//!   recursively, arrays when every element of the pattern's array is contained by some element
//!   of the document's (any order, duplicates allowed, nested containers recursively), scalars
//!   when equal with the same JSON type (numbers numerically: `1` equals `1.0`).
//! - [`MetadataFilter::Compare`] and [`MetadataFilter::In`] match only when the path exists
//!   and its value has the operand's JSON type: numbers compare as numbers (`10 > 9`), strings
//!   as strings by their UTF-8 bytes (`"10" < "9"`), booleans only for equality. Mixed types
//!   never match, not even with [`CompareOp::Ne`]; a missing path never matches.
//! - [`MetadataFilter::Exists`]: the path is there, whatever its value (JSON `null` included).
//! - A path names object keys only: it never steps into an array.
//! - `And([])` matches everything, `Or([])` nothing; `Not` is the exact complement (the SQL
//!   never yields `NULL`).
//!
//! Numbers are compared exactly on PostgreSQL (`numeric`) and in the reference; SQLite reads
//! integers beyond 64 bits as doubles, so values beyond `i64` that only differ past a
//! double's precision compare equal there.
//!
//! ## Input rules
//! See [`MetadataFilter::validate`] and the `FILTER_*` constants of [`limits`](crate::limits):
//! key path segments and containment keys of `[A-Za-z0-9_-]`, bounded lengths, depth, size and
//! `in` lists, operands of a type the operator can compare. A filter that breaks them is a
//! [`RepoError::Validation`](crate::RepoError) of `filter` and nothing is executed.
//!
//! ## JSON form
//! The form a command line or a service request takes (`Serialize` and `Deserialize`, or
//! [`MetadataFilter::parse`] for typed errors):
//!
//! ```json
//! {"contains": {"customer": {"tier": "gold"}, "tags": ["urgent"]}}
//! {"path": "customer.age", "op": "gte", "value": 18}
//! {"path": "topic", "in": ["billing", "refunds"]}
//! {"exists": "customer.email"}
//! {"and": [ ... ]}   {"or": [ ... ]}   {"not": { ... }}
//! ```
//! `op` is one of `eq`, `ne`, `gt`, `gte`, `lt`, `lte`.

mod compile;
mod json_form;
pub(crate) mod metadata_keys;
mod postgres;
mod reference;
mod sqlite;
mod validate;

use serde_json::Number;

pub use self::compile::{JsonColumn, metadata_condition};

/// A condition on a JSON object column (a row's metadata). See the [module docs](self) for
/// the semantics and [`MetadataFilter::validate`] for the rules.
///
/// Dropping a filter, however deeply nested, does not recurse.
#[derive(Clone, Debug, PartialEq)]
pub enum MetadataFilter {
    /// PostgreSQL `@>` semantics exactly: nested objects, arrays must contain the given
    /// elements (any order, duplicates ok, nested containers recursively), scalars equal with
    /// the same JSON type (numbers numerically). The pattern must be an object.
    Contains(serde_json::Value),
    /// Typed comparison of the value at a key path.
    Compare {
        /// Where the value is.
        path: KeyPath,
        /// How it is compared.
        op: CompareOp,
        /// What it is compared with; its JSON type is the one the value must have.
        value: Scalar,
    },
    /// The value at the path equals one of these (all of one JSON type).
    In {
        /// Where the value is.
        path: KeyPath,
        /// The values it may equal.
        values: Vec<Scalar>,
    },
    /// The path exists (any JSON type, `null` included).
    Exists {
        /// The path.
        path: KeyPath,
    },
    /// Every filter matches (none given: matches everything).
    And(Vec<MetadataFilter>),
    /// At least one filter matches (none given: matches nothing).
    Or(Vec<MetadataFilter>),
    /// The filter does not match.
    Not(Box<MetadataFilter>),
}

/// A path of object keys into a JSON document: `customer.tier` is the value of key `tier` of
/// the object under key `customer`. Checked by [`MetadataFilter::validate`]: 1 to
/// [`FILTER_PATH_SEGMENTS`](crate::limits::FILTER_PATH_SEGMENTS) segments of `[A-Za-z0-9_-]`,
/// each at most [`FILTER_KEY`](crate::limits::FILTER_KEY) long.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KeyPath(Vec<String>);

impl KeyPath {
    /// A path of these segments, outermost first.
    pub fn new<S: Into<String>>(segments: impl IntoIterator<Item = S>) -> Self {
        Self(segments.into_iter().map(Into::into).collect())
    }

    /// The path written with dots, `customer.tier` (no key may contain a dot).
    #[must_use]
    pub fn parse(dotted: &str) -> Self {
        Self(dotted.split('.').map(str::to_owned).collect())
    }

    /// The segments, outermost first.
    #[must_use]
    pub fn segments(&self) -> &[String] {
        &self.0
    }
}

impl From<&str> for KeyPath {
    fn from(dotted: &str) -> Self {
        Self::parse(dotted)
    }
}

impl std::fmt::Display for KeyPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("."))
    }
}

/// A comparison operator of [`MetadataFilter::Compare`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareOp {
    /// Equal (strings, numbers, booleans).
    Eq,
    /// Not equal, of the same JSON type (strings, numbers, booleans).
    Ne,
    /// Greater than (strings, numbers).
    Gt,
    /// Greater than or equal (strings, numbers).
    Gte,
    /// Less than (strings, numbers).
    Lt,
    /// Less than or equal (strings, numbers).
    Lte,
}

impl CompareOp {
    /// The name in the JSON form: `eq`, `ne`, `gt`, `gte`, `lt`, `lte`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Eq => "eq",
            Self::Ne => "ne",
            Self::Gt => "gt",
            Self::Gte => "gte",
            Self::Lt => "lt",
            Self::Lte => "lte",
        }
    }

    /// The operator named `name` in the JSON form.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Eq, Self::Ne, Self::Gt, Self::Gte, Self::Lt, Self::Lte]
            .into_iter()
            .find(|op| op.name() == name)
    }

    /// Whether the operator orders values (only strings and numbers can be ordered).
    #[must_use]
    pub fn orders(self) -> bool {
        !matches!(self, Self::Eq | Self::Ne)
    }

    /// The SQL operator, the same on every backend.
    pub(crate) fn sql(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::Ne => "<>",
            Self::Gt => ">",
            Self::Gte => ">=",
            Self::Lt => "<",
            Self::Lte => "<=",
        }
    }
}

/// A comparison operand: a JSON string, number or boolean.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    /// A JSON string.
    String(String),
    /// A JSON number.
    Number(Number),
    /// A JSON boolean.
    Bool(bool),
}

impl Scalar {
    /// The operand as a JSON value.
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Self::String(s) => serde_json::Value::String(s.clone()),
            Self::Number(n) => serde_json::Value::Number(n.clone()),
            Self::Bool(b) => serde_json::Value::Bool(*b),
        }
    }

    /// The JSON type's name, for messages: `string`, `number` or `boolean`.
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::String(_) => "string",
            Self::Number(_) => "number",
            Self::Bool(_) => "boolean",
        }
    }
}

impl From<&str> for Scalar {
    fn from(value: &str) -> Self {
        Self::String(value.to_owned())
    }
}

impl From<String> for Scalar {
    fn from(value: String) -> Self {
        Self::String(value)
    }
}

impl From<bool> for Scalar {
    fn from(value: bool) -> Self {
        Self::Bool(value)
    }
}

impl From<Number> for Scalar {
    fn from(value: Number) -> Self {
        Self::Number(value)
    }
}

impl From<i64> for Scalar {
    fn from(value: i64) -> Self {
        Self::Number(value.into())
    }
}

impl From<i32> for Scalar {
    fn from(value: i32) -> Self {
        Self::Number(value.into())
    }
}

impl From<u64> for Scalar {
    fn from(value: u64) -> Self {
        Self::Number(value.into())
    }
}

impl MetadataFilter {
    /// [`MetadataFilter::Contains`] of `pattern`.
    #[must_use]
    pub fn contains(pattern: serde_json::Value) -> Self {
        Self::Contains(pattern)
    }

    /// A [`MetadataFilter::Compare`].
    pub fn compare(path: impl Into<KeyPath>, op: CompareOp, value: impl Into<Scalar>) -> Self {
        Self::Compare {
            path: path.into(),
            op,
            value: value.into(),
        }
    }

    /// The value at `path` equals `value`, with the same JSON type.
    pub fn eq(path: impl Into<KeyPath>, value: impl Into<Scalar>) -> Self {
        Self::compare(path, CompareOp::Eq, value)
    }

    /// The value at `path` has `value`'s JSON type and differs from it.
    pub fn ne(path: impl Into<KeyPath>, value: impl Into<Scalar>) -> Self {
        Self::compare(path, CompareOp::Ne, value)
    }

    /// The value at `path` is greater than `value`, of the same JSON type.
    pub fn gt(path: impl Into<KeyPath>, value: impl Into<Scalar>) -> Self {
        Self::compare(path, CompareOp::Gt, value)
    }

    /// The value at `path` is at least `value`, of the same JSON type.
    pub fn gte(path: impl Into<KeyPath>, value: impl Into<Scalar>) -> Self {
        Self::compare(path, CompareOp::Gte, value)
    }

    /// The value at `path` is less than `value`, of the same JSON type.
    pub fn lt(path: impl Into<KeyPath>, value: impl Into<Scalar>) -> Self {
        Self::compare(path, CompareOp::Lt, value)
    }

    /// The value at `path` is at most `value`, of the same JSON type.
    pub fn lte(path: impl Into<KeyPath>, value: impl Into<Scalar>) -> Self {
        Self::compare(path, CompareOp::Lte, value)
    }

    /// The value at `path` equals one of `values` ([`MetadataFilter::In`]).
    pub fn one_of<V: Into<Scalar>>(
        path: impl Into<KeyPath>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        Self::In {
            path: path.into(),
            values: values.into_iter().map(Into::into).collect(),
        }
    }

    /// `path` exists ([`MetadataFilter::Exists`]).
    pub fn exists(path: impl Into<KeyPath>) -> Self {
        Self::Exists { path: path.into() }
    }

    /// Every one of `filters` matches.
    pub fn and(filters: impl IntoIterator<Item = MetadataFilter>) -> Self {
        Self::And(filters.into_iter().collect())
    }

    /// At least one of `filters` matches.
    pub fn or(filters: impl IntoIterator<Item = MetadataFilter>) -> Self {
        Self::Or(filters.into_iter().collect())
    }

    /// `filter` does not match (also written `!filter`).
    #[must_use]
    pub fn negate(filter: MetadataFilter) -> Self {
        Self::Not(Box::new(filter))
    }
}

impl std::ops::Not for MetadataFilter {
    type Output = MetadataFilter;

    fn not(self) -> Self::Output {
        Self::Not(Box::new(self))
    }
}

impl std::ops::BitAnd for MetadataFilter {
    type Output = MetadataFilter;

    fn bitand(self, rhs: Self) -> Self::Output {
        Self::And(vec![self, rhs])
    }
}

impl std::ops::BitOr for MetadataFilter {
    type Output = MetadataFilter;

    fn bitor(self, rhs: Self) -> Self::Output {
        Self::Or(vec![self, rhs])
    }
}
