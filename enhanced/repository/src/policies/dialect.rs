//! Cluster membership as the policies test it in SQL: a string value at a top-level key of a
//! memory's metadata. The backend spelling is the tiered memories' one
//! (`filters::metadata_keys`), so the policies and the repository agree on membership and the
//! SQLite hot-key indexes serve both.

use sea_orm::DbBackend;
use sea_orm::sea_query::{Expr, ExprTrait};

use crate::filters::metadata_keys::{key_is_text, key_text};

/// `metadata` has the string `value` at its top-level `key` (a schema constant, spelled into
/// the SQL; `value` is bound).
pub(super) fn metadata_string_eq(backend: DbBackend, key: &'static str, value: &str) -> Expr {
    Expr::cust(key_text(backend, key))
        .eq(value)
        .and(Expr::cust(key_is_text(backend, key)))
}
