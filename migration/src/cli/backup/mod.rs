//! `backup` and `restore`, and the backup destructive commands take first.
//!
//! - SQLite: `VACUUM INTO` a new file (a consistent snapshot while the database is in use);
//!   restore attaches the file and copies it into an empty database in one transaction
//!   ([`sqlite`]). The target file must not be in use by a running memdb service while it is
//!   restored: the copy holds SQLite's write lock, and a service that opened the empty database
//!   keeps no knowledge of the tables that appear.
//! - PostgreSQL: `pg_dump --format=custom` and `pg_restore --single-transaction --no-owner`,
//!   the connection settings passed in libpq's environment variables, so the password is never
//!   on a command line or in the output ([`postgres`]).
//!
//! `fresh`, `reset`, `refresh`, `down` and `downgrade` call [`before_change`] once they hold the
//! deploy lock and passed their guards: when memdb's tables hold rows it takes a backup into
//! the current directory and prints its path, and when that fails the command stops before
//! changing anything. `--no-backup` skips it; dry runs never get here.

mod error;
mod files;
mod postgres;
mod progress;
mod restore;
mod sqlite;

use std::fmt;
use std::path::{Path, PathBuf};

use clap::Args;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};
use serde_json::{Value, json};

pub use error::BackupError;
pub use progress::human_bytes;
pub(crate) use restore::run as run_restore;
pub use sqlite::SQLITE_HEADER;

use super::args::Confirm;
use super::output::outln;
use super::{CliError, Context, connect};
use crate::inspect;

/// A database URL that may hold a password: shown (`Debug`, `Display`) only redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// Wraps `url`.
    #[must_use]
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }

    /// The URL itself, password included: for connecting, never for messages.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&connect::redact_url(&self.0))
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&connect::redact_url(&self.0))
    }
}

/// The arguments of `backup`.
#[derive(Clone, Debug, Args)]
pub struct BackupArgs {
    /// Write the backup here (refused when the file exists). Default: `memdb-backup-<database>-
    /// <UTC time>.sqlite` (SQLite) or `.dump` (PostgreSQL) in the current directory.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Print `{"path", "bytes", "backend"}` for scripts.
    #[arg(long)]
    pub json: bool,
}

/// The arguments of `restore`.
#[derive(Clone, Debug, Args)]
pub struct RestoreArgs {
    /// The backup to restore (a SQLite file from `backup`, or a `pg_dump` custom-format archive).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Print `{"path", "bytes", "backend", "status"}` for scripts.
    #[arg(long)]
    pub json: bool,
}

/// A backup that was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupReport {
    /// The file, absolute.
    pub path: PathBuf,
    /// Its size.
    pub bytes: u64,
    /// The backend it was taken from.
    pub backend: DbBackend,
}

impl BackupReport {
    /// `{"path", "bytes", "backend"}`, the backend as `sqlite` or `postgres`.
    #[must_use]
    pub fn to_json(&self) -> Value {
        json!({
            "path": self.path.display().to_string(),
            "bytes": self.bytes,
            "backend": backend_key(self.backend),
        })
    }
}

/// Takes a backup of the database `ctx` names into `out`, or into a new file of the default
/// name in the current directory, with progress on stderr.
///
/// # Errors
/// [`BackupError::OutputExists`] when `out` exists; [`BackupError::InMemory`];
/// [`BackupError::ToolMissing`] / [`BackupError::ToolFailed`] for `pg_dump`; a file's or the
/// database's error. A partly written file is removed.
pub async fn backup(
    backend: DbBackend,
    ctx: &Context<'_>,
    out: Option<&Path>,
) -> Result<BackupReport, CliError> {
    let url = ctx.url.expose();
    // Parsed before a file is created, so a bad URL leaves nothing behind.
    let pg = match backend {
        DbBackend::Postgres => Some(postgres::PgEnv::from_url(url)?),
        DbBackend::Sqlite => {
            sqlite::options(url, "back up")?;
            None
        }
        _ => {
            return Err(CliError::UnsupportedBackend {
                url: ctx.database.clone(),
            });
        }
    };
    let path = if let Some(path) = out {
        files::create_new(path)?
    } else {
        let database = pg
            .as_ref()
            .map_or_else(|| files::sqlite_name(url), |env| env.database().to_owned());
        files::create_default(&database, backend)?
    };
    let progress = progress::Progress::start(
        format!("backing up {} to {}", ctx.database, path.display()),
        Some(path.clone()),
    );
    let written = match &pg {
        Some(env) => postgres::dump(env, &path, &progress).await,
        None => sqlite::backup(url, &path, &progress).await,
    };
    if let Err(err) = written {
        // The file was created above: nothing else can be in it.
        let _ = std::fs::remove_file(&path);
        return Err(err);
    }
    let bytes = std::fs::metadata(&path).map_err(|source| io_err("reading", &path, source))?;
    let path = std::path::absolute(&path).unwrap_or(path);
    Ok(BackupReport {
        path,
        bytes: bytes.len(),
        backend,
    })
}

/// `backup`: takes the backup and prints its path and size (or `--json`).
pub(crate) async fn run_backup(
    db: &DatabaseConnection,
    ctx: &Context<'_>,
    args: &BackupArgs,
) -> Result<(), CliError> {
    let report = backup(db.get_database_backend(), ctx, args.out.as_deref()).await?;
    if args.json {
        outln!("{:#}", report.to_json())?;
    } else {
        outln!(
            "backed up {} to {} ({})",
            ctx.database,
            report.path.display(),
            human_bytes(report.bytes)
        )?;
    }
    Ok(())
}

/// The backup `fresh`, `reset`, `refresh`, `down` and `downgrade` take before `action`, when
/// memdb's tables hold rows and `--no-backup` was not given. Prints the backup's path.
///
/// # Errors
/// [`BackupError::BeforeChange`] when the backup failed: the caller must not go on.
pub async fn before_change(
    db: &impl ConnectionTrait,
    ctx: &Context<'_>,
    action: &'static str,
    confirm: Confirm,
) -> Result<(), CliError> {
    if confirm.no_backup {
        return Ok(());
    }
    backup_if_rows(db, ctx, &ctx.tracks.tables(), action).await
}

/// Backs the database up into the current directory before `action` when `tables` hold rows,
/// and prints the backup's path; no rows, no backup.
///
/// # Errors
/// [`BackupError::BeforeChange`] when the backup failed: the caller must not go on.
pub(crate) async fn backup_if_rows(
    db: &impl ConnectionTrait,
    ctx: &Context<'_>,
    tables: &[&'static str],
    action: &'static str,
) -> Result<(), CliError> {
    let rows = inspect::total_rows(&inspect::row_counts(db, tables).await?);
    if rows == 0 {
        return Ok(());
    }
    let report = backup(db.get_database_backend(), ctx, None)
        .await
        .map_err(|source| BackupError::BeforeChange {
            action,
            source: Box::new(source),
        })?;
    outln!(
        "backed up {rows} rows to {} ({}) before going on to {action}",
        report.path.display(),
        human_bytes(report.bytes)
    )?;
    Ok(())
}

/// How `--json` names a backend.
fn backend_key(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "postgres",
        DbBackend::Sqlite => "sqlite",
        _ => "mysql",
    }
}

pub(super) fn io_err(action: &'static str, path: &Path, source: std::io::Error) -> BackupError {
    BackupError::Io {
        action,
        path: path.into(),
        source,
    }
}
