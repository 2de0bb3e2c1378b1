//! One decoded column value ([`Cell`]): read the same way from either backend, written back
//! as the value the target's column type takes, and shown in its canonical text.

use chrono::{DateTime, FixedOffset, Timelike as _, Utc};
use sea_orm::{DbBackend, DbErr, QueryResult, Value};
use uuid::Uuid;

use super::canonical;
use super::json_text;

/// The integer width of a column, which PostgreSQL decodes and binds strictly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Width {
    /// `smallint`.
    I16,
    /// `integer`.
    I32,
    /// `bigint` (and every SQLite integer).
    I64,
}

/// What a column holds, from its declared type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Text of any length.
    Text,
    /// An integer.
    Integer(Width),
    /// A double precision float.
    Float,
    /// A boolean (an integer 0/1 on SQLite).
    Bool,
    /// A UUID (a 16-byte blob on SQLite).
    Uuid,
    /// JSON (`jsonb` on PostgreSQL, text on SQLite).
    Json,
    /// A timestamp with time zone (RFC 3339 text on SQLite).
    Time,
    /// Bytes.
    Bytes,
}

impl Kind {
    /// The kind of a column declared `declared` (either backend's spelling), `None` for a type
    /// the copy does not know.
    pub(crate) fn of(declared: &str) -> Option<Self> {
        let family = memdb_migration::dialect::catalog::type_family(declared)?;
        let declared = declared.to_ascii_lowercase();
        Some(match family {
            "text" => Self::Text,
            "integer" if declared.contains("smallint") || declared == "int2" => {
                Self::Integer(Width::I16)
            }
            "integer" if declared.contains("bigint") || declared == "int8" => {
                Self::Integer(Width::I64)
            }
            "integer" => Self::Integer(Width::I32),
            "number" => Self::Float,
            "boolean" => Self::Bool,
            "uuid" => Self::Uuid,
            "json" => Self::Json,
            "time" => Self::Time,
            "binary" => Self::Bytes,
            _ => return None,
        })
    }
}

/// A decoded value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cell {
    /// SQL NULL (distinct from the empty string).
    Null,
    /// Text.
    Text(String),
    /// An integer.
    Int(i64),
    /// A float, kept bit for bit.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A UUID.
    Uuid(Uuid),
    /// JSON as the source's text (never parsed into floats: numbers stay exact).
    Json(String),
    /// A UTC timestamp at microsecond precision (what PostgreSQL keeps): a SQLite value with
    /// more digits is truncated when read, so the copy writes and the checksum hashes the same.
    Time(DateTime<Utc>),
    /// Bytes.
    Bytes(Vec<u8>),
}

/// Reads column `idx` of `row` as `kind` from a `backend` row.
///
/// # Errors
/// The driver's error for a value the column's kind cannot decode.
pub(crate) fn decode(
    row: &QueryResult,
    idx: usize,
    kind: Kind,
    backend: DbBackend,
) -> Result<Cell, DbErr> {
    let postgres = backend == DbBackend::Postgres;
    Ok(match kind {
        Kind::Text => row
            .try_get_by_index::<Option<String>>(idx)?
            .map_or(Cell::Null, Cell::Text),
        Kind::Integer(Width::I16) if postgres => row
            .try_get_by_index::<Option<i16>>(idx)?
            .map_or(Cell::Null, |v| Cell::Int(v.into())),
        Kind::Integer(Width::I32) if postgres => row
            .try_get_by_index::<Option<i32>>(idx)?
            .map_or(Cell::Null, |v| Cell::Int(v.into())),
        Kind::Integer(_) => row
            .try_get_by_index::<Option<i64>>(idx)?
            .map_or(Cell::Null, Cell::Int),
        Kind::Float => row
            .try_get_by_index::<Option<f64>>(idx)?
            .map_or(Cell::Null, Cell::Float),
        Kind::Bool => row
            .try_get_by_index::<Option<bool>>(idx)?
            .map_or(Cell::Null, Cell::Bool),
        Kind::Uuid => row
            .try_get_by_index::<Option<Uuid>>(idx)?
            .map_or(Cell::Null, Cell::Uuid),
        // PostgreSQL's `jsonb` is selected as text ([`super::table::TableShape::select_list`]).
        Kind::Json => row
            .try_get_by_index::<Option<String>>(idx)?
            .map_or(Cell::Null, Cell::Json),
        Kind::Time => row
            .try_get_by_index::<Option<DateTime<FixedOffset>>>(idx)?
            .map_or(Cell::Null, |t| Cell::Time(to_micros(t.with_timezone(&Utc)))),
        Kind::Bytes => row
            .try_get_by_index::<Option<Vec<u8>>>(idx)?
            .map_or(Cell::Null, Cell::Bytes),
    })
}

/// `time` truncated to whole microseconds.
pub(crate) fn to_micros(time: DateTime<Utc>) -> DateTime<Utc> {
    let nanos = time.nanosecond();
    time.with_nanosecond(nanos - nanos % 1_000).unwrap_or(time)
}

