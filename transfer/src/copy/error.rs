//! [`CopyError`]: why a copy refused to start or stopped.

use sea_orm::DbErr;

/// Why a copy refused to start (nothing written) or stopped (what was committed stays, and a
/// rerun resumes after it).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CopyError {
    /// A URL of a backend the copy does not handle, or one it cannot read.
    #[error("{url}: {reason}")]
    BadUrl {
        /// The URL, password redacted.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The source is a SQLite URL whose file does not exist.
    #[error("no source database file at {path}")]
    SourceMissing {
        /// The path.
        path: String,
    },
    /// The source is a SQLite URL whose file is not a SQLite database.
    #[error("{path} is not a SQLite database file")]
    SourceNotSqlite {
        /// The path.
        path: String,
    },
    /// Source and target are the same database.
    #[error("the source and the target are the same database ({database})")]
    SameDatabase {
        /// The database, as the copy identifies it.
        database: String,
    },
    /// A database could not be opened (the URL in the message has its password redacted).
    #[error(transparent)]
    Connect(Box<memdb_repository::RepoError>),
    /// The source has no memdb track applied.
    #[error("the source is not a memdb database (no migration of any known track applied)")]
    NotMemdb,
    /// The source has a track this build does not have.
    #[error(
        "the source has a migration track this build does not know (tracking table \
         {tracking_table}): copy with a memdb built with that track's feature"
    )]
    UnknownSourceTrack {
        /// The unknown track's tracking table.
        tracking_table: String,
    },
    /// A track of the source is at another version than this build's.
    #[error(
        "track {track} of the source is not at this build's version ({pending} pending, \
         unknown applied: [{unknown}]): migrate the source with this build, or copy with the \
         build that made it"
    )]
    SourceVersion {
        /// The track.
        track: String,
        /// How many of this build's migrations the source lacks.
        pending: usize,
        /// Applied migrations this build does not know.
        unknown: String,
    },
    /// A `--tables` name is not a plain identifier (it would need quoting).
    #[error("{name:?} is not a valid table name (lowercase letters, digits and _)")]
    InvalidTableName {
        /// The name as given.
        name: String,
    },
    /// A `--tables` name is not a table of a track the source has.
    #[error("no table {name} in the source's tracks (tables: {known})")]
    UnknownTable {
        /// The name.
        name: String,
        /// The tables it could be.
        known: String,
    },
    /// A `--tables` table references tables that are not selected.
    #[error(
        "{table} references {parents}, which --tables leaves out: select them too (the copy \
         inserts parents first)"
    )]
    MissingParentTables {
        /// The selected table.
        table: String,
        /// The tables it references that are not selected, `, ` separated.
        parents: String,
    },
    /// The target holds tables that are not memdb's.
    #[error(
        "the target holds tables that are not memdb's ({tables}): copy into an empty \
         database or a memdb database"
    )]
    TargetHasOtherData {
        /// The tables, comma separated.
        tables: String,
    },
    /// A table's shape differs between source and target in a way the copy cannot bridge.
    #[error("table {table}: {reason}")]
    Schema {
        /// The table.
        table: String,
        /// What differs or is missing.
        reason: String,
    },
    /// Preparing the target (the deploy lock, its migrations) failed.
    #[error("migrating the target: {0}")]
    Migrate(#[source] Box<memdb_migration::cli::CliError>),
    /// The progress callback asked to stop; every committed batch stays, and a rerun resumes.
    #[error("the copy was interrupted; run it again to resume")]
    Interrupted,
    /// The database's error, with what the copy was doing.
    #[error("{context}: {source}")]
    Db {
        /// What was being done (`reading tasks from the source`).
        context: String,
        /// The error.
        #[source]
        source: DbErr,
    },
}

impl CopyError {
    /// Whether the copy was refused before anything was written.
    #[must_use]
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            Self::BadUrl { .. }
                | Self::SourceMissing { .. }
                | Self::SourceNotSqlite { .. }
                | Self::SameDatabase { .. }
                | Self::NotMemdb
                | Self::UnknownSourceTrack { .. }
                | Self::SourceVersion { .. }
                | Self::InvalidTableName { .. }
                | Self::UnknownTable { .. }
                | Self::MissingParentTables { .. }
                | Self::TargetHasOtherData { .. }
        )
    }
}

/// Wraps a database error with what was being done.
pub(crate) fn db_err(context: impl Into<String>) -> impl FnOnce(DbErr) -> CopyError {
    let context = context.into();
    move |source| CopyError::Db { context, source }
}
