//! Filters on a SQLite JSON text column, with the JSON functions: `json_type` tells the JSON
//! type (SQL `NULL` for a missing path, `'null'` for JSON null), `json_extract` the SQL value
//! (`1`/`0` for `true`/`false`, hence every numeric test also checks the type), `json_each` the
//! elements of an array. Each piece yields `0`/`1`, never `NULL`: types are tested with `IS`,
//! or `coalesce`d, and a value is only compared in conjunction with its type test, which is
//! false when the path is missing.
//!
//! Paths are bound (`$."a"."b"`), except a one-key path of a declared hot key, written as the
//! literal `'$.<key>'` so the expression matches an index on `json_extract(<column>,
//! '$.<key>')` (SQLite matches index expressions with qualified and unqualified columns alike).

use sea_orm::sea_query::Value as SqlValue;
use serde_json::{Number, Value};

use super::compile::Sql;
use super::{CompareOp, KeyPath, MetadataFilter, Scalar};

/// A JSON document (the column, or an element of an array being searched) and a path in it.
#[derive(Clone)]
struct Target<'a> {
    doc: &'a str,
    path: Vec<&'a str>,
    /// Whether `doc` is the filtered column itself (only there a hot key has its index).
    on_column: bool,
}

impl<'a> Target<'a> {
    fn child(&self, key: &'a str) -> Self {
        let mut path = self.path.clone();
        path.push(key);
        Self {
            doc: self.doc,
            path,
            on_column: self.on_column,
        }
    }
}

struct Compiler<'h> {
    sql: &'h mut Sql,
    hot_keys: &'h [&'static str],
}

