//! What a table holds, as a checksum: [`table_checksums`] of every table of a database, so two
//! databases (one restored from the other's backup, say) can be compared table by table.
//!
//! Each row becomes one canonical line (SQLite: every column `quote()`d, which keeps the
//! storage class and round-trips reals; PostgreSQL: the row's record text); the lines are
//! sorted, so the physical row order does not matter, and hashed with SHA-256. Two tables of
//! the same backend have equal checksums exactly when they hold the same rows.

use std::collections::BTreeMap;

use memdb_migration::dialect::schema_tables;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};
use sha2::{Digest, Sha256};

/// A table's rows: how many, and the SHA-256 of their canonical lines in sorted order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableChecksum {
    /// How many rows the table holds.
    pub rows: usize,
    /// The SHA-256 of the sorted canonical lines, in hex.
    pub sha256: String,
}

/// The checksum of every base table of the connection's current schema (tracking tables
/// included), by name.
///
/// # Errors
/// The database's error; `DbErr::BackendNotSupported` on a backend other than SQLite and
/// PostgreSQL.
pub async fn table_checksums(
    db: &impl ConnectionTrait,
) -> Result<BTreeMap<String, TableChecksum>, DbErr> {
    let mut checksums = BTreeMap::new();
    for table in schema_tables(db).await? {
        let checksum = table_checksum(db, &table).await?;
        checksums.insert(table, checksum);
    }
    Ok(checksums)
}

/// The checksum of `table`'s rows.
///
/// # Errors
/// `DbErr::RecordNotFound` when the table does not exist (on SQLite); the database's error;
/// `DbErr::BackendNotSupported` on a backend other than SQLite and PostgreSQL.
pub async fn table_checksum(
    db: &impl ConnectionTrait,
    table: &str,
) -> Result<TableChecksum, DbErr> {
    let quoted = format!("\"{}\"", table.replace('"', "\"\""));
    let sql = match db.get_database_backend() {
        DbBackend::Sqlite => {
            let columns = strings(
                db,
                "SELECT name FROM pragma_table_info($1) ORDER BY cid",
                Some(table),
            )
            .await?;
            if columns.is_empty() {
                return Err(DbErr::RecordNotFound(format!("table {table}")));
            }
            let row = columns
                .iter()
                .map(|c| format!("quote(\"{}\")", c.replace('"', "\"\"")))
                .collect::<Vec<_>>()
                .join(" || ',' || ");
            format!("SELECT {row} FROM {quoted}")
        }
        DbBackend::Postgres => format!("SELECT t::text FROM {quoted} AS t"),
        _ => {
            return Err(DbErr::BackendNotSupported {
                db: "MySQL",
                ctx: "memdb_tests::content::table_checksum",
            });
        }
    };
    let mut lines = strings(db, &sql, None).await?;
    lines.sort();
    let mut hash = Sha256::new();
    for line in &lines {
        hash.update(line.as_bytes());
        hash.update(b"\n");
    }
    Ok(TableChecksum {
        rows: lines.len(),
        sha256: format!("{:x}", hash.finalize()),
    })
}

/// The one text column of every row `sql` returns, with `table` as `$1` when given.
async fn strings(
    db: &impl ConnectionTrait,
    sql: &str,
    table: Option<&str>,
) -> Result<Vec<String>, DbErr> {
    let backend = db.get_database_backend();
    let statement = match table {
        Some(table) => Statement::from_sql_and_values(backend, sql, [table.into()]),
        None => Statement::from_string(backend, sql),
    };
    db.query_all_raw(statement)
        .await?
        .iter()
        .map(|row| row.try_get_by_index::<String>(0))
        .collect()
}
