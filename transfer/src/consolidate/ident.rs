//! PostgreSQL identifiers: the schema names an operator gives (plain lower-case identifiers,
//! refused otherwise) and the names a source holds (any text PostgreSQL can store, quoted).

/// PostgreSQL's identifier length limit in bytes (`NAMEDATALEN - 1`); a longer name would be
/// truncated silently, so it is refused instead.
const MAX_IDENTIFIER_BYTES: usize = 63;

/// Why `name` cannot be a target schema, or `None` when it can: 1 to 63 characters of `a-z`,
/// `0-9` and `_`, not starting with a digit, not `pg_`-prefixed (reserved for the system), not
/// `public` or `information_schema` (where other data lives). Such a name never needs quoting,
/// so the schema is as easy to name in `psql` as in memdb.
#[must_use]
pub fn schema_name_problem(name: &str) -> Option<&'static str> {
    if let Some(problem) = plain_name_problem(name) {
        return Some(problem);
    }
    if name.starts_with("pg_") {
        return Some("pg_ names are reserved for PostgreSQL");
    }
    if name == "public" || name == "information_schema" {
        return Some("that schema holds other data");
    }
    None
}

/// Why `name` is not a plain identifier, or `None` when it is: 1 to 63 characters of `a-z`,
/// `0-9` and `_`, not starting with a digit; a name that is one never needs quoting.
#[must_use]
pub fn plain_name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("it is empty");
    }
    if name.len() > MAX_IDENTIFIER_BYTES {
        return Some("it is longer than 63 bytes");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Some("only a-z, 0-9 and _ are allowed");
    }
    if name.as_bytes()[0].is_ascii_digit() {
        return Some("it starts with a digit");
    }
    None
}

/// Why a source's table, column or index name cannot be a PostgreSQL identifier, or `None`.
/// Any other name works, quoted.
#[must_use]
pub fn source_name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("it is empty")
    } else if name.len() > MAX_IDENTIFIER_BYTES {
        Some("it is longer than PostgreSQL's 63-byte limit")
    } else if name.contains('\0') {
        Some("it contains a NUL character")
    } else {
        None
    }
}

/// `name` as a quoted identifier (`"a""b"` for `a"b`). Only for names checked with
/// [`schema_name_problem`] or [`source_name_problem`].
#[must_use]
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `schema.table`, both quoted.
#[must_use]
pub fn qualified(schema: &str, table: &str) -> String {
    format!("{}.{}", quote(schema), quote(table))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_names_are_plain_identifiers() {
        assert_eq!(schema_name_problem("knowledge"), None);
        assert_eq!(schema_name_problem("rss_2"), None);
        for bad in [
            "",
            "Knowledge",
            "2rss",
            "a-b",
            "a b",
            "pg_x",
            "public",
            "x\"y",
        ] {
            assert!(schema_name_problem(bad).is_some(), "{bad:?}");
        }
        assert!(schema_name_problem(&"a".repeat(64)).is_some());
    }

    #[test]
    fn source_names_are_quoted() {
        assert_eq!(quote("order items"), "\"order items\"");
        assert_eq!(quote("a\"b"), "\"a\"\"b\"");
        assert_eq!(qualified("s", "t"), "\"s\".\"t\"");
        assert!(source_name_problem("").is_some());
        assert!(source_name_problem("a\0b").is_some());
        assert_eq!(source_name_problem("Select"), None);
    }
}
