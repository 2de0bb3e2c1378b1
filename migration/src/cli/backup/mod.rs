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
mod postgres;
mod progress;
mod sqlite;

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read as _};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use clap::Args;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};
use serde_json::{Value, json};

pub use error::BackupError;
pub use progress::human_bytes;

use super::args::Confirm;
use super::lock::DeployLock;
use super::output::outln;
use super::{CliError, Context, connect, render};
use crate::{dialect, inspect};

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
        create_new(path)?
    } else {
        let database = pg
            .as_ref()
            .map_or_else(|| sqlite_name(url), |env| env.database().to_owned());
        create_default(&database, backend)?
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

/// `restore`: restores `args.file` into the empty database, then prints the migration status.
pub(crate) async fn run_restore(
    db: &DatabaseConnection,
    ctx: &Context<'_>,
    args: &RestoreArgs,
) -> Result<(), CliError> {
    let backend = db.get_database_backend();
    let file = &args.file;
    let bytes = check_format(file, backend)?;
    let progress = progress::Progress::start(
        format!("restoring {} into {}", file.display(), ctx.database),
        None,
    );
    if backend == DbBackend::Postgres {
        let env = postgres::PgEnv::from_url(ctx.url.expose())?;
        let lock = DeployLock::acquire(db, &ctx.database, ctx.lock_timeout).await?;
        let restored = async {
            refuse_non_empty(&lock.executor(), ctx).await?;
            postgres::restore(&env, file, &progress).await
        }
        .await;
        let released = lock.release().await;
        restored?;
        released?;
    } else {
        let url = ctx.url.expose();
        sqlite::restore(url, &ctx.database, file, ctx.lock_timeout, &progress).await?;
    }
    let status = inspect::schema_status(db, ctx.tracks).await?;
    let checksums = super::checksums::recorded(db, &status).await?;
    if args.json {
        let mut json = BackupReport {
            path: std::path::absolute(file).unwrap_or_else(|_| file.clone()),
            bytes,
            backend,
        }
        .to_json();
        json["status"] = render::migrations_json(&status, &checksums, None);
        outln!("{json:#}")?;
    } else {
        outln!(
            "restored {} ({}) into {}",
            file.display(),
            human_bytes(bytes),
            ctx.database
        )?;
        outln!()?;
        super::output::out!("{}", render::migrations(&status, &checksums, None))?;
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
    let rows = inspect::total_rows(&inspect::row_counts(db, &ctx.tracks.tables()).await?);
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

/// Refuses a PostgreSQL database whose schema holds any table.
async fn refuse_non_empty(db: &impl ConnectionTrait, ctx: &Context<'_>) -> Result<(), CliError> {
    let tables = dialect::schema_tables(db).await?;
    if tables.is_empty() {
        return Ok(());
    }
    Err(BackupError::NotEmpty {
        database: ctx.database.clone(),
        objects: tables.into_iter().map(|t| format!("table {t}")).collect(),
    }
    .into())
}

/// The backup file's size, after checking that it is one the backend can restore.
fn check_format(file: &Path, backend: DbBackend) -> Result<u64, BackupError> {
    let (magic, expected): (&[u8], _) = match backend {
        DbBackend::Postgres => (b"PGDMP", "a pg_dump custom-format archive"),
        _ => (sqlite::HEADER, "a SQLite database file"),
    };
    let mut opened = match File::open(file) {
        Ok(opened) => opened,
        Err(err) if err.kind() == ErrorKind::NotFound => {
            return Err(BackupError::MissingFile { path: file.into() });
        }
        Err(source) => return Err(io_err("opening", file, source)),
    };
    let mut head = vec![0; magic.len()];
    let read = opened.read_exact(&mut head);
    if read.is_err() || head != magic {
        return Err(BackupError::NotABackup {
            path: file.into(),
            expected,
        });
    }
    let meta = opened
        .metadata()
        .map_err(|source| io_err("reading", file, source))?;
    Ok(meta.len())
}

/// Creates `path`, which must not exist (readable by its owner only: it will hold every row).
fn create_new(path: &Path) -> Result<PathBuf, BackupError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(path.to_owned()),
        Err(err) if err.kind() == ErrorKind::AlreadyExists => {
            Err(BackupError::OutputExists { path: path.into() })
        }
        Err(source) => Err(io_err("creating", path, source)),
    }
}

/// Creates `memdb-backup-<database>-<UTC time>.<ext>` in the current directory, with `-2`,
/// `-3`, ... before the extension when backups of the same second exist.
fn create_default(database: &str, backend: DbBackend) -> Result<PathBuf, BackupError> {
    let ext = if backend == DbBackend::Postgres {
        "dump"
    } else {
        "sqlite"
    };
    let base = format!("memdb-backup-{}-{}", file_safe(database), timestamp());
    let mut n = 1;
    loop {
        let name = if n == 1 {
            format!("{base}.{ext}")
        } else {
            format!("{base}-{n}.{ext}")
        };
        match create_new(Path::new(&name)) {
            Err(BackupError::OutputExists { .. }) if n < 100 => n += 1,
            other => return other,
        }
    }
}

/// The current UTC time as `YYYYMMDDTHHMMSSZ`.
fn timestamp() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let digits: String = render::utc(i64::try_from(seconds).unwrap_or(i64::MAX))
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    format!("{}T{}Z", &digits[..8], &digits[8..])
}

/// The SQLite file's name without its extension (`memdb` for `sqlite://memdb.sqlite?mode=rwc`).
fn sqlite_name(url: &str) -> String {
    sqlite::options(url, "back up")
        .ok()
        .and_then(|o| {
            o.get_filename()
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
        })
        .unwrap_or_default()
}

/// `name` with everything but ASCII letters, digits, `-`, `_` and `.` replaced by `_`.
fn file_safe(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.is_empty() {
        "db".to_owned()
    } else {
        safe
    }
}

fn backend_key(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "postgres",
        DbBackend::Sqlite => "sqlite",
        _ => "mysql",
    }
}

fn io_err(action: &'static str, path: &Path, source: std::io::Error) -> BackupError {
    BackupError::Io {
        action,
        path: path.into(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::{file_safe, timestamp};

    #[test]
    fn default_names_are_file_safe() {
        assert_eq!(file_safe("memdb_t_01/x y"), "memdb_t_01_x_y");
        assert_eq!(file_safe(""), "db");
        let stamp = timestamp();
        assert_eq!(stamp.len(), 16, "{stamp}");
        assert!(
            stamp.ends_with('Z') && stamp.as_bytes()[8] == b'T',
            "{stamp}"
        );
    }
}
