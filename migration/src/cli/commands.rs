//! The migrate commands: read-only ones read and print; the others take the deploy lock,
//! re-read the state under it, plan, guard, run and report.

use sea_orm_migration::sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, TransactionTrait,
};

use super::args::{Confirm, DowngradeTarget, MigrateCommand, UpgradeTarget};
use super::error::CliError;
use super::lock::DeployLock;
use super::output::{out, outln};
use super::{Context, checksums, recreate, render};
use crate::inspect::{self, SchemaStatus};
use crate::plan::{self, Action, Recreated};
use crate::track::TrackError;

/// What a schema change did: the applied migrations before and after, and whether there was
/// anything to do.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Whether the plan was empty (nothing ran).
    pub nothing_to_do: bool,
    /// Applied migrations before, every track in dependency order.
    pub before: Vec<String>,
    /// Applied migrations after.
    pub after: Vec<String>,
    /// The disposable tracks recreated (dropped and created empty) on the way.
    pub recreated: Vec<Recreated>,
}

/// Runs one migrate command and prints its report.
pub(crate) async fn run(
    db: &DatabaseConnection,
    ctx: &Context<'_>,
    command: MigrateCommand,
) -> Result<(), CliError> {
    let (action, track, confirm, dry_run) = match command {
        MigrateCommand::Status { track, json } => {
            let status = read_status(db, ctx, track.only()).await?;
            let checksums = checksums::recorded(db, &status).await?;
            if json {
                let json = render::migrations_json(&status, &checksums, track.only());
                outln!("{json:#}")?;
            } else {
                out!("{}", render::migrations(&status, &checksums, track.only()))?;
            }
            return Ok(());
        }
        MigrateCommand::Current { track, json } => {
            let status = read_status(db, ctx, track.only()).await?;
            if json {
                outln!("{:#}", render::current_json(&status, track.only()))?;
            } else {
                out!("{}", render::current(&status, track.only()))?;
            }
            return Ok(());
        }
        MigrateCommand::History { track, json } => {
            let status = read_status(db, ctx, track.only()).await?;
            let checksums = checksums::recorded(db, &status).await?;
            let mut applied = inspect::history(db, ctx.tracks).await?;
            applied.retain(|m| track.only().is_none_or(|name| m.track == name));
            if json {
                outln!("{:#}", render::history_json(&applied, &checksums))?;
            } else {
                out!("{}", render::history(&applied, &checksums))?;
            }
            return Ok(());
        }
        MigrateCommand::Repair { track } => return repair(db, ctx, track.only()).await,
        MigrateCommand::Stamp {
            target,
            track,
            force,
            json,
        } => return super::stamp::run(db, ctx, &target, track.only(), force, json).await,
        MigrateCommand::Doctor { json } => return super::doctor(db, ctx, &[], json).await,
        MigrateCommand::Backup(args) => return super::backup::run_backup(db, ctx, &args).await,
        MigrateCommand::Restore(args) => return super::backup::run_restore(db, ctx, &args).await,
        MigrateCommand::Fresh { confirm } => return fresh(db, ctx, confirm).await,
        MigrateCommand::Up {
            steps,
            track,
            dry_run,
        } => (Action::Up { steps }, track, None, dry_run.dry_run),
        MigrateCommand::Upgrade {
            target,
            track,
            dry_run,
        } => {
            let steps = match target {
                UpgradeTarget::Head => None,
                UpgradeTarget::Steps(n) => Some(n),
            };
            (Action::Up { steps }, track, None, dry_run.dry_run)
        }
        MigrateCommand::Down {
            steps,
            track,
            confirm,
            dry_run,
        } => (
            Action::Down { steps },
            track,
            Some(confirm),
            dry_run.dry_run,
        ),
        MigrateCommand::Downgrade {
            target,
            track,
            confirm,
            dry_run,
        } => {
            let steps = match target {
                DowngradeTarget::Base => u32::MAX,
                DowngradeTarget::Steps(n) => n,
            };
            (
                Action::Down { steps },
                track,
                Some(confirm),
                dry_run.dry_run,
            )
        }
        MigrateCommand::Refresh { track, confirm } => {
            (Action::Refresh, track, Some(confirm), false)
        }
        MigrateCommand::Reset { track, confirm } => (Action::Reset, track, Some(confirm), false),
    };
    let only = track.only();
    if dry_run {
        return super::dry_run::print(db, ctx, action, only).await;
    }
    let outcome = change(db, ctx, action, only, confirm).await?;
    if action == Action::Refresh && !outcome.nothing_to_do {
        // Refresh re-applies what it removes, so a before/after diff would show nothing.
        match only {
            Some(track) => outln!("rolled back and re-applied every migration of track {track}")?,
            None => outln!("rolled back and re-applied every migration")?,
        }
    } else {
        print_changes(&outcome)?;
    }
    outln!()?;
    print_status(db, ctx).await
}

