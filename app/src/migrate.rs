//! `memdb migrate`: the migration tracks step by step, with a guard on the actions that destroy
//! data. What each action does to which track, and what it refuses, is decided by
//! `memdb_migration::plan`; this module confirms, runs and reports.

use anyhow::{Context as _, Result, bail};
use memdb_migration::Tracks;
use memdb_migration::inspect;
use memdb_migration::plan::{self, Action};
use sea_orm::DatabaseConnection;

use crate::cli::{Confirm, MigrateCommand};
use crate::output::{StdoutError, out, outln};
use crate::status;

/// Runs one migrate action and prints what changed and the resulting migration status.
pub(crate) async fn run(
    db: &DatabaseConnection,
    tracks: &Tracks,
    action: MigrateCommand,
) -> Result<()> {
    let (action, track, confirm) = match action {
        MigrateCommand::Status { track } => {
            if let Some(name) = track.only() {
                tracks.get(name)?;
            }
            let status = status::read(db, tracks).await?;
            out!("{}", status::render_migrations(&status, track.only()))?;
            return Ok(());
        }
        MigrateCommand::Fresh { confirm } => return fresh(db, tracks, confirm).await,
        MigrateCommand::Up { steps, track } => (Action::Up { steps }, track, None),
        MigrateCommand::Down {
            steps,
            track,
            confirm,
        } => (Action::Down { steps }, track, Some(confirm)),
        MigrateCommand::Refresh { track, confirm } => (Action::Refresh, track, Some(confirm)),
        MigrateCommand::Reset { track, confirm } => (Action::Reset, track, Some(confirm)),
    };
    let only = track.only();
    let before = status::read(db, tracks).await?.applied_names();
    let plan = plan::plan(db, tracks, action, only).await?;
    if let Some(confirm) = confirm {
        guard(db, describe(action), &plan.tables_at_risk(), confirm).await?;
    }
    plan::execute(db, &plan)
        .await
        .context("running the migrations")?;
    let after = status::read(db, tracks).await?;
    if action == Action::Refresh && !plan.is_empty() {
        // Refresh re-applies what it removes, so a before/after diff would show nothing.
        match only {
            Some(track) => outln!("rolled back and re-applied every migration of track {track}")?,
            None => outln!("rolled back and re-applied every migration")?,
        }
    } else {
        print_changes(&before, &after.applied_names())?;
    }
    outln!()?;
    out!("{}", status::render_migrations(&after, None))?;
    Ok(())
}

/// Drops every table and re-applies every track, behind both guards.
async fn fresh(db: &DatabaseConnection, tracks: &Tracks, confirm: Confirm) -> Result<()> {
    guard_foreign_tables(db, tracks, confirm).await?;
    guard(db, "drop every table", &tracks.tables(), confirm).await?;
    plan::fresh(db, tracks)
        .await
        .context("dropping every table and re-applying migrations")?;
    outln!("dropped every table in the schema and applied every migration")?;
    outln!()?;
    out!(
        "{}",
        status::render_migrations(&status::read(db, tracks).await?, None)
    )?;
    Ok(())
}

/// How the guard's refusal names an action.
fn describe(action: Action) -> &'static str {
    match action {
        Action::Up { .. } => "apply migrations",
        Action::Down { .. } => "roll back migrations",
        Action::Refresh => "refresh the schema",
        Action::Reset => "reset the schema",
    }
}

/// Refuses a destructive action while `tables` hold rows, unless `--yes` was given.
async fn guard(
    db: &DatabaseConnection,
    action: &str,
    tables: &[&'static str],
    confirm: Confirm,
) -> Result<()> {
    if confirm.yes {
        return Ok(());
    }
    let counts = inspect::row_counts(db, tables)
        .await
        .context("counting the rows at risk")?;
    let rows = inspect::total_rows(&counts);
    if rows > 0 {
        bail!(
            "refusing to {action}: the database holds {rows} rows in memdb tables; \
             pass --yes to proceed and lose them"
        );
    }
    Ok(())
}

/// Refuses `fresh`, which drops every table in the schema, while tables no known track owns
/// exist there, unless `--yes` was given.
async fn guard_foreign_tables(
    db: &DatabaseConnection,
    tracks: &Tracks,
    confirm: Confirm,
) -> Result<()> {
    let foreign = inspect::foreign_tables(db, tracks)
        .await
        .context("listing the tables of the schema")?;
    if !confirm.yes && !foreign.is_empty() {
        bail!(
            "refusing to drop every table: the schema also holds tables memdb does not own ({}); \
             pass --yes to drop them too",
            foreign.join(", ")
        );
    }
    Ok(())
}

/// Prints "applied <name>" for each migration applied since `before`, "rolled back <name>" for
/// each one no longer applied, or "no migration changed" when nothing did.
pub(crate) fn print_changes(before: &[String], after: &[String]) -> Result<(), StdoutError> {
    let rolled_back: Vec<&String> = before.iter().rev().filter(|m| !after.contains(m)).collect();
    let applied: Vec<&String> = after.iter().filter(|m| !before.contains(m)).collect();
    for name in &rolled_back {
        outln!("rolled back {name}")?;
    }
    for name in &applied {
        outln!("applied {name}")?;
    }
    if rolled_back.is_empty() && applied.is_empty() {
        outln!("no migration changed")?;
    }
    Ok(())
}
