//! The one place the policies spell a backend difference: a string value at a top-level key of
//! a memory's metadata, the key that makes a memory a cluster's member.
//!
//! - SQLite: `json_extract("metadata", '$.key')`, exactly the expression the migration's hot-key
//!   indexes are built on (so those indexes can serve it), and `json_type(..) = 'text'`, since
//!   `json_extract` of an object or array is its JSON text, which would compare equal to a
//!   string of that text.
//! - PostgreSQL: `"metadata"->>'key'`, and `jsonb_typeof("metadata"->'key') = 'string'`, since
//!   `->>` turns a number into its digits.

use memdb_migration::dialect::json_index::sqlite_json_key_expression;
use sea_orm::DbBackend;
use sea_orm::sea_query::{Expr, ExprTrait};

/// The metadata keys naming a memory's cluster.
pub const CLUSTER_KEYS: [&str; 2] = ["topic", "category"];

/// `metadata` has the string `value` at its top-level `key`. `key` is a schema constant (ASCII
/// letters, digits, `_`), never input: it is spelled into the SQL; `value` is bound.
///
/// # Panics
/// When `key` is not such a constant: a bug in the caller.
#[must_use]
pub fn metadata_string_eq(backend: DbBackend, key: &str, value: &str) -> Expr {
    assert!(
        !key.is_empty()
            && key
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_'),
        "metadata key {key:?} is not a schema constant"
    );
    let (kind, string, extracted) = match backend {
        DbBackend::Postgres => (
            format!("jsonb_typeof(\"metadata\"->'{key}')"),
            "string",
            format!("\"metadata\"->>'{key}'"),
        ),
        _ => (
            format!("json_type(\"metadata\", '$.{key}')"),
            "text",
            sqlite_json_key_expression("metadata", key),
        ),
    };
    Expr::cust(extracted)
        .eq(value)
        .and(Expr::cust(kind).eq(string))
}

/// The cluster `metadata` places a memory in: its string `topic` and `category`, when it has
/// both (the same rule as [`metadata_string_eq`], in Rust, for rows already read).
#[must_use]
pub fn cluster_of(metadata: &serde_json::Value) -> Option<(String, String)> {
    let [topic, category] = CLUSTER_KEYS.map(|key| metadata.get(key)?.as_str().map(str::to_owned));
    Some((topic?, category?))
}
