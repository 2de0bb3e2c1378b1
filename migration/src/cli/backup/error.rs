//! [`BackupError`]: why a backup or a restore refused or failed.

use std::io;
use std::path::PathBuf;

/// What went wrong taking or restoring a backup. Passwords never appear in these messages: the
/// database is named by its redacted URL, and a tool's output has the password cut out.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackupError {
    /// The backup file asked for (`--out`) already exists: a backup never overwrites a file.
    #[error("refusing to back up into {}: the file exists (backups never overwrite a file)", path.display())]
    OutputExists {
        /// The file.
        path: PathBuf,
    },
    /// An in-memory SQLite database lives in one process only: another connection cannot
    /// read it, and it is gone when the process ends.
    #[error(
        "cannot {action} an in-memory SQLite database (it lives only inside one process); \
         use a database file"
    )]
    InMemory {
        /// `back up` or `restore into`.
        action: &'static str,
    },
    /// A PostgreSQL client tool is not on `PATH`.
    #[error(
        "{tool} was not found on PATH: install the PostgreSQL client tools (of the server's \
         major version or newer) to back up or restore a PostgreSQL database"
    )]
    ToolMissing {
        /// `pg_dump` or `pg_restore`.
        tool: &'static str,
    },
    /// A PostgreSQL client tool failed.
    #[error("{tool} failed ({status}): {output}")]
    ToolFailed {
        /// `pg_dump` or `pg_restore`.
        tool: &'static str,
        /// Its exit status.
        status: String,
        /// What it printed on stderr, the password cut out.
        output: String,
    },
    /// Reading or writing a file failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done (`creating`, `reading`, ...).
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The system's error.
        source: io::Error,
    },
    /// The file to restore does not exist.
    #[error("no backup file at {}", path.display())]
    MissingFile {
        /// The file.
        path: PathBuf,
    },
    /// The file to restore is not a backup of this database's backend.
    #[error("{} is not {expected}", path.display())]
    NotABackup {
        /// The file.
        path: PathBuf,
        /// What the backend needs (`a SQLite database file`, `a pg_dump custom-format archive`).
        expected: &'static str,
    },
    /// `restore` only writes into an empty database.
    #[error(
        "refusing to restore into {database}: it is not empty (it holds {}); restore into a new, \
         empty database",
        objects.join(", ")
    )]
    NotEmpty {
        /// The database, its URL redacted.
        database: String,
        /// What it holds (`table <name>`, `view <name>`).
        objects: Vec<String>,
    },
    /// The SQLite backup holds a schema object restore cannot copy.
    #[error("cannot restore {name}: {reason}")]
    Unsupported {
        /// The object.
        name: String,
        /// Why.
        reason: &'static str,
    },
    /// The database URL could not be read for the PostgreSQL client tools.
    #[error("cannot read the connection settings of {url}")]
    InvalidUrl {
        /// The URL, redacted.
        url: String,
    },
    /// The backup a destructive command takes first failed, so the command did not run.
    #[error(
        "refusing to {action}: the backup taken first failed, so nothing was changed (pass \
         --no-backup to go ahead without one): {source}"
    )]
    BeforeChange {
        /// What was refused.
        action: &'static str,
        /// Why the backup failed.
        source: Box<super::super::CliError>,
    },
}
