//! Input checks shared by the repositories. Each returns a [`RepoError::Validation`] naming the
//! field, so nothing invalid reaches the database.

use crate::error::{RepoError, RepoResult};

/// A trimmed, non-empty string of at most `max` characters.
pub(crate) fn name(field: &'static str, value: &str, max: usize) -> RepoResult<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(RepoError::invalid(field, "must not be empty"));
    }
    bounded(field, trimmed, max).map(str::to_owned)
}

/// At most `max` characters (content is kept exactly as given).
pub(crate) fn bounded<'a>(field: &'static str, value: &'a str, max: usize) -> RepoResult<&'a str> {
    let chars = value.chars().count();
    if chars > max {
        return Err(RepoError::invalid(
            field,
            format!("is {chars} characters long, the limit is {max}"),
        ));
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
pub(crate) fn label(field: &'static str, value: &str) -> RepoResult<String> {
    const MAX: usize = 64;
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
        Ok(value)
    } else {
        Err(RepoError::invalid(
            field,
            format!("must be between 0 and 1, got {value}"),
        ))
    }
}

/// A JSON object (metadata, traits): arrays and scalars are rejected so callers can rely on
/// key lookups.
pub(crate) fn json_object(
    field: &'static str,
    value: serde_json::Value,
) -> RepoResult<serde_json::Value> {
    if value.is_object() {
        Ok(value)
    } else {
        Err(RepoError::invalid(field, "must be a JSON object"))
    }
}

/// The pattern for `LOWER(column) LIKE ? ESCAPE '\'` that finds `needle` anywhere, with `%`,
/// `_` and `\` in the needle matched literally. Matching is case-insensitive for ASCII.
pub(crate) fn contains_pattern(field: &'static str, needle: &str) -> RepoResult<String> {
    let needle = non_empty(field, needle, 1000)?;
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for c in needle.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    Ok(pattern)
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
        assert_eq!(contains_pattern("q", "MiXeD").unwrap(), "%mixed%");
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
}
