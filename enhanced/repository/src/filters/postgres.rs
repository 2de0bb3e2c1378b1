//! Filters on a PostgreSQL `jsonb` column. Containment, and `eq`/`in` written as containment,
//! are `@>` with the pattern bound as `jsonb`: the GIN `jsonb_path_ops` index serves them.
//! Other comparisons read the value at the path with `->` and a key bound as `text` (object
//! keys only: `->` with a text key never indexes into an array, as `jsonb_extract_path`
//! would), test its `jsonb_typeof` and only then cast it, in a `CASE`, whose order of
//! evaluation is guaranteed.

use serde_json::{Map, Value};

use super::compile::Sql;
use super::{CompareOp, KeyPath, MetadataFilter, Scalar};

pub(super) fn condition(sql: &mut Sql, col: &str, filter: &MetadataFilter) {
    match filter {
        MetadataFilter::Contains(pattern) => contains(sql, col, pattern),
        MetadataFilter::Compare {
            path,
            op: CompareOp::Eq,
            value,
        } => contains(sql, col, &nested(path, value)),
        MetadataFilter::Compare { path, op, value } => compare(sql, col, path, *op, value),
        MetadataFilter::In { path, values } => sql.join(values, " OR ", "FALSE", |sql, value| {
            contains(sql, col, &nested(path, value));
        }),
        MetadataFilter::Exists { path } => {
            value_at(sql, col, path);
            sql.push(" IS NOT NULL");
        }
        MetadataFilter::And(filters) => sql.join(filters, " AND ", "TRUE", |sql, f| {
            condition(sql, col, f);
        }),
        MetadataFilter::Or(filters) => sql.join(filters, " OR ", "FALSE", |sql, f| {
            condition(sql, col, f);
        }),
        MetadataFilter::Not(inner) => {
            sql.push("NOT (");
            condition(sql, col, inner);
            sql.push(")");
        }
    }
}

/// `col @> $n::jsonb`.
fn contains(sql: &mut Sql, col: &str, pattern: &Value) {
    sql.push(col);
    sql.push(" @> ");
    sql.bind(pattern.to_string());
    sql.push("::jsonb");
}

/// The pattern `{"a": {"b": value}}` of path `a.b`: containing it is having `value` there.
fn nested(path: &KeyPath, value: &Scalar) -> Value {
    path.segments()
        .iter()
        .rev()
        .fold(value.to_json(), |inner, key| {
            let mut map = Map::new();
            map.insert(key.clone(), inner);
            Value::Object(map)
        })
}

/// `(col -> $1::text -> $2::text)`: the `jsonb` at `path`, SQL `NULL` when it is missing.
fn value_at(sql: &mut Sql, col: &str, path: &KeyPath) {
    sql.push("(");
    sql.push(col);
    for key in path.segments() {
        sql.push(" -> ");
        sql.bind(key.clone());
        sql.push("::text");
    }
    sql.push(")");
}

/// `CASE WHEN jsonb_typeof(v) = '<type>' THEN <v as type> <op> <operand> ELSE FALSE END`.
fn compare(sql: &mut Sql, col: &str, path: &KeyPath, op: CompareOp, operand: &Scalar) {
    let json_type = match operand {
        Scalar::String(_) => "string",
        Scalar::Number(_) => "number",
        Scalar::Bool(_) => "boolean",
    };
    sql.push("CASE WHEN jsonb_typeof");
    value_at(sql, col, path);
    sql.push(" = '");
    sql.push(json_type);
    sql.push("' THEN ");
    match operand {
        Scalar::String(s) => {
            sql.push("(");
            value_at(sql, col, path);
            sql.push(" #>> '{}') COLLATE \"C\" ");
            sql.push(op.sql());
            sql.push(" (");
            sql.bind(s.clone());
            sql.push("::text COLLATE \"C\")");
        }
        Scalar::Number(n) => {
            value_at(sql, col, path);
            sql.push("::numeric ");
            sql.push(op.sql());
            sql.push(" ");
            // Bound as its JSON text: a `numeric` exactly, where a bound double would be
            // rounded to 15 digits by PostgreSQL's float8 -> numeric cast.
            sql.bind(n.to_string());
            sql.push("::numeric");
        }
        Scalar::Bool(b) => {
            value_at(sql, col, path);
            sql.push("::boolean ");
            sql.push(op.sql());
            sql.push(" ");
            sql.bind(*b);
            sql.push("::boolean");
        }
    }
    sql.push(" ELSE FALSE END");
}
