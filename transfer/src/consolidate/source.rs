//! A source SQLite file: checked to be one (its 16-byte header) and opened read-only, and its
//! rows read back in batches with each value's storage class.

use std::io::Read as _;
use std::path::Path;
use std::sync::Arc;

use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, QueryResult, RuntimeErr,
    SqlxSqliteConnector, Statement,
};

use super::error::ConsolidateError;
use super::ident::quote;
use super::values::SourceValue;

/// The first 16 bytes of every SQLite database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Rows read per statement.
const READ_BATCH: u64 = 2_000;

/// Opens `path` read-only after checking that it is a SQLite database.
///
/// # Errors
/// [`ConsolidateError::SourceUnreadable`] when the file cannot be read,
/// [`ConsolidateError::NotSqlite`] when it is not a SQLite database,
/// [`ConsolidateError::Source`] when SQLite cannot open it.
pub(crate) async fn open(path: &Path) -> Result<DatabaseConnection, ConsolidateError> {
    let unreadable = |err: std::io::Error| ConsolidateError::SourceUnreadable {
        path: path.to_path_buf(),
        reason: err.to_string(),
    };
    let mut header = [0_u8; 16];
    let mut file = std::fs::File::open(path).map_err(unreadable)?;
    let read = file.read(&mut header).map_err(unreadable)?;
    if read < header.len() || &header != SQLITE_HEADER {
        return Err(ConsolidateError::NotSqlite {
            path: path.to_path_buf(),
        });
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .create_if_missing(false);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .map_err(|err| ConsolidateError::Source {
            path: path.to_path_buf(),
            source: DbErr::Conn(RuntimeErr::SqlxError(Arc::new(err))),
        })?;
    Ok(SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
}

/// One row of a source table: its rowid (`None` in a `WITHOUT ROWID` table) and its values.
#[derive(Debug)]
pub(crate) struct SourceRow {
    /// The rowid, for reports.
    pub(crate) rowid: Option<i64>,
    /// The values, in column order.
    pub(crate) values: Vec<SourceValue>,
}

/// Reads a table's rows in batches, by rowid (or by primary key in a `WITHOUT ROWID` table),
/// without holding a statement open between batches.
pub(crate) struct RowReader<'a> {
    db: &'a DatabaseConnection,
    select: String,
    order: Order,
    position: u64,
    last_rowid: i64,
    done: bool,
}

/// How a table's rows are paged.
enum Order {
    /// By rowid, after the last one read.
    Rowid,
    /// By the primary key columns (already quoted), with an offset.
    PrimaryKey(String),
}

impl<'a> RowReader<'a> {
    /// A reader of `columns` of `table`; `primary_key` orders a `WITHOUT ROWID` table.
    #[must_use]
    pub(crate) fn new(
        db: &'a DatabaseConnection,
        table: &str,
        columns: &[String],
        without_rowid: bool,
        primary_key: &[String],
    ) -> Self {
        let values: Vec<String> = columns
            .iter()
            .map(|c| format!("typeof({0}), {0}", quote(c)))
            .collect();
        let (rowid, order) = if without_rowid {
            let pk: Vec<String> = primary_key.iter().map(|c| quote(c)).collect();
            ("NULL", Order::PrimaryKey(pk.join(", ")))
        } else {
            ("_rowid_", Order::Rowid)
        };
        let select = format!(
            "SELECT {rowid}, {} FROM {}",
            values.join(", "),
            quote(table)
        );
        Self {
            db,
            select,
            order,
            position: 0,
            last_rowid: i64::MIN,
            done: false,
        }
    }

    /// The next batch of rows; empty once every row has been read.
    ///
    /// # Errors
    /// The database's error, or a text value that is not UTF-8.
    pub(crate) async fn next_batch(&mut self) -> Result<Vec<SourceRow>, DbErr> {
        if self.done {
            return Ok(Vec::new());
        }
        let sql = match &self.order {
            Order::Rowid => format!(
                "{} WHERE _rowid_ > {} ORDER BY _rowid_ LIMIT {READ_BATCH}",
                self.select, self.last_rowid
            ),
            Order::PrimaryKey(pk) => format!(
                "{} ORDER BY {pk} LIMIT {READ_BATCH} OFFSET {}",
                self.select, self.position
            ),
        };
        let rows = self
            .db
            .query_all_raw(Statement::from_string(DbBackend::Sqlite, sql))
            .await?;
        let batch = rows.iter().map(source_row).collect::<Result<Vec<_>, _>>()?;
        self.position += batch.len() as u64;
        if let Some(rowid) = batch.last().and_then(|r| r.rowid) {
            self.last_rowid = rowid;
        }
        self.done = (batch.len() as u64) < READ_BATCH;
        Ok(batch)
    }
}

/// A row of `SELECT rowid, typeof(c1), c1, typeof(c2), c2, ...`.
fn source_row(row: &QueryResult) -> Result<SourceRow, DbErr> {
    let rowid: Option<i64> = row.try_get_by_index(0)?;
    let columns = (row.column_names().len() - 1) / 2;
    let values = (0..columns)
        .map(|c| source_value(row, 1 + 2 * c))
        .collect::<Result<_, _>>()?;
    Ok(SourceRow { rowid, values })
}

/// The value at `index + 1`, decoded as the storage class named at `index`.
fn source_value(row: &QueryResult, index: usize) -> Result<SourceValue, DbErr> {
    let class: String = row.try_get_by_index(index)?;
    let at = index + 1;
    Ok(match class.as_str() {
        "integer" => SourceValue::Integer(row.try_get_by_index(at)?),
        "real" => SourceValue::Real(row.try_get_by_index(at)?),
        "text" => SourceValue::Text(row.try_get_by_index(at)?),
        "blob" => SourceValue::Blob(row.try_get_by_index(at)?),
        _ => SourceValue::Null,
    })
}
