//! Reading one top-level key of a memory's metadata as text, per backend: what the tiered
//! memories' clusters and the lifecycle policies test membership with. It sits with the
//! metadata filters, the one place that spells JSON queries per backend.
//!
//! - SQLite: `json_extract("metadata", '$.topic')`, exactly the expression the migration
//!   indexes (`memdb_migration::dialect::json_index`), so a condition on it is index-served;
//!   `json_type(..) = 'text'` tells strings from numbers, which SQLite's comparison with a
//!   text column would otherwise convert and match (`5` and `'5'`).
//! - PostgreSQL: `"metadata" ->> 'topic'`, and `jsonb_typeof("metadata" -> 'topic') =
//!   'string'`.
//!
//! Keys are constants of this module's callers (`topic` and `category`, the cluster keys, here
//! and in the lifecycle policies), never input.

use memdb_migration::dialect::json_index::sqlite_json_key_expression;
use sea_orm::DbBackend;

/// The text of the memory's metadata key `key` (the unqualified `"metadata"` of `memories`),
/// `NULL` when it is missing, as SQL. Use it with [`key_is_text`]: on SQLite it gives numbers
/// too.
pub(crate) fn key_text(backend: DbBackend, key: &'static str) -> String {
    debug_assert!(key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
    match backend {
        DbBackend::Postgres => format!("(\"metadata\" ->> '{key}')"),
        _ => sqlite_json_key_expression("metadata", key),
    }
}

/// Whether the memory's metadata key `key` holds a string, as SQL.
pub(crate) fn key_is_text(backend: DbBackend, key: &'static str) -> String {
    debug_assert!(key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
    match backend {
        DbBackend::Postgres => format!("jsonb_typeof(\"metadata\" -> '{key}') = 'string'"),
        _ => format!("json_type(\"metadata\", '$.{key}') = 'text'"),
    }
}
