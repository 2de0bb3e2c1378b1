//! SQL text helpers of the copy: quoted identifiers, placeholders, the bound-parameter limit.
//!
//! Every identifier the copy puts into SQL text comes from the catalog or from a track's table
//! list, and is quoted here; values are always bound.

use sea_orm::DbBackend;

/// The most bound parameters one statement may carry: SQLite's `SQLITE_MAX_VARIABLE_NUMBER`
/// (32766 since 3.32), PostgreSQL's protocol limit (65535).
pub(crate) fn bind_limit(backend: DbBackend) -> usize {
    match backend {
        DbBackend::Postgres => 65_535,
        _ => 32_766,
    }
}

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
    let items: Vec<String> = (first..first + count)
        .map(|n| match backend {
            DbBackend::Postgres => format!("${n}"),
            _ => "?".to_owned(),
        })
        .collect();
    format!("({})", items.join(", "))
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
