//! The rules for memory namespaces and keys, and the prefix ranges listings scan.
//!
//! A namespace is 1 to [`MEMORY_NAMESPACE`] characters: segments separated by `:`, each
//! non-empty, of printable ASCII (`!` to `~`) except `:` and `/`, and neither `.` nor `..`.
//! Letters are case-sensitive; `%`, `_` and `\` are plain characters (listings never use
//! `LIKE`). A key is 1 to [`MEMORY_KEY`] characters, not blank, without NUL, stored in Unicode
//! NFC. `<namespace>/<key>` names an entry in the audit log.

use memdb_repository::{RepoError, RepoResult, validate};

use crate::limits::{MEMORY_KEY, MEMORY_NAMESPACE};

/// The separator of namespace segments.
pub const SEPARATOR: char = ':';

/// `value` checked as a namespace (field `field`).
///
/// # Errors
/// `Validation` of `field` when it breaks a rule of the [module docs](self).
pub fn check(field: &'static str, value: &str) -> RepoResult<String> {
    if value.is_empty() {
        return Err(RepoError::invalid(field, "must not be empty"));
    }
    if value.len() > MEMORY_NAMESPACE {
        return Err(RepoError::invalid(
            field,
            format!("must be at most {MEMORY_NAMESPACE} characters"),
        ));
    }
    for segment in value.split(SEPARATOR) {
        if segment.is_empty() {
            return Err(RepoError::invalid(field, "has an empty segment"));
        }
        if segment == "." || segment == ".." {
            return Err(RepoError::invalid(field, "has a `.` or `..` segment"));
        }
        if let Some(bad) = segment.chars().find(|c| !c.is_ascii_graphic() || *c == '/') {
            return Err(RepoError::invalid(
                field,
                format!(
                    "has the character {bad:?}: segments are printable ASCII except `:` and `/`"
                ),
            ));
        }
    }
    Ok(value.to_owned())
}

/// `value` checked as a key.
///
/// # Errors
/// `Validation` of field `key` when it is blank, too long or contains NUL.
pub fn key(value: &str) -> RepoResult<String> {
    validate::key("key", value, MEMORY_KEY)
}

/// The bounds of the namespaces below `prefix` (checked): every namespace `n` with
/// `lower <= n < upper` starts with `prefix:`, as `;` follows `:` in every byte order.
#[must_use]
pub(crate) fn below(prefix: &str) -> (String, String) {
    (format!("{prefix}:"), format!("{prefix};"))
}

/// Whether `namespace` is `root` or below it.
#[must_use]
pub fn within(namespace: &str, root: &str) -> bool {
    namespace
        .strip_prefix(root)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(SEPARATOR))
}

/// The name of an entry in the audit log.
#[must_use]
pub(crate) fn audit_id(namespace: &str, key: &str) -> String {
    format!("{namespace}/{key}")
}
