//! Statements built through sea-query once per process and backend, then sent with each call's
//! values.
//!
//! Building and rendering a statement with subqueries costs 15–25 µs a call (the queue's claim),
//! a noticeable share of a call that the database answers in 100–300 µs. A template is the
//! statement rendered once with a *marker* value in place of each argument; the values of the
//! rendered statement that equal a marker become that argument's slots, and every other value
//! (a status, a literal the builder bound) is kept as rendered. Later calls reuse the SQL text
//! and fill the slots. The builder stays the one description of the statement.
//!
//! The statement is rendered twice, with two different sets of markers, and both renderings
//! must agree on the text, the slots and every kept value: a value built from an argument in a
//! way that no longer equals its marker (another type, a conversion) would otherwise be kept
//! as the marker itself on every call.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

use sea_orm::{DbBackend, Statement, Value};

use crate::prerendered::{backend_index, get_or_make};

/// Where a rendered statement's value comes from.
#[derive(Debug, PartialEq)]
enum Slot {
    /// The same value on every call.
    Fixed(Value),
    /// The call's argument of this index.
    Argument(usize),
}

/// A statement's SQL text and where each of its values comes from.
#[derive(Debug, PartialEq)]
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

/// The template named `name` on `backend`. On first use `build(set)` is called for the marker
/// sets 0 and 1: it returns that set's markers (one per argument; see [`marker_text`],
/// [`marker_time`]) and the statement built with them. `name` must be unique to the statement.
///
/// # Panics
/// When the two renderings disagree, or a marker is missing from its statement: the builder
/// does not use an argument as given (a programming error, caught by any test that runs the
/// statement).
pub(crate) fn template(
    name: &'static str,
    backend: DbBackend,
    build: impl Fn(u32) -> (Vec<Value>, Statement),
) -> Arc<Template> {
    get_or_make(&TEMPLATES, (name, backend_index(backend)), || {
        let [first, second] = [0, 1].map(|set| {
            let (markers, statement) = build(set);
            Template::render(&markers, &statement)
        });
        assert_eq!(
            first, second,
            "template {name}: a value does not follow the argument it is built from"
        );
        Arc::new(first)
    })
}

/// A text marker of marker set `set`: a control character no validated input contains, then
/// `name`.
pub(crate) fn marker_text(name: &str, set: u32) -> String {
    format!("\u{1}memdb template argument {name}, set {set}")
}

/// A timestamp marker of marker set `set`, told apart by its nanoseconds past 1970-01-01T00:00:00
/// UTC (123 ms, then `set` and `index`), which no stored timestamp has.
pub(crate) fn marker_time(index: u32, set: u32) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::from_timestamp(0, 123_000_000 + set * 1_000 + index)
        .expect("a fixed, valid instant")
        .fixed_offset()
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use chrono::{DateTime, FixedOffset, Utc};
    use sea_orm::sea_query::{Expr, ExprTrait, Query};

    use super::*;

    /// An `UPDATE` of one agent type's tasks stamped `at`; with `convert`, the second stamp is
    /// written as UTC, a value of another type than `at`.
    fn build(
        backend: DbBackend,
        name: &str,
        at: DateTime<FixedOffset>,
        convert: bool,
    ) -> Statement {
        let mut update = Query::update();
        update
            .table("tasks")
            .value("status", "running")
            .value("started_at", at);
        if convert {
            update.value("last_updated_at", at.with_timezone(&Utc));
        } else {
            update.value("last_updated_at", at);
        }
        update.and_where(Expr::col("agent_type").eq(name));
        backend.build(&update)
    }

    fn markers(set: u32) -> (String, DateTime<FixedOffset>) {
        (marker_text("name", set), marker_time(0, set))
    }

    #[test]
    fn the_statement_is_rendered_once_and_sent_with_each_calls_values() {
        let builds = Cell::new(0);
        for backend in [DbBackend::Postgres, DbBackend::Sqlite, DbBackend::Postgres] {
            let template = template("test update", backend, |set| {
                builds.set(builds.get() + 1);
                let (name, at) = markers(set);
                let values = vec![Value::from(name.as_str()), Value::from(at)];
                (values, build(backend, &name, at, false))
            });
            let now = Utc::now().fixed_offset();
            let statement = template.with(&[Value::from("writer"), Value::from(now)]);
            let expected = build(backend, "writer", now, false);
            assert_eq!(statement.sql, expected.sql);
            assert_eq!(statement.values, expected.values);
        }
        assert_eq!(builds.get(), 4, "twice per backend, on first use only");
    }

    #[test]
    #[should_panic(expected = "does not follow the argument")]
    fn a_value_converted_from_an_argument_is_refused() {
        let _ = template("test converted", DbBackend::Sqlite, |set| {
            let (name, at) = markers(set);
            let values = vec![Value::from(name.as_str()), Value::from(at)];
            (values, build(DbBackend::Sqlite, &name, at, true))
        });
    }

    #[test]
    #[should_panic(expected = "argument 1 does not appear")]
    fn a_marker_the_statement_lacks_is_refused() {
        let (name, at) = markers(0);
        let statement = build(DbBackend::Sqlite, &name, marker_time(2, 0), false);
        let _ = Template::render(&[Value::from(name.as_str()), Value::from(at)], &statement);
    }
}
