//! SQL text helpers of the copy: quoted identifiers and placeholder row values (the
//! bound-parameter limit and single placeholders are `memdb_repository::backend`'s).
//!
//! Every identifier the copy puts into SQL text comes from the catalog or from a track's table
//! list, and is quoted here; values are always bound.

use memdb_repository::backend::push_placeholder;
use sea_orm::DbBackend;

/// Whether `name` is a plain lowercase identifier (`[a-z_][a-z0-9_]*`, at most 63 bytes): the
/// only table names memdb has, and the only ones a user may name.
pub(crate) fn is_plain_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some('a'..='z' | '_'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
        && name.len() <= 63
}

/// `name` as a quoted identifier.
pub(crate) fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `names` quoted and joined with `, `, each prefixed with `prefix` (`t.`) when given.
pub(crate) fn column_list(names: &[&str], prefix: &str) -> String {
    names
        .iter()
        .map(|name| format!("{prefix}{}", quote(name)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A row value of `count` placeholders, numbered from `first` on PostgreSQL (`($3, $4)`),
/// plain `?` on SQLite (numbered ones are several times slower there).
pub(crate) fn placeholders(backend: DbBackend, first: usize, count: usize) -> String {
    let mut row = String::from("(");
    for n in first..first + count {
        if n > first {
            row.push_str(", ");
        }
        push_placeholder(&mut row, backend, n);
    }
    row.push(')');
    row
}

#[cfg(test)]
mod tests {
    use super::{is_plain_identifier, placeholders, quote};
    use sea_orm::DbBackend;

    #[test]
    fn only_plain_names_are_identifiers() {
        assert!(is_plain_identifier("tasks"));
        assert!(is_plain_identifier("_x9"));
        for bad in [
            "",
            "Tasks",
            "9t",
            "a-b",
            "a b",
            "t\"",
            "x;drop",
            &"a".repeat(64),
        ] {
            assert!(!is_plain_identifier(bad), "{bad}");
        }
    }

    #[test]
    fn quoting_doubles_quotes_and_placeholders_follow_the_backend() {
        assert_eq!(quote("a\"b"), "\"a\"\"b\"");
        assert_eq!(placeholders(DbBackend::Postgres, 3, 2), "($3, $4)");
        assert_eq!(placeholders(DbBackend::Sqlite, 3, 2), "(?, ?)");
    }
}
