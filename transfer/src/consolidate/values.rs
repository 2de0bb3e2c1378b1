//! Values on their way from SQLite to PostgreSQL: what SQLite stores ([`SourceValue`]), what
//! a target column holds ([`Cell`]), the conversion between them, and the canonical text both
//! sides' checksums are computed from.

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::Value;

use super::pg_type::PgType;
use super::{json_keys, timestamp};

/// The largest integer magnitude a double holds exactly (2^53).
const EXACT_DOUBLE_INTEGER: u64 = 1 << 53;

/// A value as SQLite stores it (its storage class).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum SourceValue {
    /// NULL.
    Null,
    /// INTEGER.
    Integer(i64),
    /// REAL.
    Real(f64),
    /// TEXT.
    Text(String),
    /// BLOB.
    Blob(Vec<u8>),
    /// TEXT that is not valid UTF-8, as its bytes: only `bytea` holds it unchanged.
    NonUtf8Text(Vec<u8>),
}

impl SourceValue {
    /// A short, printable excerpt of the value for reports (at most 40 characters).
    #[must_use]
    pub(crate) fn excerpt(&self) -> String {
        let full = match self {
            Self::Null => "NULL".to_owned(),
            Self::Integer(i) => i.to_string(),
            Self::Real(r) => format!("{r:?}"),
            Self::Text(t) => format!("{t:?}"),
            Self::Blob(b) => format!("x'{}'", hex(&b[..b.len().min(16)])),
            Self::NonUtf8Text(b) => format!("text x'{}'", hex(&b[..b.len().min(16)])),
        };
        if full.chars().count() > 40 {
            format!("{}...", full.chars().take(37).collect::<String>())
        } else {
            full
        }
    }
}

/// A value as its target column holds it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cell {
    /// NULL (distinct from an empty string).
    Null,
    /// `bigint`.
    BigInt(i64),
    /// `double precision`.
    Double(f64),
    /// `boolean`.
    Boolean(bool),
    /// `timestamptz`.
    Timestamp(DateTime<Utc>),
    /// `jsonb`.
    Json(serde_json::Value),
    /// `text`.
    Text(String),
    /// `bytea`.
    Bytes(Vec<u8>),
}

/// `value` converted for a column of type `to`, or why it does not fit.
///
/// # Errors
/// A short reason (for the fallback report) when the value cannot be held by `to` unchanged.
#[allow(
    clippy::cast_precision_loss,
    reason = "an integer becomes a double only when |i| <= 2^53, which a double holds exactly"
)]
pub(crate) fn convert(value: &SourceValue, to: PgType) -> Result<Cell, &'static str> {
    use SourceValue as S;
    match (to, value) {
        (_, S::Null) => Ok(Cell::Null),
        (PgType::BigInt, S::Integer(i)) => Ok(Cell::BigInt(*i)),
        (PgType::Double, S::Integer(i)) if i.unsigned_abs() <= EXACT_DOUBLE_INTEGER => {
            Ok(Cell::Double(*i as f64))
        }
        (PgType::Double, S::Integer(_)) => Err("integer too large for a double"),
        (PgType::Double, S::Real(r)) => Ok(Cell::Double(*r)),
        (PgType::Boolean, S::Integer(i @ (0 | 1))) => Ok(Cell::Boolean(*i == 1)),
        (PgType::Timestamptz, S::Text(t)) => timestamp::parse(t).map(Cell::Timestamp),
        (PgType::Jsonb, S::Text(t)) => json(t).map(Cell::Json),
        (PgType::Text, S::Integer(i)) => Ok(Cell::Text(i.to_string())),
        (PgType::Text, S::Real(r)) => Ok(Cell::Text(format!("{r:?}"))),
        (PgType::Text, S::Text(t)) if t.contains('\0') => Err("text with a NUL character"),
        (PgType::Text, S::Text(t)) => Ok(Cell::Text(t.clone())),
        (PgType::Bytea, S::Blob(b) | S::NonUtf8Text(b)) => Ok(Cell::Bytes(b.clone())),
        (_, S::NonUtf8Text(_)) => Err("text that is not UTF-8"),
        (PgType::Bytea, S::Text(t)) => Ok(Cell::Bytes(t.clone().into_bytes())),
        (PgType::Bytea, S::Integer(i)) => Ok(Cell::Bytes(i.to_string().into_bytes())),
        (PgType::Bytea, S::Real(r)) => Ok(Cell::Bytes(format!("{r:?}").into_bytes())),
        (_, S::Blob(_)) => Err("a blob"),
        (PgType::BigInt, S::Real(_)) => Err("a real, not an integer"),
        (PgType::Boolean, S::Integer(_)) => Err("an integer other than 0 and 1"),
        (PgType::Timestamptz | PgType::Jsonb, S::Integer(_) | S::Real(_)) => Err("a number"),
        (_, S::Text(t)) if t.is_empty() => Err("empty string"),
        (_, S::Text(_)) => Err("text"),
        (PgType::Boolean, S::Real(_)) => Err("a real, not 0 or 1"),
    }
}

/// `text` as a JSON object or array that jsonb can hold.
fn json(text: &str) -> Result<serde_json::Value, &'static str> {
    if text.is_empty() {
        return Err("empty string");
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) if !(v.is_object() || v.is_array()) => Err("JSON, but not an object or array"),
        // jsonb cannot hold the NUL character (\u0000).
        Ok(_) if text.contains("\\u0000") => Err("JSON with \\u0000"),
        // jsonb (and serde_json) would keep only the last of two equal keys.
        Ok(_) if json_keys::has_duplicate_key(text) => Err("JSON with a duplicate object key"),
        Ok(v) => Ok(v),
        Err(_) => Err("not JSON"),
    }
}

