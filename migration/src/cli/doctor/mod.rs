//! `doctor`: is this database healthy? The backend's own consistency checks (SQLite
//! `integrity_check` and `foreign_key_check`; PostgreSQL invalid indexes and constraints not
//! validated), per track the pending, unknown and checksum-mismatched migrations and the drift
//! between what the applied migrations create and the live schema, tracks this build does not
//! know, the drift between the generated entities a binary links and the live tables, and
//! whether each task's count of dependents matches its dependency edges.
//!
//! The report is a table (CHECK, STATUS, DETAIL) or JSON; any problem makes the command fail
//! ([`CliError::Unhealthy`], exit code 1) after the report is printed.

mod checks;
mod task_counts;

use sea_orm_migration::sea_orm::DatabaseConnection;
use serde_json::{Value, json};

use super::error::CliError;
use super::output::{out, outln};
use super::{Context, table};
use crate::dialect::backend_name;
use crate::drift::entity::EntityShape;

/// Entities a binary links, checked against the live tables under one name.
#[derive(Clone, Debug)]
pub struct EntitySet {
    /// The set's name in the report (the entity crate's).
    pub name: &'static str,
    /// Its entities ([`EntityShape::of`]).
    pub entities: Vec<EntityShape>,
}

/// One row of the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// What was checked.
    pub name: String,
    /// What is wrong; empty when the check passed.
    pub problems: Vec<String>,
    /// What a passing check says.
    pub ok_detail: String,
}

impl Check {
    fn new(name: String, problems: Vec<String>, ok_detail: &str) -> Self {
        Self {
            name,
            problems,
            ok_detail: ok_detail.to_owned(),
        }
    }

    /// Whether the check passed.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }

    fn status(&self) -> &'static str {
        if self.is_ok() { "ok" } else { "problem" }
    }

    fn detail(&self) -> String {
        if self.is_ok() {
            self.ok_detail.clone()
        } else {
            self.problems.join("; ")
        }
    }
}

/// Runs every check on `db` over `ctx`'s tracks and `entities`, and prints the report (JSON
/// with `json`).
///
/// # Errors
/// [`CliError::Unhealthy`] after the report when a check found a problem; the database's
/// error; writing the report failed.
pub async fn doctor(
    db: &DatabaseConnection,
    ctx: &Context<'_>,
    entities: &[EntitySet],
    json: bool,
) -> Result<(), CliError> {
    let checks = checks::run(db, ctx.tracks, entities).await?;
    if json {
        outln!("{:#}", report_json(db, &checks))?;
    } else {
        let rows: Vec<Vec<String>> = checks
            .iter()
            .map(|c| vec![c.name.clone(), c.status().to_owned(), c.detail()])
            .collect();
        out!("{}", table::render(&["CHECK", "STATUS", "DETAIL"], &rows))?;
    }
    let problems = checks.iter().filter(|c| !c.is_ok()).count();
    if problems > 0 {
        return Err(CliError::Unhealthy { problems });
    }
    Ok(())
}

/// `{"healthy", "backend", "checks": [{"check", "status" ("ok"|"problem"), "detail",
/// "problems": [..]}]}`.
fn report_json(db: &DatabaseConnection, checks: &[Check]) -> Value {
    let rows: Vec<Value> = checks
        .iter()
        .map(|c| {
            json!({
                "check": c.name,
                "status": c.status(),
                "detail": c.detail(),
                "problems": c.problems,
            })
        })
        .collect();
    json!({
        "healthy": checks.iter().all(Check::is_ok),
        "backend": backend_name(sea_orm_migration::sea_orm::ConnectionTrait::get_database_backend(db)),
        "checks": rows,
    })
}
