//! A source SQLite file: checked to be one (its 16-byte header) and opened read-only, and its
//! rows read back in batches with each value's storage class.

use std::io::Read as _;
use std::path::Path;
use std::sync::Arc;

use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, QueryResult, RuntimeErr,
    SqlxSqliteConnector, Statement, Value,
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

/// The names SQLite answers to for a rowid table's rowid, in the order they are tried: a
/// column of the same name shadows each of them.
const ROWID_NAMES: [&str; 3] = ["rowid", "oid", "_rowid_"];

/// The name the rowid of a table with `columns` (every column, hidden ones too) can be read
/// by, or `None` when columns shadow all three.
#[must_use]
pub(crate) fn rowid_name(columns: &[&str]) -> Option<&'static str> {
    ROWID_NAMES
        .into_iter()
        .find(|name| !columns.iter().any(|c| c.eq_ignore_ascii_case(name)))
}

/// The number of rows of `table`, by `count(*)`: independent of how the rows are paged, so a
/// row the reader skipped shows as a difference.
///
/// # Errors
/// The database's error.
pub(crate) async fn count_rows(db: &impl ConnectionTrait, table: &str) -> Result<u64, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            format!("SELECT count(*) FROM {}", quote(table)),
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(table.to_owned()))?;
    Ok(u64::try_from(row.try_get_by_index::<i64>(0)?).unwrap_or(0))
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
/// each batch after the last key read, without holding a statement open between batches.
/// Run it inside a read transaction so every batch sees the same snapshot.
pub(crate) struct RowReader<'a, C> {
    db: &'a C,
    select: String,
    order: Order,
    /// The last row's rowid, or its primary key values; `None` before the first batch.
    last: Option<Last>,
    done: bool,
}

/// How a table's rows are paged.
enum Order {
    /// By the rowid, read by this (unshadowed) name.
    Rowid(&'static str),
    /// By the primary key: its columns (quoted, comma-separated) and their positions among
    /// the columns read.
    PrimaryKey(String, Vec<usize>),
}

/// Where the previous batch ended.
enum Last {
    /// A rowid.
    Rowid(i64),
    /// A primary key's values.
    Key(Vec<SourceValue>),
}

impl<'a, C: ConnectionTrait> RowReader<'a, C> {
    /// A reader of `columns` of `table`: by the rowid read as `rowid` (see [`rowid_name`]),
    /// or, when `rowid` is `None` (a `WITHOUT ROWID` table), by `primary_key` (columns among
    /// `columns`).
    #[must_use]
    pub(crate) fn new(
        db: &'a C,
        table: &str,
        columns: &[String],
        rowid: Option<&'static str>,
        primary_key: &[String],
    ) -> Self {
        // Text is read as its bytes and decoded here, so text that is not UTF-8 is read too.
        let values: Vec<String> = columns
            .iter()
            .map(|c| {
                format!(
                    "typeof({0}), CASE WHEN typeof({0}) = 'text' THEN CAST({0} AS BLOB) ELSE {0} END",
                    quote(c)
                )
            })
            .collect();
        let (selected, order) = if let Some(name) = rowid {
            (name, Order::Rowid(name))
        } else {
            let pk: Vec<String> = primary_key.iter().map(|c| quote(c)).collect();
            let positions = primary_key
                .iter()
                .filter_map(|k| columns.iter().position(|c| c == k))
                .collect();
            ("NULL", Order::PrimaryKey(pk.join(", "), positions))
        };
        let select = format!(
            "SELECT {selected}, {} FROM {}",
            values.join(", "),
            quote(table)
        );
        Self {
            db,
            select,
            order,
            last: None,
            done: false,
        }
    }

    /// The next batch of rows; empty once every row has been read.
    ///
    /// # Errors
    /// The database's error.
    pub(crate) async fn next_batch(&mut self) -> Result<Vec<SourceRow>, DbErr> {
        if self.done {
            return Ok(Vec::new());
        }
        let (after, values) = match &self.last {
            None => (String::new(), Vec::new()),
            Some(Last::Rowid(last)) => (format!(" WHERE {} > {last}", self.order_by()), Vec::new()),
            Some(Last::Key(key)) => {
                // A row value compares column by column, with each key column's collation,
                // as ORDER BY sorts. Text that is not UTF-8 is bound as its bytes, cast back.
                let params: Vec<&str> = key
                    .iter()
                    .map(|v| match v {
                        SourceValue::NonUtf8Text(_) => "CAST(? AS TEXT)",
                        _ => "?",
                    })
                    .collect();
                (
                    format!(" WHERE ({}) > ({})", self.order_by(), params.join(", ")),
                    key.iter().map(bind).collect(),
                )
            }
        };
        let sql = format!(
            "{}{after} ORDER BY {} LIMIT {READ_BATCH}",
            self.select,
            self.order_by()
        );
        let rows = self
            .db
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                sql,
                values,
            ))
            .await?;
        let batch = rows.iter().map(source_row).collect::<Result<Vec<_>, _>>()?;
        if let Some(row) = batch.last() {
            self.last = match &self.order {
                Order::Rowid(_) => row.rowid.map(Last::Rowid),
                Order::PrimaryKey(_, positions) => Some(Last::Key(
                    positions.iter().map(|p| row.values[*p].clone()).collect(),
                )),
            };
        }
        self.done = (batch.len() as u64) < READ_BATCH;
        Ok(batch)
    }

    /// The paging order's columns.
    fn order_by(&self) -> &str {
        match &self.order {
            Order::Rowid(rowid) => rowid,
            Order::PrimaryKey(pk, _) => pk,
        }
    }
}

/// A key value bound as SQLite stored it.
fn bind(value: &SourceValue) -> Value {
    match value {
        SourceValue::Null => Value::String(None),
        SourceValue::Integer(i) => Value::BigInt(Some(*i)),
        SourceValue::Real(r) => Value::Double(Some(*r)),
        SourceValue::Text(t) => Value::String(Some(t.clone())),
        SourceValue::Blob(b) | SourceValue::NonUtf8Text(b) => Value::Bytes(Some(b.clone())),
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

/// The value at `index + 1`, decoded as the storage class named at `index` (text arrives as
/// its bytes).
fn source_value(row: &QueryResult, index: usize) -> Result<SourceValue, DbErr> {
    let class: String = row.try_get_by_index(index)?;
    let at = index + 1;
    Ok(match class.as_str() {
        "integer" => SourceValue::Integer(row.try_get_by_index(at)?),
        "real" => SourceValue::Real(row.try_get_by_index(at)?),
        "text" => match String::from_utf8(row.try_get_by_index(at)?) {
            Ok(text) => SourceValue::Text(text),
            Err(err) => SourceValue::NonUtf8Text(err.into_bytes()),
        },
        "blob" => SourceValue::Blob(row.try_get_by_index(at)?),
        _ => SourceValue::Null,
    })
}
