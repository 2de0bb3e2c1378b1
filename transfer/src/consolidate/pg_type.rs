//! The PostgreSQL types a column can get, and the order in which a column falls back when a
//! value does not fit.

use serde::Serialize;

/// A target column's PostgreSQL type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum PgType {
    /// `bigint`: SQLite integers.
    BigInt,
    /// `double precision`: SQLite reals, and integers that a double holds exactly.
    Double,
    /// `boolean`: 0 and 1 in a column declared BOOLEAN.
    Boolean,
    /// `timestamptz`: timestamp text (see [`super::timestamp`]).
    Timestamptz,
    /// `jsonb`: JSON objects and arrays.
    Jsonb,
    /// `text`.
    Text,
    /// `bytea`: blobs, and any value as its bytes when a column mixes blobs with others.
    Bytea,
}

impl PgType {
    /// The type as written in DDL.
    #[must_use]
    pub fn sql(self) -> &'static str {
        match self {
            Self::BigInt => "bigint",
            Self::Double => "double precision",
            Self::Boolean => "boolean",
            Self::Timestamptz => "timestamptz",
            Self::Jsonb => "jsonb",
            Self::Text => "text",
            Self::Bytea => "bytea",
        }
    }

    /// The types a column preferring `self` may end up with, `self` first: the first one
    /// every value fits is chosen. `bytea` takes any value, so the chain always ends.
    #[must_use]
    pub fn fallbacks(self) -> &'static [PgType] {
        use PgType::{BigInt, Boolean, Bytea, Double, Jsonb, Text, Timestamptz};
        match self {
            BigInt => &[BigInt, Double, Text, Bytea],
            Double => &[Double, Text, Bytea],
            Boolean => &[Boolean, BigInt, Double, Text, Bytea],
            Timestamptz => &[Timestamptz, Text, Bytea],
            Jsonb => &[Jsonb, Text, Bytea],
            Text => &[Text, Bytea],
            Bytea => &[Bytea],
        }
    }
}

impl std::fmt::Display for PgType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.sql())
    }
}