/// Every track's migrations with their checksums, and the unknown tracks.
async fn print_status(db: &DatabaseConnection, ctx: &Context<'_>) -> Result<(), CliError> {
    let status = inspect::schema_status(db, ctx.tracks).await?;
    let checksums = checksums::recorded(db, &status).await?;
    out!("{}", render::migrations(&status, &checksums, None))?;
    Ok(())
}

/// Re-records the checksums of the applied migrations, under the deploy lock.
async fn repair(
    db: &DatabaseConnection,
    ctx: &Context<'_>,
    only: Option<&str>,
) -> Result<(), CliError> {
    if let Some(name) = only {
        ctx.tracks.get(name)?;
    }
    let lock = DeployLock::acquire(db, &ctx.database, ctx.lock_timeout).await?;
    let executor = lock.executor();
    let result = async {
        let mut status = inspect::schema_status(&executor, ctx.tracks).await?;
        status
            .tracks
            .retain(|t| only.is_none_or(|name| t.track.name == name));
        Ok::<_, CliError>(checksums::repair(&executor, &status).await?)
    }
    .await;
    drop(executor);
    let released = lock.release().await;
    let changed = result?;
    released?;
    if changed.is_empty() {
        outln!("every recorded checksum already matched this build")?;
    }
    for c in &changed {
        outln!(
            "re-recorded the checksum of {} (track {}): {} -> {}",
            c.version,
            c.track,
            &c.recorded[..12.min(c.recorded.len())],
            &c.current[..12]
        )?;
    }
    Ok(())
}

async fn read_status(
    db: &DatabaseConnection,
    ctx: &Context<'_>,
    only: Option<&str>,
) -> Result<SchemaStatus, CliError> {
    if let Some(name) = only {
        ctx.tracks.get(name)?;
    }
    Ok(inspect::schema_status(db, ctx.tracks).await?)
}

/// Takes the deploy lock, then plans `action` on the state read under it, guards it (when
/// `confirm` is given) and runs it. A failed migration's error comes back after the lock is
/// released, with the migrations before it applied and reported.
///
/// # Errors
/// [`CliError::LockTimeout`], the plan's refusals, the guard's, a failed migration.
pub async fn change(
    db: &DatabaseConnection,
    ctx: &Context<'_>,
    action: Action,
    only: Option<&str>,
    confirm: Option<Confirm>,
) -> Result<Outcome, CliError> {
    let lock = DeployLock::acquire(db, &ctx.database, ctx.lock_timeout).await?;
    let executor = lock.executor();
    let result = change_locked(&executor, ctx, action, only, confirm)
        .await
        .map_err(|err| name_statement(err, &lock));
    drop(executor);
    let released = lock.release().await;
    let outcome = result?;
    released?;
    Ok(outcome)
}

async fn change_locked<C>(
    db: &C,
    ctx: &Context<'_>,
    action: Action,
    only: Option<&str>,
    confirm: Option<Confirm>,
) -> Result<Outcome, CliError>
where
    C: ConnectionTrait + TransactionTrait<Transaction = DatabaseTransaction>,
{
    let status = inspect::schema_status(db, ctx.tracks).await?;
    let before = status.applied_names();
    let plan = plan::plan(db, ctx.tracks, action, only).await?;
    if matches!(action, Action::Up { .. } | Action::Refresh) {
        // An applied migration edited since it ran would leave this database unlike the ones
        // migrated after the edit: refuse before changing anything.
        checksums::verify(db, &status).await?;
    }
    if let Some(confirm) = confirm {
        guard(db, describe(action), &plan.tables_at_risk(), confirm).await?;
        if !plan.is_empty() {
            super::backup::before_change(db, ctx, describe(action), confirm).await?;
        }
    }
    recreate::backup_before(db, ctx, &plan).await?;
    let executed = plan::execute(db, &plan).await;
    let status = inspect::schema_status(db, ctx.tracks).await?;
    checksums::sync(db, &status).await?;
    let after = status.applied_names();
    let mut outcome = Outcome {
        nothing_to_do: plan.is_empty(),
        before,
        after,
        recreated: Vec::new(),
    };
    match executed {
        Ok(recreated) => outcome.recreated = recreated,
        Err(err) => {
            // What ran before the failure stays: say so before the error.
            print_changes(&outcome)?;
            return Err(err.into());
        }
    }
    Ok(outcome)
}