impl Cell {
    /// The value bound for a column of type `ty` (typed NULLs, so PostgreSQL need not guess).
    #[must_use]
    pub(crate) fn into_value(self, ty: PgType) -> Value {
        match self {
            Self::Null => match ty {
                PgType::BigInt => Value::BigInt(None),
                PgType::Double => Value::Double(None),
                PgType::Boolean => Value::Bool(None),
                PgType::Timestamptz => Value::ChronoDateTimeUtc(None),
                PgType::Jsonb => Value::Json(None),
                PgType::Text => Value::String(None),
                PgType::Bytea => Value::Bytes(None),
            },
            Self::BigInt(i) => Value::BigInt(Some(i)),
            Self::Double(d) => Value::Double(Some(d)),
            Self::Boolean(b) => Value::Bool(Some(b)),
            Self::Timestamp(t) => Value::ChronoDateTimeUtc(Some(t)),
            Self::Json(j) => Value::Json(Some(Box::new(j))),
            Self::Text(t) => Value::String(Some(t)),
            Self::Bytes(b) => Value::Bytes(Some(b)),
        }
    }

    /// The canonical text of the value, the same whichever side it was read from: a type tag,
    /// then integers in decimal, doubles as their exact bits, timestamps in UTC to the
    /// microsecond, JSON with sorted keys, bytes in hex. NULL (`N`) differs from `''` (`T:`).
    #[must_use]
    pub(crate) fn canonical(&self) -> String {
        match self {
            Self::Null => "N".to_owned(),
            Self::BigInt(i) => format!("I:{i}"),
            Self::Double(d) => format!("D:{:016x}", d.to_bits()),
            Self::Boolean(b) => format!("B:{b}"),
            Self::Timestamp(t) => format!("S:{}", t.to_rfc3339_opts(SecondsFormat::Micros, true)),
            Self::Json(j) => format!("J:{}", canonical_json(j)),
            Self::Text(t) => format!("T:{t}"),
            Self::Bytes(b) => format!("X:{}", hex(b)),
        }
    }
}

/// JSON text with every object's keys sorted (jsonb reorders keys).
fn canonical_json(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let inner: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| {
                    format!(
                        "{}:{}",
                        serde_json::Value::from(k.as_str()),
                        canonical_json(v)
                    )
                })
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        serde_json::Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(canonical_json).collect();
            format!("[{}]", inner.join(","))
        }
        serde_json::Value::Number(n) => canonical_number(n),
        other => other.to_string(),
    }
}

/// A JSON number by its value, not its spelling: jsonb keeps numbers as `numeric` and writes
/// `1e2` back as `100` and `1.50` as `1.50`, so integral values print as integers and the rest
/// as the double they parse to (correctly rounded, so both spellings give the same double).
fn canonical_number(n: &serde_json::Number) -> String {
    /// 2^63 and 2^64 as doubles: the integral doubles below them fit i64 and u64.
    const I64_END: f64 = 9_223_372_036_854_775_808.0;
    const U64_END: f64 = 18_446_744_073_709_551_616.0;
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    let f = n.as_f64().unwrap_or(f64::NAN);
    let integral = f.is_finite() && f.fract().to_bits() == 0;
    if integral && (-I64_END..I64_END).contains(&f) {
        (f as i64).to_string()
    } else if integral && (0.0..U64_END).contains(&f) {
        (f as u64).to_string()
    } else {
        format!("{f:?}")
    }
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_fit_or_say_why_not() {
        assert_eq!(
            convert(&SourceValue::Integer(3), PgType::Double),
            Ok(Cell::Double(3.0))
        );
        assert!(convert(&SourceValue::Integer(1 << 60), PgType::Double).is_err());
        assert_eq!(
            convert(&SourceValue::Text(String::new()), PgType::Jsonb),
            Err("empty string")
        );
        assert_eq!(
            convert(&SourceValue::Text("hi".into()), PgType::Jsonb),
            Err("not JSON")
        );
        assert_eq!(
            convert(&SourceValue::Text("{}".into()), PgType::Jsonb),
            Ok(Cell::Json(serde_json::json!({})))
        );
        assert_eq!(
            convert(&SourceValue::Real(1.5), PgType::Text),
            Ok(Cell::Text("1.5".into()))
        );
        assert_eq!(
            convert(&SourceValue::Null, PgType::Timestamptz),
            Ok(Cell::Null)
        );
        assert!(convert(&SourceValue::Integer(2), PgType::Boolean).is_err());
    }

    #[test]
    fn canonical_text_keeps_null_apart_from_empty_and_sorts_keys() {
        assert_ne!(
            Cell::Null.canonical(),
            Cell::Text(String::new()).canonical()
        );
        let a = Cell::Json(serde_json::json!({"b": 1, "a": [true, {"d": null, "c": "x"}]}));
        assert_eq!(a.canonical(), r#"J:{"a":[true,{"c":"x","d":null}],"b":1}"#);
        assert_ne!(
            Cell::Double(0.1).canonical(),
            Cell::Double(0.1f64.next_up()).canonical()
        );
    }

    #[test]
    fn json_numbers_compare_by_value_as_jsonb_rewrites_them() {
        let json = |text: &str| Cell::Json(serde_json::from_str(text).expect("JSON")).canonical();
        assert_eq!(json("[1e2, 1.0, -0.0, 1.5E+3]"), json("[100, 1, 0, 1500]"));
        assert_eq!(json("[1e19]"), json("[10000000000000000000]"));
        assert_eq!(
            json("[1e20, 0.25]"),
            json("[100000000000000000000, 2.5e-1]")
        );
        assert_ne!(json("[1]"), json("[\"1\"]"));
        assert_ne!(json("[0.1]"), json("[0.2]"));
    }
}
