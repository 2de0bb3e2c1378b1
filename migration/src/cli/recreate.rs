//! What the migrate commands add around recreating a disposable track: a backup first, and a
//! line per track saying what was dropped.

use sea_orm_migration::sea_orm::ConnectionTrait;

use super::Context;
use super::backup::backup_if_rows;
use super::error::CliError;
use super::output::outln;
use crate::plan::{Plan, Recreated};

/// Backs the database up into the current directory before `plan` recreates a disposable track
/// whose tables hold rows, and prints the backup's path. Nothing to recreate, or nothing in the
/// tables: no backup.
///
/// # Errors
/// [`BackupError::BeforeChange`](super::backup::BackupError::BeforeChange) when the backup failed: the caller must not go on.
pub(crate) async fn backup_before(
    db: &impl ConnectionTrait,
    ctx: &Context<'_>,
    plan: &Plan,
) -> Result<(), CliError> {
    let tables: Vec<&'static str> = plan
        .recreated_tracks()
        .iter()
        .flat_map(|t| t.tables.iter().copied())
        .collect();
    if tables.is_empty() {
        return Ok(());
    }
    backup_if_rows(db, ctx, &tables, "recreate a disposable track").await
}

/// `recreated disposable track cache at its new schema version: dropped cache_entries
/// (12 rows), ...`, one line per recreated track.
///
/// # Errors
/// Writing to stdout failed.
pub(crate) fn print(recreated: &[Recreated]) -> Result<(), CliError> {
    for track in recreated {
        let dropped: Vec<String> = track
            .dropped
            .iter()
            .map(|t| match t.rows {
                Some(1) => format!("{} (1 row)", t.name),
                Some(rows) => format!("{} ({rows} rows)", t.name),
                None => format!("{} (missing)", t.name),
            })
            .collect();
        outln!(
            "recreated disposable track {} at this build's schema version: dropped {}; applied {}",
            track.track,
            dropped.join(", "),
            track.applied.join(", ")
        )?;
    }
    Ok(())
}
