//! Input checks shared by the repositories. Each returns a [`RepoError::Validation`] naming the
//! field, so nothing invalid reaches the database.
//!
//! The public ones are what the crates beside this one (the enhanced repositories) check their
//! inputs with, so a key, a label or a JSON object is held to the same rules everywhere.

use sea_orm::sea_query::{BinOper, Expr, ExprTrait, Func, IntoColumnRef};

mod json;

pub use json::json_object;
pub(crate) use json::json_value;

use crate::error::{RepoError, RepoResult};

/// A name people read and look things up by (an organization or persona name, a title, a
/// source, a submitter): trimmed, in Unicode NFC, with at least one visible character, at most
/// `max` characters.
///
/// NFC makes "café" typed with a combining accent and with a precomposed `é` one name, as
/// people see them; a name of only whitespace, control and invisible formatting characters
/// (a zero-width space, say) names nothing anyone could tell apart.
pub(crate) fn name(field: &'static str, value: &str, max: usize) -> RepoResult<String> {
    let normalized = nfc(value.trim());
    if normalized.is_empty() {
        return Err(RepoError::invalid(field, "must not be empty"));
    }
    if !normalized.chars().any(is_visible) {
        return Err(RepoError::invalid(
            field,
            "must contain a visible character, not only whitespace or invisible formatting",
        ));
    }
    bounded(field, &normalized, max)?;
    Ok(normalized)
}

/// A key that identifies a row (a document path): in Unicode NFC, not blank, at most `max`
/// characters; otherwise kept as given (surrounding spaces included).
///
/// # Errors
/// [`RepoError::Validation`] of `field` for a blank value, one longer than `max` characters or
/// one containing NUL.
pub fn key(field: &'static str, value: &str, max: usize) -> RepoResult<String> {
    let normalized = nfc(value);
    non_empty(field, &normalized, max)?;
    Ok(normalized)
}

/// `value` in Unicode Normalization Form C.
pub(crate) fn nfc(value: &str) -> String {
    use unicode_normalization::{IsNormalized, UnicodeNormalization as _, is_nfc_quick};
    if is_nfc_quick(value.chars()) == IsNormalized::Yes {
        value.to_owned()
    } else {
        value.nfc().collect()
    }
}

/// Whether `c` shows as something: not whitespace, not a control character and not one of
/// Unicode's default-ignorable code points (zero-width spaces and joiners, bidirectional
/// marks, variation selectors, tags, the soft hyphen, fillers).
fn is_visible(c: char) -> bool {
    const IGNORABLE: &[(char, char)] = &[
        ('\u{00AD}', '\u{00AD}'),
        ('\u{034F}', '\u{034F}'),
        ('\u{061C}', '\u{061C}'),
        ('\u{115F}', '\u{1160}'),
        ('\u{17B4}', '\u{17B5}'),
        ('\u{180B}', '\u{180F}'),
        ('\u{200B}', '\u{200F}'),
        ('\u{202A}', '\u{202E}'),
        ('\u{2060}', '\u{206F}'),
        ('\u{3164}', '\u{3164}'),
        ('\u{FE00}', '\u{FE0F}'),
        ('\u{FEFF}', '\u{FEFF}'),
        ('\u{FFA0}', '\u{FFA0}'),
        ('\u{1BCA0}', '\u{1BCA3}'),
        ('\u{1D173}', '\u{1D17A}'),
        ('\u{E0000}', '\u{E0FFF}'),
    ];
    !(c.is_whitespace()
        || c.is_control()
        || IGNORABLE
            .iter()
            .any(|(from, to)| (*from..=*to).contains(&c)))
}

/// At most `max` characters and no NUL (content is kept exactly as given).
pub(crate) fn bounded<'a>(field: &'static str, value: &'a str, max: usize) -> RepoResult<&'a str> {
    let value = text(field, value)?;
    let chars = value.chars().count();
    if chars > max {
        return Err(RepoError::invalid(
            field,
            format!("is {chars} characters long, the limit is {max}"),
        ));
    }
    Ok(value)
}

/// Any text without a NUL character, of any length (content that may be empty).
///
/// PostgreSQL refuses NUL in text columns while SQLite stores it; rejecting it here gives both
/// backends the same behaviour and the caller a field name instead of a driver error.
pub(crate) fn text<'a>(field: &'static str, value: &'a str) -> RepoResult<&'a str> {
    if value.contains('\0') {
        return Err(RepoError::invalid(field, "must not contain NUL characters"));
    }
    Ok(value)
}

/// Not empty (after trimming) and at most `max` characters; the value itself is kept as given.
pub(crate) fn non_empty<'a>(
    field: &'static str,
    value: &'a str,
    max: usize,
) -> RepoResult<&'a str> {
    if value.trim().is_empty() {
        return Err(RepoError::invalid(field, "must not be empty"));
    }
    bounded(field, value, max)
}