impl Cell {
    /// The value to bind for a column of `kind` (a NULL typed as the column, as PostgreSQL
    /// wants it); a timestamp is written with offset `+00:00`, as memdb's repositories write
    /// them.
    pub(crate) fn to_value(&self, kind: Kind) -> Value {
        match (self, kind) {
            (Self::Null, kind) => null_of(kind),
            (Self::Text(s), _) => Value::String(Some(s.clone())),
            (Self::Int(v), Kind::Integer(Width::I16)) => {
                i16::try_from(*v).map_or(Value::BigInt(Some(*v)), |v| Value::SmallInt(Some(v)))
            }
            (Self::Int(v), Kind::Integer(Width::I32)) => {
                i32::try_from(*v).map_or(Value::BigInt(Some(*v)), |v| Value::Int(Some(v)))
            }
            (Self::Int(v), _) => Value::BigInt(Some(*v)),
            (Self::Float(v), _) => Value::Double(Some(*v)),
            (Self::Bool(v), _) => Value::Bool(Some(*v)),
            (Self::Uuid(v), _) => Value::Uuid(Some(*v)),
            // Bound as text; the insert casts it to `jsonb` on PostgreSQL.
            (Self::Json(v), _) => Value::String(Some(v.clone())),
            (Self::Time(t), _) => Value::ChronoDateTimeWithTimeZone(Some(t.fixed_offset())),
            (Self::Bytes(v), _) => Value::Bytes(Some(v.clone())),
        }
    }

    /// The canonical text of the value: the same for equal values read from either backend
    /// (tagged by type, so NULL, `''`, `0` and `false` all differ).
    pub(crate) fn canonical(&self) -> String {
        match self {
            Self::Null => "N".to_owned(),
            Self::Text(s) => format!("s{}", canonical::string(s)),
            Self::Int(v) => format!("i{v}"),
            Self::Float(v) => format!("f{}", canonical::float(*v)),
            Self::Bool(v) => format!("b{v}"),
            Self::Uuid(v) => format!("u{}", v.hyphenated()),
            Self::Json(v) => match json_text::canonical(v) {
                Some(canonical) => format!("j{canonical}"),
                // Not JSON: its text as it is, so it matches only the same text.
                None => format!("J{v}"),
            },
            Self::Time(t) => format!("t{}", t.format("%Y-%m-%dT%H:%M:%S%.6fZ")),
            Self::Bytes(v) => format!("x{}", canonical::hex(v)),
        }
    }

    /// The value for people (a key in a conflict report): text as it is, the rest canonical.
    pub(crate) fn display(&self) -> String {
        match self {
            Self::Null => "NULL".to_owned(),
            Self::Text(s) => s.clone(),
            Self::Int(v) => v.to_string(),
            Self::Uuid(v) => v.hyphenated().to_string(),
            other => other.canonical()[1..].to_owned(),
        }
    }

    /// The value as JSON, for the progress record's last key ([`Cell::from_json`] reads it).
    pub(crate) fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Self::Null => J::Null,
            Self::Text(s) => J::String(s.clone()),
            Self::Int(v) => J::from(*v),
            Self::Bool(v) => J::Bool(*v),
            other => J::String(other.display()),
        }
    }

    /// A value of `kind` from [`Cell::to_json`]'s form; `None` when it does not fit the kind.
    pub(crate) fn from_json(value: &serde_json::Value, kind: Kind) -> Option<Self> {
        use serde_json::Value as J;
        Some(match (value, kind) {
            (J::Null, _) => Self::Null,
            (J::String(s), Kind::Text) => Self::Text(s.clone()),
            (J::Number(n), Kind::Integer(_)) => Self::Int(n.as_i64()?),
            (J::String(s), Kind::Float) => Self::Float(s.parse().ok()?),
            (J::Bool(b), Kind::Bool) => Self::Bool(*b),
            (J::String(s), Kind::Uuid) => Self::Uuid(Uuid::parse_str(s).ok()?),
            (J::String(s), Kind::Json) => Self::Json(s.clone()),
            (J::String(s), Kind::Time) => Self::Time(
                DateTime::parse_from_rfc3339(&s.replace('Z', "+00:00"))
                    .ok()?
                    .with_timezone(&Utc),
            ),
            (J::String(s), Kind::Bytes) => Self::Bytes(canonical::unhex(s)?),
            _ => return None,
        })
    }
}

/// A NULL of the value type a column of `kind` binds.
fn null_of(kind: Kind) -> Value {
    match kind {
        // JSON is bound as its text.
        Kind::Text | Kind::Json => Value::String(None),
        Kind::Integer(Width::I16) => Value::SmallInt(None),
        Kind::Integer(Width::I32) => Value::Int(None),
        Kind::Integer(Width::I64) => Value::BigInt(None),
        Kind::Float => Value::Double(None),
        Kind::Bool => Value::Bool(None),
        Kind::Uuid => Value::Uuid(None),
        Kind::Time => Value::ChronoDateTimeWithTimeZone(None),
        Kind::Bytes => Value::Bytes(None),
    }
}
