//! Statements built through sea-query once per process and backend, then sent with each call's
//! values.
//!
//! Building and rendering a statement with subqueries costs 15–25 µs a call (the queue's claim),
//! a noticeable share of a call that the database answers in 100–300 µs. A template is the
//! statement rendered once with a *marker* value in place of each argument; the values of the
//! rendered statement that equal a marker become that argument's slots, and every other value
//! (a status, a literal the builder bound) is kept as rendered. Later calls reuse the SQL text
//! and fill the slots. The builder stays the one description of the statement.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

use sea_orm::{DbBackend, Statement, Value};

use crate::prerendered::{backend_index, get_or_make};

/// Where a rendered statement's value comes from.
#[derive(Debug)]
enum Slot {
    /// The same value on every call.
    Fixed(Value),
    /// The call's argument of this index.
    Argument(usize),
}

/// A statement's SQL text and where each of its values comes from.
#[derive(Debug)]
pub(crate) struct Template {
    backend: DbBackend,
    sql: Arc<str>,
    slots: Vec<Slot>,
}

impl Template {
    /// Renders `statement` (built with `markers` as its arguments) into a template.
    ///
    /// # Panics
    /// When a marker is missing from the statement's values: the builder ignored an argument,
    /// so the template could never bind it (a programming error, caught by any test that runs
    /// the statement).
    fn render(markers: &[Value], statement: &Statement) -> Self {
        let values = statement.values.as_ref().map_or(&[][..], |v| &v.0[..]);
        let slots: Vec<Slot> = values
            .iter()
            .map(|value| match markers.iter().position(|m| m == value) {
                Some(index) => Slot::Argument(index),
                None => Slot::Fixed(value.clone()),
            })
            .collect();
        for index in 0..markers.len() {
            assert!(
                slots
                    .iter()
                    .any(|slot| matches!(slot, Slot::Argument(i) if *i == index)),
                "argument {index} does not appear in the statement"
            );
        }
        Self {
            backend: statement.db_backend,
            sql: statement.sql.as_str().into(),
            slots,
        }
    }

    /// The statement with `arguments` (in the order of the markers it was rendered with).
    pub(crate) fn with(&self, arguments: &[Value]) -> Statement {
        let values = self.slots.iter().map(|slot| match slot {
            Slot::Fixed(value) => value.clone(),
            Slot::Argument(index) => arguments[*index].clone(),
        });
        Statement::from_sql_and_values(self.backend, self.sql.as_ref(), values)
    }
}

/// A template's name and its backend's index.
type Key = (&'static str, u8);

static TEMPLATES: LazyLock<RwLock<HashMap<Key, Arc<Template>>>> = LazyLock::new(RwLock::default);

/// The template named `name` on `backend`; on first use, `build(markers)` renders it. `name`
/// must be unique to the statement, and `markers` must be values no other part of the statement
/// binds (see [`marker_text`], [`marker_time`]).
pub(crate) fn template(
    name: &'static str,
    backend: DbBackend,
    markers: &[Value],
    build: impl FnOnce() -> Statement,
) -> Arc<Template> {
    get_or_make(&TEMPLATES, (name, backend_index(backend)), || {
        Arc::new(Template::render(markers, &build()))
    })
}

/// A text marker: a control character no validated input contains, then `name`.
pub(crate) fn marker_text(name: &str) -> String {
    format!("\u{1}memdb template argument {name}")
}

/// A timestamp marker, told apart by its nanoseconds (`index` of them past 1970-01-01T00:00:00
/// UTC plus 123 ms), which no stored timestamp has.
pub(crate) fn marker_time(index: u32) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::from_timestamp(0, 123_000_000 + index)
        .expect("a fixed, valid instant")
        .fixed_offset()
}

#[cfg(test)]
mod tests {
    use sea_orm::sea_query::{Expr, ExprTrait, Query};

    use super::*;

    fn build(
        backend: DbBackend,
        name: &str,
        at: chrono::DateTime<chrono::FixedOffset>,
    ) -> Statement {
        let update = Query::update()
            .table("tasks")
            .value("status", "running")
            .value("started_at", at)
            .value("last_updated_at", at)
            .and_where(Expr::col("agent_type").eq(name))
            .to_owned();
        backend.build(&update)
    }

    #[test]
    fn the_statement_is_rendered_once_and_sent_with_each_calls_values() {
        let name = marker_text("name");
        let at = marker_time(0);
        let markers = [Value::from(name.as_str()), Value::from(at)];
        let mut builds = 0;
        for backend in [DbBackend::Postgres, DbBackend::Sqlite, DbBackend::Postgres] {
            let template = template("test update", backend, &markers, || {
                builds += 1;
                build(backend, &name, at)
            });
            let now = chrono::Utc::now().fixed_offset();
            let statement = template.with(&[Value::from("writer"), Value::from(now)]);
            let expected = build(backend, "writer", now);
            assert_eq!(statement.sql, expected.sql);
            assert_eq!(statement.values, expected.values);
        }
        assert_eq!(builds, 2, "once per backend");
    }

    #[test]
    #[should_panic(expected = "argument 1 does not appear")]
    fn a_marker_the_statement_lacks_is_refused() {
        let markers = [
            Value::from(marker_text("name")),
            Value::from(marker_time(1)),
        ];
        let statement = build(DbBackend::Sqlite, &marker_text("name"), marker_time(2));
        let _ = Template::render(&markers, &statement);
    }
}
