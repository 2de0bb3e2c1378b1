//! [`TrackError`]: why a list of tracks is unusable, or why an action on the tracks was refused
//! or failed.

use sea_orm_migration::DbErr;

use crate::plan::Direction;

/// What went wrong assembling a track list, planning an action, or running it. Refusals leave the
/// database untouched.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrackError {
    /// A track list must hold at least one track.
    #[error("no migration track given")]
    NoTracks,
    /// Two tracks share a name or a tracking table.
    #[error("two migration tracks share the {what} '{value}'")]
    Duplicate {
        /// `"name"`, `"tracking table"` or `"table"`.
        what: &'static str,
        /// The shared value.
        value: String,
    },
    /// A track depends on a track that is not in the list.
    #[error("track {track} depends on track {dependency}, which is not in the list")]
    MissingDependency {
        /// The depending track.
        track: String,
        /// The dependency nobody declared.
        dependency: String,
    },
    /// A track depends on a disposable track, whose tables `up` may drop and recreate empty.
    #[error(
        "track {track} depends on track {disposable}, which is disposable (its tables may be \
         dropped and recreated): only non-disposable tracks can be built on"
    )]
    DependsOnDisposable {
        /// The depending track.
        track: String,
        /// The disposable track it depends on.
        disposable: String,
    },
    /// A recreate was asked of a track that is not disposable: its tables are only ever
    /// migrated, never dropped and recreated.
    #[error(
        "refusing to recreate track {track}: it is not disposable, its tables are migrated and \
         never dropped to be recreated"
    )]
    NotDisposable {
        /// The track.
        track: String,
    },
    /// The tracks' dependencies form a cycle.
    #[error("migration tracks depend on each other in a cycle: {}", tracks.join(", "))]
    DependencyCycle {
        /// The tracks on or behind the cycle.
        tracks: Vec<String>,
    },
    /// A track declares a tracking table its migrator does not write to.
    #[error(
        "track {track} declares tracking table {declared}, but its migrator records into {actual}"
    )]
    TrackingTableMismatch {
        /// The track.
        track: String,
        /// What the track says.
        declared: String,
        /// What its migrator's `migration_table_name` says.
        actual: String,
    },
    /// A track name given by the caller is not in the list.
    #[error("no migration track named '{name}' (known: {known})")]
    UnknownTrack {
        /// The name asked for.
        name: String,
        /// The known tracks' names, comma-separated.
        known: String,
    },
    /// A track cannot be rolled back while a track built on it has applied migrations.
    #[error(
        "refusing to roll back track {track}: track {dependent} depends on it and has \
         {applied} applied migration(s); roll back {dependent} first"
    )]
    DependentApplied {
        /// The track asked to roll back.
        track: String,
        /// The applied track that depends on it.
        dependent: String,
        /// How many migrations `dependent` has applied.
        applied: usize,
    },
    /// A track cannot be applied while a track it depends on has pending migrations.
    #[error(
        "refusing to apply track {track}: it depends on track {dependency}, which has \
         {pending} pending migration(s); apply {dependency} first"
    )]
    DependencyPending {
        /// The track asked to apply.
        track: String,
        /// Its incompletely applied dependency.
        dependency: String,
        /// How many migrations `dependency` still has pending.
        pending: usize,
    },
    /// A track's tracking table records migrations this build does not have, so its migrator
    /// cannot work out what to apply or roll back.
    #[error(
        "track {track}: {tracking_table} records migration(s) this build does not know ({}); \
         a newer memdb build applied them, use that build",
        versions.join(", ")
    )]
    UnknownMigrations {
        /// The track.
        track: String,
        /// Its tracking table.
        tracking_table: String,
        /// The unknown versions.
        versions: Vec<String>,
    },
    /// Rolling back is refused while the database holds an applied track this build does not
    /// know: it may depend on the tables being dropped.
    #[error(
        "refusing to roll back: the database holds a migration track this build does not know \
         ({tracking_table}, {applied} migration(s) applied), which may depend on the tables \
         being dropped; use the memdb build that created it"
    )]
    UnknownTrackApplied {
        /// The unknown track's tracking table.
        tracking_table: String,
        /// How many migrations it records.
        applied: u64,
    },
    /// A migration failed; it was rolled back, so the track stays at the version before it.
    #[error(transparent)]
    MigrationFailed(Box<FailedMigration>),
    /// Running a track's migrator failed (outside a single migration: `fresh`, `reset`'s
    /// dropping of the tracking table).
    #[error("track {track}: {source}")]
    Migrate {
        /// The track whose migrator failed.
        track: String,
        /// The migrator's error.
        source: DbErr,
    },
    /// Reading the database failed.
    #[error("database error: {0}")]
    Db(#[from] DbErr),
}

/// A migration that failed and was rolled back: the track stays at the version before it.
#[derive(Debug, thiserror::Error)]
#[error(
    "track {track}: migration {migration} failed while {} it, and was rolled back (the \
     database stays at the version before it): {source}{}",
    direction.verb(),
    statement.as_ref().map(|s| format!("; failing statement: {s}")).unwrap_or_default()
)]
pub struct FailedMigration {
    /// The track.
    pub track: String,
    /// The migration's name.
    pub migration: String,
    /// Applying or rolling back.
    pub direction: Direction,
    /// The statement that failed, when it could be found.
    pub statement: Option<String>,
    /// The database's error.
    pub source: DbErr,
}
