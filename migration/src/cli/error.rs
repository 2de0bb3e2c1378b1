//! [`CliError`]: why a migrate command refused or failed.

use sea_orm_migration::sea_orm::DbErr;

use super::output::StdoutError;
use crate::track::TrackError;

/// What went wrong running a migrate command. Refusals leave the database untouched.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// Planning or running the migrations refused or failed (the message names the track, and
    /// for a failed migration the migration and its statement).
    #[error(transparent)]
    Track(#[from] Box<TrackError>),
    /// Another process held the deploy lock for longer than `--lock-timeout`.
    #[error(
        "gave up waiting for the deploy lock on {database}{holder} after {waited_secs} s: \
         another process is migrating this database; wait for it, or raise --lock-timeout"
    )]
    LockTimeout {
        /// The database, its URL redacted.
        database: String,
        /// How long the process waited.
        waited_secs: u64,
        /// ` (held by pid N)` when the holder is known, else empty.
        holder: String,
    },
    /// A destructive command found rows in the tables it would drop, without `--yes`.
    #[error(
        "refusing to {action}: the database holds {rows} rows in memdb tables; pass --yes to \
         proceed and lose them"
    )]
    RowsAtRisk {
        /// What was refused (`roll back migrations`, ...).
        action: &'static str,
        /// How many rows would be lost.
        rows: u64,
    },
    /// `fresh` found tables no track owns, without `--yes`.
    #[error(
        "refusing to drop every table: the schema also holds tables memdb does not own ({}); \
         pass --yes to drop them too",
        tables.join(", ")
    )]
    ForeignTables {
        /// The tables memdb does not own.
        tables: Vec<String>,
    },
    /// Applied migrations whose SQL changed since they were applied.
    #[error(
        "refusing to migrate: applied migration(s) changed since they were applied: {}; \
         restore them, or run `repair` to record their new checksums if the change is \
         intentional",
        changed.iter().map(|c| format!("{} (track {}, recorded {}, now {})", c.version, c.track,
            &c.recorded[..12.min(c.recorded.len())], &c.current[..12])).collect::<Vec<_>>().join(", ")
    )]
    ChecksumMismatch {
        /// The changed migrations.
        changed: Vec<super::checksums::ChangedMigration>,
    },
    /// `stamp` found the database without some of what the migrations it would record create.
    #[error(
        "refusing to stamp {target}: the database lacks what those migrations create: {}; \
         nothing was recorded (create what is missing, or pass --force to record anyway)",
        differences.join("; ")
    )]
    StampRefused {
        /// What was asked for (`head`, a version).
        target: String,
        /// What is missing or different, one entry each.
        differences: Vec<String>,
    },
    /// `stamp` was given a version no track (of those asked for) has.
    #[error("no migration named {version} in track(s) {tracks} of this build")]
    UnknownVersion {
        /// The version asked for.
        version: String,
        /// The tracks searched, comma-separated.
        tracks: String,
    },
    /// `doctor` found problems (its report says which).
    #[error("doctor found {problems} problem(s)")]
    Unhealthy {
        /// How many checks found a problem.
        problems: usize,
    },
    /// A track is named `all`, which `--track` reserves for every track.
    #[error("a migration track is named 'all', which `--track` reserves for every track")]
    ReservedTrackName,
    /// The database URL names a backend memdb does not support.
    #[error("unsupported backend in {url}: expected sqlite:// or postgres://")]
    UnsupportedBackend {
        /// The URL, redacted.
        url: String,
    },
    /// The database could not be opened.
    #[error("opening {url}: {source}")]
    Connect {
        /// The URL, redacted.
        url: String,
        /// The driver's error.
        source: DbErr,
    },
    /// Reading or writing the database failed outside a migration.
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    /// A backup or a restore refused or failed.
    #[error(transparent)]
    Backup(#[from] super::backup::BackupError),
    /// Writing the report failed.
    #[error("{0}")]
    Stdout(#[source] StdoutError),
}

impl From<StdoutError> for CliError {
    fn from(err: StdoutError) -> Self {
        Self::Stdout(err)
    }
}

impl From<TrackError> for CliError {
    fn from(err: TrackError) -> Self {
        Self::Track(Box::new(err))
    }
}
