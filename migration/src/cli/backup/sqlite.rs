//! SQLite backups: `VACUUM INTO` for a backup, attaching the backup and copying it for a
//! restore.
//!
//! `VACUUM INTO` writes a consistent snapshot of the database into a new file while other
//! connections keep reading and writing (in WAL mode they are not even blocked). It runs on a
//! read-only connection of its own, so a backup never changes the database; the file name is
//! a bound parameter, never spliced into SQL.
//!
//! A restore attaches the backup file to a connection of its own on the target and, in one
//! `BEGIN IMMEDIATE` transaction (SQLite's write lock, the same one the deploy lock takes),
//! checks that the target holds nothing, creates every table the backup has, copies its rows,
//! then creates its indexes, triggers and views. Foreign keys are checked at the commit, so the
//! copy order does not matter; anything that fails rolls the whole restore back.

use std::path::Path;
use std::str::FromStr as _;
use std::sync::Arc;
use std::time::Duration;

use sea_orm_migration::sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sea_orm_migration::sea_orm::sqlx::{self, Connection as _, Row as _};
use sea_orm_migration::sea_orm::{DbErr, RuntimeErr};

use super::error::BackupError;
use super::progress::Progress;
use crate::cli::CliError;
use crate::cli::connect::redact_url;

/// What the restored backup is attached as while it is copied.
const SOURCE: &str = "memdb_restore_source";

/// The first 16 bytes of every SQLite database file.
pub const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// The connection options of the file `url` names; refuses in-memory databases.
pub(super) fn options(url: &str, action: &'static str) -> Result<SqliteConnectOptions, CliError> {
    let options = SqliteConnectOptions::from_str(url).map_err(|_| BackupError::InvalidUrl {
        url: redact_url(url),
    })?;
    if crate::cli::lock::is_in_memory(options.get_filename()) {
        return Err(BackupError::InMemory { action }.into());
    }
    Ok(options)
}

/// Writes a snapshot of the database `url` names into `file` (which does not exist, or is
/// empty).
pub(super) async fn backup(url: &str, file: &Path, progress: &Progress) -> Result<(), CliError> {
    let options = options(url, "back up")?
        .read_only(true)
        .create_if_missing(false);
    let target = utf8(file)?;
    let mut conn = SqliteConnection::connect_with(&options)
        .await
        .map_err(conn_err)?;
    let vacuumed = progress
        .while_running(sqlx::query("VACUUM INTO ?").bind(target).execute(&mut conn))
        .await;
    let closed = conn.close().await;
    vacuumed.map_err(exec_err)?;
    closed.map_err(conn_err)?;
    Ok(())
}

/// Copies the backup `file` into the empty database `url` names, in one transaction.
pub(super) async fn restore(
    url: &str,
    database: &str,
    file: &Path,
    lock_timeout: Duration,
    progress: &Progress,
) -> Result<(), CliError> {
    let options = options(url, "restore into")?.busy_timeout(lock_timeout);
    let source = utf8(file)?;
    let mut conn = SqliteConnection::connect_with(&options)
        .await
        .map_err(conn_err)?;
    let copied = progress
        .while_running(attach_and_copy(&mut conn, source, database))
        .await;
    let closed = conn.close().await;
    copied?;
    closed.map_err(conn_err)?;
    Ok(())
}

async fn attach_and_copy(
    conn: &mut SqliteConnection,
    source: &str,
    database: &str,
) -> Result<(), CliError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "ATTACH DATABASE ? AS {SOURCE}"
    )))
    .bind(source)
    .execute(&mut *conn)
    .await
    .map_err(exec_err)?;
    execute(conn, "BEGIN IMMEDIATE").await?;
    let copied = copy(conn, database).await;
    let ended = execute(conn, if copied.is_ok() { "COMMIT" } else { "ROLLBACK" }).await;
    // The connection is closed next: a failed detach changes nothing.
    let _ = execute(conn, &format!("DETACH DATABASE {SOURCE}")).await;
    copied?;
    ended
}