/// A failed migration's error with the statement that failed, when the lock's connection saw it.
fn name_statement(err: CliError, lock: &DeployLock) -> CliError {
    match err {
        CliError::Track(track_err) => match *track_err {
            TrackError::MigrationFailed(mut failed) => {
                if failed.statement.is_none() {
                    failed.statement = lock.failed_statement();
                }
                TrackError::MigrationFailed(failed).into()
            }
            other => other.into(),
        },
        other => other,
    }
}

/// Drops every table and re-applies every track, behind both guards, under the deploy lock.
async fn fresh(
    db: &DatabaseConnection,
    ctx: &Context<'_>,
    confirm: Confirm,
) -> Result<(), CliError> {
    let lock = DeployLock::acquire(db, &ctx.database, ctx.lock_timeout).await?;
    let executor = lock.executor();
    let result = async {
        guard_foreign_tables(&executor, ctx, confirm).await?;
        guard(&executor, "drop every table", &ctx.tracks.tables(), confirm).await?;
        super::backup::before_change(&executor, ctx, "drop every table", confirm).await?;
        plan::fresh(&executor, ctx.tracks).await?;
        let status = inspect::schema_status(&executor, ctx.tracks).await?;
        checksums::sync(&executor, &status).await?;
        Ok::<(), CliError>(())
    }
    .await;
    drop(executor);
    let released = lock.release().await;
    result?;
    released?;
    outln!("dropped every table in the schema and applied every migration")?;
    outln!()?;
    print_status(db, ctx).await
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
    db: &impl ConnectionTrait,
    action: &'static str,
    tables: &[&'static str],
    confirm: Confirm,
) -> Result<(), CliError> {
    if confirm.yes {
        return Ok(());
    }
    let rows = inspect::total_rows(&inspect::row_counts(db, tables).await?);
    if rows > 0 {
        return Err(CliError::RowsAtRisk { action, rows });
    }
    Ok(())
}

/// Refuses `fresh`, which drops every table in the schema, while tables no known track owns
/// exist there, unless `--yes` was given.
async fn guard_foreign_tables(
    db: &impl ConnectionTrait,
    ctx: &Context<'_>,
    confirm: Confirm,
) -> Result<(), CliError> {
    let tables = inspect::foreign_tables(db, ctx.tracks).await?;
    if !confirm.yes && !tables.is_empty() {
        return Err(CliError::ForeignTables { tables });
    }
    Ok(())
}

/// Prints what each recreated disposable track dropped, then "applied <name>" for each migration
/// applied since `before`, "rolled back <name>" for each one no longer applied, or "no migration
/// changed" when nothing did.
///
/// # Errors
/// Writing to stdout failed.
pub fn print_changes(outcome: &Outcome) -> Result<(), CliError> {
    let Outcome {
        before,
        after,
        recreated,
        ..
    } = outcome;
    recreate::print(recreated)?;
    let rolled_back: Vec<&String> = before.iter().rev().filter(|m| !after.contains(m)).collect();
    let applied: Vec<&String> = after.iter().filter(|m| !before.contains(m)).collect();
    for name in &rolled_back {
        if recreated.is_empty() {
            outln!("rolled back {name}")?;
        } else {
            // A recreate forgets what another build recorded; it rolls nothing back.
            outln!("forgot {name} (dropped with the recreated track's tracking table)")?;
        }
    }
    for name in &applied {
        outln!("applied {name}")?;
    }
    if rolled_back.is_empty() && applied.is_empty() && recreated.is_empty() {
        outln!("no migration changed")?;
    }
    Ok(())
}
