//! `up --dry-run` / `down --dry-run` (alias `--sql`): the SQL each planned migration would run,
//! for the database's backend, printed and not run. Only reads: no lock, no tracking table,
//! and the binaries open a missing SQLite file as an empty in-memory database instead of
//! creating it.

use sea_orm_migration::sea_orm::DatabaseConnection;

use super::Context;
use super::error::CliError;
use super::output::outln;
use crate::plan::{self, Action, Direction, Operation};

/// Plans `action` on `db` and prints each migration's statements under a comment naming it.
pub(crate) async fn print(
    db: &DatabaseConnection,
    ctx: &Context<'_>,
    action: Action,
    only: Option<&str>,
) -> Result<(), CliError> {
    let plan = plan::plan(db, ctx.tracks, action, only).await?;
    if plan.is_empty() {
        outln!("-- nothing to do")?;
        return Ok(());
    }
    let backend = db.get_database_backend();
    for step in &plan.steps {
        let direction = match step.operation {
            Operation::Recreate => {
                outln!(
                    "-- track {}: recreate (disposable: drop {} and the tracking table {}, \
                     rows and all, then apply every migration)",
                    step.track.name,
                    step.track.tables.join(", "),
                    step.track.tracking_table
                )?;
                Direction::Up
            }
            Operation::Up(_) => Direction::Up,
            Operation::Down(_) | Operation::Reset => Direction::Down,
        };
        for name in &step.migrations {
            outln!(
                "-- track {}: {} {name}",
                step.track.name,
                match direction {
                    Direction::Up => "apply",
                    Direction::Down => "roll back",
                }
            )?;
            for statement in step.track.migrator.render(name, direction, backend).await? {
                outln!("{statement};")?;
            }
            outln!()?;
        }
    }
    Ok(())
}
