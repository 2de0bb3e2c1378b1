//! `memdb migrate`: the legacy migration track, with a guard on the actions that destroy data.

use anyhow::{Context as _, Result, bail};
use memdb_migration::{MigrationStatus, Migrator, MigratorTrait};
use sea_orm::DatabaseConnection;

use crate::cli::{Confirm, MigrateCommand};
use crate::output::{StdoutError, out, outln};
use crate::status;

/// Runs one migrate action and prints what changed and the resulting migration status.
pub(crate) async fn run(db: &DatabaseConnection, action: MigrateCommand) -> Result<()> {
    if let MigrateCommand::Status = action {
        out!(
            "{}",
            status::render_migrations(&status::migrations(db).await?)
        )?;
        return Ok(());
    }
    let before = status::applied(db).await?;
    // Fresh and refresh re-apply what they remove, so a before/after diff would show nothing.
    let summary = match action {
        MigrateCommand::Status => return Ok(()),
        MigrateCommand::Up { steps } => {
            Migrator::up(db, steps)
                .await
                .context("applying migrations")?;
            None
        }
        MigrateCommand::Down { steps, confirm } => {
            guard(db, "roll back migrations", confirm).await?;
            Migrator::down(db, Some(steps))
                .await
                .context("rolling back migrations")?;
            None
        }
        MigrateCommand::Fresh { confirm } => {
            guard_foreign_tables(db, confirm).await?;
            guard(db, "drop every table", confirm).await?;
            Migrator::fresh(db)
                .await
                .context("dropping every table and re-applying migrations")?;
            Some("dropped every table in the schema and applied every migration")
        }
        MigrateCommand::Refresh { confirm } => {
            guard(db, "refresh the schema", confirm).await?;
            Migrator::refresh(db)
                .await
                .context("rolling back and re-applying migrations")?;
            Some("rolled back and re-applied every migration")
        }
        MigrateCommand::Reset { confirm } => {
            guard(db, "reset the schema", confirm).await?;
            Migrator::reset(db)
                .await
                .context("rolling back every migration")?;
            None
        }
    };
    let migrations = status::migrations(db).await?;
    if let Some(summary) = summary {
        outln!("{summary}")?;
    } else {
        let after: Vec<String> = migrations
            .iter()
            .filter(|(_, s)| *s == MigrationStatus::Applied)
            .map(|(name, _)| name.clone())
            .collect();
        print_changes(&before, &after)?;
    }
    outln!()?;
    out!("{}", status::render_migrations(&migrations))?;
    Ok(())
}

/// Refuses a destructive action while memdb tables hold rows, unless `--yes` was given.
async fn guard(db: &DatabaseConnection, action: &str, confirm: Confirm) -> Result<()> {
    if confirm.yes {
        return Ok(());
    }
    let rows = status::total_rows(&status::table_rows(db).await?);
    if rows > 0 {
        bail!(
            "refusing to {action}: the database holds {rows} rows in memdb tables; \
             pass --yes to proceed and lose them"
        );
    }
    Ok(())
}

/// Refuses `fresh`, which drops every table in the schema, while tables memdb does not own
/// exist there, unless `--yes` was given.
async fn guard_foreign_tables(db: &DatabaseConnection, confirm: Confirm) -> Result<()> {
    let foreign = status::foreign_tables(db).await?;
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