pub(super) fn condition(sql: &mut Sql, col: &str, filter: &MetadataFilter, hot: &[&'static str]) {
    Compiler { sql, hot_keys: hot }.filter(col, filter);
}

impl Compiler<'_> {
    fn filter(&mut self, col: &str, filter: &MetadataFilter) {
        fn at<'a>(col: &'a str, path: &'a KeyPath) -> Target<'a> {
            Target {
                doc: col,
                path: path.segments().iter().map(String::as_str).collect(),
                on_column: true,
            }
        }
        match filter {
            MetadataFilter::Contains(pattern) => {
                let top = Target {
                    doc: col,
                    path: Vec::new(),
                    on_column: true,
                };
                self.contains(&top, pattern);
            }
            MetadataFilter::Compare { path, op, value } => self.compare(&at(col, path), *op, value),
            MetadataFilter::In { path, values } => self.one_of(&at(col, path), values),
            MetadataFilter::Exists { path } => {
                self.function("json_type", &at(col, path));
                self.sql.push(" IS NOT NULL");
            }
            MetadataFilter::And(filters) => self.each(filters, " AND ", "1", col),
            MetadataFilter::Or(filters) => self.each(filters, " OR ", "0", col),
            MetadataFilter::Not(inner) => {
                self.sql.push("NOT (");
                self.filter(col, inner);
                self.sql.push(")");
            }
        }
    }

    fn each(&mut self, filters: &[MetadataFilter], separator: &str, empty: &str, col: &str) {
        if filters.is_empty() {
            self.sql.push(empty);
            return;
        }
        self.sql.push("(");
        for (i, f) in filters.iter().enumerate() {
            if i > 0 {
                self.sql.push(separator);
            }
            self.filter(col, f);
        }
        self.sql.push(")");
    }

    /// `name(doc, path)`, or `name(doc)` for the document itself.
    fn function(&mut self, name: &str, target: &Target<'_>) {
        self.sql.push(name);
        self.sql.push("(");
        self.sql.push(target.doc);
        match target.path.as_slice() {
            [] => {}
            [key] if target.on_column && self.hot_keys.contains(key) => {
                // A key from code, checked against the key rule: the index's own expression.
                self.sql.push(", '$.");
                self.sql.push(key);
                self.sql.push("'");
            }
            keys => {
                let mut path = String::from("$");
                for key in keys {
                    path.push_str(".\"");
                    path.push_str(key);
                    path.push('"');
                }
                self.sql.push(", ");
                self.sql.bind(path);
            }
        }
        self.sql.push(")");
    }

    /// A test of the JSON type at `target`, `0`/`1` (also when the path is missing).
    fn type_is(&mut self, target: &Target<'_>, json_type: &str) {
        if json_type == "number" {
            self.sql.push("coalesce(");
            self.function("json_type", target);
            self.sql.push(" IN ('integer', 'real'), 0)");
        } else {
            self.function("json_type", target);
            self.sql.push(" IS '");
            self.sql.push(json_type);
            self.sql.push("'");
        }
    }

    /// `(<type test> AND json_extract(target) <op> ?)`.
    fn typed(&mut self, target: &Target<'_>, json_type: &str, op: &str, value: SqlValue) {
        self.sql.push("(");
        self.type_is(target, json_type);
        self.sql.push(" AND ");
        self.function("json_extract", target);
        self.sql.push(" ");
        self.sql.push(op);
        self.sql.push(" ");
        self.sql.bind(value);
        self.sql.push(")");
    }

    fn compare(&mut self, target: &Target<'_>, op: CompareOp, operand: &Scalar) {
        match operand {
            Scalar::String(s) => self.typed(target, "text", op.sql(), s.clone().into()),
            Scalar::Number(n) => self.typed(target, "number", op.sql(), number(n)),
            // Validation leaves booleans only `eq` and `ne`.
            Scalar::Bool(b) => {
                let wanted = (*b) == (op == CompareOp::Eq);
                self.type_is(target, if wanted { "true" } else { "false" });
            }
        }
    }

    fn one_of(&mut self, target: &Target<'_>, values: &[Scalar]) {
        let (json_type, bound): (&str, Vec<SqlValue>) = match values.first() {
            Some(Scalar::String(_)) => (
                "text",
                values
                    .iter()
                    .filter_map(|v| match v {
                        Scalar::String(s) => Some(s.clone().into()),
                        _ => None,
                    })
                    .collect(),
            ),
            Some(Scalar::Number(_)) => (
                "number",
                values
                    .iter()
                    .filter_map(|v| match v {
                        Scalar::Number(n) => Some(number(n)),
                        _ => None,
                    })
                    .collect(),
            ),
            // Booleans (validation keeps a list to one type and never empty).
            _ => {
                self.sql.join(values, " OR ", "0", |sql, value| {
                    let wanted = matches!(value, Scalar::Bool(true));
                    Compiler {
                        sql,
                        hot_keys: self.hot_keys,
                    }
                    .type_is(target, if wanted { "true" } else { "false" });
                });
                return;
            }
        };
        self.sql.push("(");
        self.type_is(target, json_type);
        self.sql.push(" AND ");
        self.function("json_extract", target);
        self.sql.push(" IN (");
        for (i, value) in bound.into_iter().enumerate() {
            if i > 0 {
                self.sql.push(", ");
            }
            self.sql.bind(value);
        }
        self.sql.push("))");
    }

    /// PostgreSQL's `@>` of `pattern` at `target`.
    fn contains(&mut self, target: &Target<'_>, pattern: &Value) {
        match pattern {
            Value::Object(map) if map.is_empty() => self.type_is(target, "object"),
            Value::Object(map) => {
                self.sql.push("(");
                for (i, (key, value)) in map.iter().enumerate() {
                    if i > 0 {
                        self.sql.push(" AND ");
                    }
                    self.contains(&target.child(key), value);
                }
                self.sql.push(")");
            }
            Value::Array(items) => {
                self.sql.push("(");
                self.type_is(target, "array");
                for item in items {
                    self.sql.push(" AND ");
                    self.element(target, item);
                }
                self.sql.push(")");
            }
            Value::String(s) => self.typed(target, "text", "=", s.clone().into()),
            Value::Number(n) => self.typed(target, "number", "=", number(n)),
            Value::Bool(true) => self.type_is(target, "true"),
            Value::Bool(false) => self.type_is(target, "false"),
            Value::Null => self.type_is(target, "null"),
        }
    }

    /// `EXISTS` an element of the array at `target` that contains `item`.
    fn element(&mut self, target: &Target<'_>, item: &Value) {
        let alias = self.sql.alias();
        self.sql.push("EXISTS (SELECT 1 FROM ");
        self.function("json_each", target);
        self.sql.push(&format!(" AS {alias} WHERE "));
        let of_type = |json_type: &str| format!("{alias}.type = '{json_type}'");
        match item {
            Value::String(s) => {
                self.sql
                    .push(&format!("{} AND {alias}.atom = ", of_type("text")));
                self.sql.bind(s.clone());
            }
            Value::Number(n) => {
                self.sql.push(&format!(
                    "{alias}.type IN ('integer', 'real') AND {alias}.atom = "
                ));
                self.sql.bind(number(n));
            }
            Value::Bool(b) => self.sql.push(&of_type(if *b { "true" } else { "false" })),
            Value::Null => self.sql.push(&of_type("null")),
            Value::Array(_) | Value::Object(_) => {
                let json_type = if item.is_array() { "array" } else { "object" };
                // The CASE makes sure the element is JSON text of that type before the JSON
                // functions read it (a string element's `value` is its bare text).
                self.sql
                    .push(&format!("CASE WHEN {} THEN ", of_type(json_type)));
                let value = format!("{alias}.value");
                let element = Target {
                    doc: &value,
                    path: Vec::new(),
                    on_column: false,
                };
                self.contains(&element, item);
                self.sql.push(" ELSE 0 END");
            }
        }
        self.sql.push(")");
    }
}

/// A JSON number as SQLite compares it: an integer when it fits 64 bits, else a double.
fn number(n: &Number) -> SqlValue {
    match n.as_i64() {
        Some(i) => i.into(),
        None => n.as_f64().unwrap_or(0.0).into(),
    }
}
