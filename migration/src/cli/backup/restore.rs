//! `restore`: a backup into an empty database, then the migration status.

use std::fs::File;
use std::io::{ErrorKind, Read as _};
use std::path::Path;

use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};

use super::error::BackupError;
use super::{BackupReport, RestoreArgs, human_bytes, io_err, postgres, progress, sqlite};
use crate::cli::lock::DeployLock;
use crate::cli::output::{out, outln};
use crate::cli::{CliError, Context, checksums, render};
use crate::{dialect, inspect};

/// `restore`: restores `args.file` into the empty database, then prints the migration status.
pub(crate) async fn run(
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
        // SQLite's own write lock, which the deploy lock also is there, guards the copy.
        let url = ctx.url.expose();
        sqlite::restore(url, &ctx.database, file, ctx.lock_timeout, &progress).await?;
    }
    let status = inspect::schema_status(db, ctx.tracks).await?;
    let checksums = checksums::recorded(db, &status).await?;
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
        out!("{}", render::migrations(&status, &checksums, None))?;
    }
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
        _ => (sqlite::SQLITE_HEADER.as_slice(), "a SQLite database file"),
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
