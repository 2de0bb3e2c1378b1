//! The migrate command line every memdb binary shares (feature `cli`): `memdb-migrate` (the
//! legacy track), `memdb-enhanced-migrate` (legacy and enhanced) and `memdb migrate ...` parse
//! the same [`MigrateCommand`] and run it through [`run`], over the [`Tracks`] they were built
//! with.
//!
//! Every command that changes the schema takes the deploy lock first ([`DeployLock`]) and
//! re-reads the migration state under it, so processes started together apply each migration
//! once. Each migration runs in a transaction of its own: one that fails is rolled back, the
//! ones before it stay, and the error names it.
//!
//! [`run`] is the one place commands are dispatched; the binaries only parse, connect and
//! report errors ([`main`]).

mod args;
pub mod backup;
mod binary;
pub mod checksums;
mod commands;
pub mod connect;
mod doctor;
mod dry_run;
mod error;
mod lock;
pub mod output;
pub mod progress_line;
mod recreate;
pub mod render;
mod stamp;
pub mod table;

use std::time::Duration;

use sea_orm_migration::sea_orm::DatabaseConnection;

pub use args::{
    ALL_TRACKS, Confirm, DowngradeTarget, DryRun, LockArgs, MigrateCommand, TrackArg, UpgradeTarget,
};
pub use backup::{BackupError, DatabaseUrl, SQLITE_HEADER};
pub use binary::{load_dot_env, main};
pub use commands::{Outcome, change, print_changes};
pub use doctor::{Check, EntitySet, doctor};
pub use error::CliError;
pub use lock::{DEPLOY_LOCK_KEY, DeployLock};
pub use stamp::StampTarget;

use crate::track::Tracks;

/// What every command needs besides the database and its arguments.
#[derive(Clone, Debug)]
pub struct Context<'a> {
    /// The tracks the binary was built with.
    pub tracks: &'a Tracks,
    /// The database's URL, its password redacted ([`connect::redact_url`]), for messages.
    pub database: String,
    /// The database's URL itself, for the backup tools (shown only redacted).
    pub url: DatabaseUrl,
    /// How long to wait for the deploy lock.
    pub lock_timeout: Duration,
}

/// Runs one migrate command on `db` and prints its report to stdout.
///
/// # Errors
/// [`CliError`]: a refusal (nothing changed), a lock timeout, a failed migration (the ones
/// before it stay applied), the database's error.
pub async fn run(
    db: &DatabaseConnection,
    ctx: &Context<'_>,
    command: MigrateCommand,
) -> Result<(), CliError> {
    commands::run(db, ctx, command).await
}

/// `tracks` checked ([`Tracks::new`]) and free of the name `all`, which `--track` reserves.
///
/// # Errors
/// [`CliError::Track`] for tracks that do not fit together; [`CliError::ReservedTrackName`].
pub fn checked_tracks(tracks: &[crate::Track]) -> Result<Tracks, CliError> {
    let tracks = Tracks::new(tracks.iter().copied())?;
    if tracks.names().contains(&ALL_TRACKS) {
        return Err(CliError::ReservedTrackName);
    }
    Ok(tracks)
}