/// Inside the transaction: refuse a non-empty target, then copy the schema and the rows.
async fn copy(conn: &mut SqliteConnection, database: &str) -> Result<(), CliError> {
    let existing = strings(
        conn,
        // Indexes and triggers belong to tables: naming the tables and views says enough.
        "SELECT type || ' ' || name FROM main.sqlite_master \
         WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
         ORDER BY type, name",
    )
    .await?;
    if !existing.is_empty() {
        return Err(BackupError::NotEmpty {
            database: database.to_owned(),
            objects: existing,
        }
        .into());
    }
    // Rows of a child table may be copied before its parent's: check at the commit.
    execute(conn, "PRAGMA defer_foreign_keys = ON").await?;
    let objects = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT type, name, sql FROM {SOURCE}.sqlite_master \
         WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid"
    )))
    .fetch_all(&mut *conn)
    .await
    .map_err(exec_err)?;
    let mut later = Vec::new();
    for object in &objects {
        let kind: String = object.try_get(0).map_err(exec_err)?;
        let name: String = object.try_get(1).map_err(exec_err)?;
        let sql: String = object.try_get(2).map_err(exec_err)?;
        if kind != "table" {
            later.push(sql);
            continue;
        }
        if sql
            .trim_start()
            .to_ascii_uppercase()
            .starts_with("CREATE VIRTUAL")
        {
            return Err(BackupError::Unsupported {
                name: format!("table {name}"),
                reason: "virtual tables are not restored",
            }
            .into());
        }
        execute(conn, &sql).await?;
        copy_rows(conn, &name).await?;
    }
    for sql in &later {
        execute(conn, sql).await?;
    }
    let has_sequence = !strings(
        conn,
        &format!("SELECT name FROM {SOURCE}.sqlite_master WHERE name = 'sqlite_sequence'"),
    )
    .await?
    .is_empty();
    if has_sequence {
        execute(
            conn,
            &format!("INSERT INTO main.sqlite_sequence SELECT * FROM {SOURCE}.sqlite_sequence"),
        )
        .await?;
    }
    Ok(())
}

/// Copies every row of `table`, naming the stored columns (generated ones are computed).
async fn copy_rows(conn: &mut SqliteConnection, table: &str) -> Result<(), CliError> {
    let columns: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info(?, ?)")
        .bind(table)
        .bind(SOURCE)
        .fetch_all(&mut *conn)
        .await
        .map_err(exec_err)?;
    let columns = columns
        .iter()
        .map(|c| quote(c))
        .collect::<Vec<_>>()
        .join(", ");
    let table = quote(table);
    execute(
        conn,
        &format!("INSERT INTO main.{table} ({columns}) SELECT {columns} FROM {SOURCE}.{table}"),
    )
    .await
}

/// An SQL identifier in double quotes, inner quotes doubled.
fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

async fn execute(conn: &mut SqliteConnection, sql: &str) -> Result<(), CliError> {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut *conn)
        .await
        .map_err(exec_err)?;
    Ok(())
}

async fn strings(conn: &mut SqliteConnection, sql: &str) -> Result<Vec<String>, CliError> {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await
        .map_err(exec_err)
}

/// SQLite takes file names as text.
fn utf8(path: &Path) -> Result<&str, BackupError> {
    path.to_str().ok_or_else(|| BackupError::Unsupported {
        name: path.display().to_string(),
        reason: "SQLite backups need a UTF-8 file name",
    })
}

fn conn_err(err: sqlx::Error) -> CliError {
    DbErr::Conn(RuntimeErr::SqlxError(Arc::new(err))).into()
}

fn exec_err(err: sqlx::Error) -> CliError {
    DbErr::Exec(RuntimeErr::SqlxError(Arc::new(err))).into()
}
