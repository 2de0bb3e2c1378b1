//! A source column's default carried over to PostgreSQL when it is a plain literal or
//! `CURRENT_TIMESTAMP`; anything else is left out (and noted in the plan). The default is
//! re-written from its parsed value, never pasted from the source.

use super::pg_type::PgType;
use super::values::{Cell, SourceValue, convert};

/// The PostgreSQL default for a column of type `ty` whose SQLite default is `sqlite`, or
/// `None` when it cannot be carried over.
#[must_use]
pub(crate) fn carry(sqlite: &str, ty: PgType) -> Option<String> {
    let mut text = sqlite.trim();
    while let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        text = inner.trim();
    }
    if text.eq_ignore_ascii_case("CURRENT_TIMESTAMP") {
        return match ty {
            PgType::Timestamptz => Some("CURRENT_TIMESTAMP".into()),
            // What SQLite writes: UTC, to the second.
            PgType::Text => Some(
                "to_char(CURRENT_TIMESTAMP AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')".into(),
            ),
            _ => None,
        };
    }
    let value = if let Some(quoted) = text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')) {
        SourceValue::Text(quoted.replace("''", "'"))
    } else if let Ok(i) = text.parse::<i64>() {
        SourceValue::Integer(i)
    } else if let Ok(r) = text
        .parse::<f64>()
        .map_err(|_| ())
        .and_then(|r| if r.is_finite() { Ok(r) } else { Err(()) })
    {
        SourceValue::Real(r)
    } else {
        return None;
    };
    match convert(&value, ty).ok()? {
        Cell::BigInt(i) => Some(i.to_string()),
        Cell::Double(d) => Some(format!("{d:?}")),
        Cell::Boolean(b) => Some(b.to_string()),
        Cell::Text(t) => Some(literal(&t)),
        Cell::Json(_) => Some(format!("{}::jsonb", literal(text_of(&value)?))),
        Cell::Timestamp(t) => Some(format!("{}::timestamptz", literal(&t.to_rfc3339()))),
        Cell::Null | Cell::Bytes(_) => None,
    }
}

/// The text of a text value.
fn text_of(value: &SourceValue) -> Option<&str> {
    match value {
        SourceValue::Text(t) => Some(t),
        _ => None,
    }
}

/// `text` as a PostgreSQL string literal whatever `standard_conforming_strings` says.
fn literal(text: &str) -> String {
    format!("E'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_current_timestamp_carry_over() {
        assert_eq!(carry("0.0", PgType::Double).as_deref(), Some("0.0"));
        assert_eq!(carry("0", PgType::BigInt).as_deref(), Some("0"));
        assert_eq!(carry("(1)", PgType::Boolean).as_deref(), Some("true"));
        assert_eq!(
            carry("'{}'", PgType::Jsonb).as_deref(),
            Some("E'{}'::jsonb")
        );
        assert_eq!(carry("'it''s'", PgType::Text).as_deref(), Some("E'it''s'"));
        assert_eq!(
            carry("CURRENT_TIMESTAMP", PgType::Timestamptz).as_deref(),
            Some("CURRENT_TIMESTAMP")
        );
        assert_eq!(carry("'a\\b'", PgType::Text).as_deref(), Some("E'a\\\\b'"));
    }

    #[test]
    fn other_defaults_are_left_out() {
        assert_eq!(carry("random()", PgType::BigInt), None);
        assert_eq!(carry("'x'", PgType::Jsonb), None);
        assert_eq!(carry("NULL", PgType::Text), None);
        assert_eq!(carry("1); DROP TABLE x; --", PgType::Text), None);
    }
}