/// A short machine label such as a document type or agent type: 1 to 64 characters of
/// lowercase ASCII letters, digits, `_`, `-`, `.` and `:`.
///
/// # Errors
/// [`RepoError::Validation`] of `field` for any other value.
pub fn label(field: &'static str, value: &str) -> RepoResult<String> {
    const MAX: usize = crate::limits::LABEL;
    if value.is_empty() || value.len() > MAX {
        return Err(RepoError::invalid(
            field,
            format!(
                "must be 1 to {MAX} characters, got {}",
                value.chars().count()
            ),
        ));
    }
    if let Some(bad) = value
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || "_-.:".contains(*c)))
    {
        return Err(RepoError::invalid(
            field,
            format!(
                "{value:?} contains {bad:?}; use lowercase letters, digits, '_', '-', '.', ':'"
            ),
        ));
    }
    Ok(value.to_owned())
}

/// A finite score in `0.0..=1.0`.
pub(crate) fn unit_score(field: &'static str, value: f64) -> RepoResult<f64> {
    if value.is_finite() && (0.0..=1.0).contains(&value) {
        // -0.0 + 0.0 is +0.0: one stored form of zero on every backend (SQLite keeps the
        // sign, PostgreSQL drops it).
        Ok(value + 0.0)
    } else {
        Err(RepoError::invalid(
            field,
            format!("must be between 0 and 1, got {value}"),
        ))
    }
}

/// The pattern for [`contains`] that finds `needle` anywhere, with `%`, `_` and `\` in the
/// needle matched literally. The needle keeps its case: the database lowercases it with the
/// same rules it applies to the column.
pub(crate) fn contains_pattern(field: &'static str, needle: &str) -> RepoResult<String> {
    let needle = non_empty(field, needle, crate::limits::SEARCH_TEXT)?;
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    Ok(pattern)
}

/// `LOWER(column) LIKE LOWER(pattern) ESCAPE '\'`, the pattern bound as a value.
///
/// Both sides go through the database's own `LOWER`, so they fold alike: ASCII only on
/// SQLite, all of Unicode on PostgreSQL (under a UTF-8 `LC_CTYPE`). Lowercasing the pattern
/// in Rust instead would fold `É` to `é` while SQLite leaves the column's `É` as it is, and
/// nothing would match.
pub(crate) fn contains(column: impl IntoColumnRef, pattern: &str) -> Expr {
    let pattern = Expr::expr(Func::lower(Expr::val(pattern)))
        .binary(BinOper::Escape, Expr::Constant('\\'.into()));
    Expr::expr(Func::lower(Expr::col(column))).binary(BinOper::Like, pattern)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(
            contains_pattern("q", "50%_off\\").unwrap(),
            "%50\\%\\_off\\\\%"
        );
        // The case is left to the database's LOWER, so both sides fold alike.
        assert_eq!(contains_pattern("q", "MiXeD").unwrap(), "%MiXeD%");
        assert_eq!(contains_pattern("q", "École").unwrap(), "%École%");
        assert!(contains_pattern("q", "  ").is_err());
    }

    #[test]
    fn labels_and_scores() {
        assert!(label("t", "code-review.v2").is_ok());
        assert!(label("t", "Bad Label").is_err());
        assert!(label("t", "").is_err());
        assert!(label("t", &"x".repeat(65)).is_err());
        assert!(unit_score("s", 1.0).is_ok());
        assert!(unit_score("s", 1.01).is_err());
        assert!(unit_score("s", f64::NAN).is_err());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(name("n", "  ok ", 5).unwrap(), "ok");
        assert!(name("n", "   ", 5).is_err());
        assert!(name("n", "toolong", 5).is_err());
        assert!(name("n", "ééééé", 5).is_ok());
    }

    #[test]
    fn contains_lowers_the_bound_pattern_in_sql() {
        use sea_orm::DbBackend;
        use sea_orm::sea_query::Query;

        let select = Query::select()
            .column("id")
            .from("documents")
            .and_where(contains("title", "%École%"))
            .to_owned();
        // E'\\' is PostgreSQL's escape-string spelling of one backslash.
        let postgres = DbBackend::Postgres.build(&select);
        assert_eq!(
            postgres.sql,
            r#"SELECT "id" FROM "documents" WHERE LOWER("title") LIKE LOWER($1) ESCAPE E'\\'"#
        );
        let sqlite = DbBackend::Sqlite.build(&select);
        assert_eq!(
            sqlite.sql,
            r#"SELECT "id" FROM "documents" WHERE LOWER("title") LIKE LOWER(?) ESCAPE '\'"#
        );
        assert_eq!(
            sqlite.values.unwrap().0,
            vec![sea_orm::Value::from("%École%")]
        );
    }

    #[test]
    fn text_rejects_nul_wherever_it_is() {
        for bad in ["\0", "a\0", "\0b", "a\0b"] {
            assert!(matches!(
                text("f", bad),
                Err(RepoError::Validation { field: "f", .. })
            ));
            assert!(bounded("f", bad, 10).is_err());
            assert!(non_empty("f", bad, 10).is_err());
            assert!(name("f", bad, 10).is_err());
            assert!(contains_pattern("f", bad).is_err());
        }
        assert_eq!(text("f", "").unwrap(), "");
        assert_eq!(bounded("f", "\u{1}é", 2).unwrap(), "\u{1}é");
    }
}
