//! Reading a table in pages by keyset: every page starts after the last row of the one before
//! (a row value comparison on the primary key), so each page is one index range scan and a
//! rerun can start after any committed page; and reading rows by their keys.

use sea_orm::{ConnectionTrait, Statement, Value};

use super::cell::{Cell, decode};
use super::error::{CopyError, db_err};
use super::sql::{column_list, placeholders, quote};
use super::table::TableShape;

/// One row read: its cells (in the shape's column order) and its primary key.
pub(crate) struct Row {
    /// The cells.
    pub(crate) cells: Vec<Cell>,
    /// The primary key's cells.
    pub(crate) key: Vec<Cell>,
}

/// Reads up to `limit` rows of `shape` in primary key order, after the key `after` (from the
/// start when `None`).
pub(crate) async fn read(
    db: &impl ConnectionTrait,
    shape: &TableShape,
    after: Option<&[Cell]>,
    limit: usize,
) -> Result<Vec<Row>, CopyError> {
    let backend = db.get_database_backend();
    let key = column_list(&shape.key_names(), "");
    let mut values: Vec<Value> = Vec::new();
    let filter = match after {
        Some(last) => {
            values.extend(
                last.iter()
                    .zip(shape.key_kinds())
                    .map(|(c, k)| c.to_value(k)),
            );
            format!(
                "WHERE ({key}) > {} ",
                placeholders(backend, 1, values.len())
            )
        }
        None => String::new(),
    };
    let sql = format!(
        "SELECT {} FROM {} {filter}ORDER BY {key} LIMIT {limit}",
        shape.select_list(backend, ""),
        quote(&shape.name),
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .map_err(db_err(format!("reading {}", shape.name)))?;
    rows.iter()
        .map(|row| {
            let cells = shape
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| decode(row, i, c.kind, backend))
                .collect::<Result<Vec<_>, _>>()?;
            let key = shape.key.iter().map(|&i| cells[i].clone()).collect();
            Ok(Row { cells, key })
        })
        .collect::<Result<_, sea_orm::DbErr>>()
        .map_err(db_err(format!("decoding a row of {}", shape.name)))
}

/// The rows of `shape` whose primary keys are `keys` (absent keys are left out).
pub(crate) async fn read_keys(
    db: &impl ConnectionTrait,
    shape: &TableShape,
    keys: &[Vec<Cell>],
) -> Result<Vec<Vec<Cell>>, CopyError> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let kinds = shape.key_kinds();
    let mut values = Vec::with_capacity(keys.len() * kinds.len());
    let mut tuples = Vec::with_capacity(keys.len());
    for key in keys {
        tuples.push(placeholders(backend, values.len() + 1, kinds.len()));
        values.extend(key.iter().zip(&kinds).map(|(c, k)| c.to_value(*k)));
    }
    let sql = if kinds.len() == 1 {
        format!(
            "SELECT {} FROM {} WHERE {} IN ({})",
            shape.select_list(backend, ""),
            quote(&shape.name),
            column_list(&shape.key_names(), ""),
            tuples.join(", ")
        )
    } else {
        // A composite key: a join with the keys as a VALUES list, which both backends look up
        // through the key's index (SQLite scans the table for a row value `IN` list).
        let on: Vec<String> = shape
            .key_names()
            .iter()
            .enumerate()
            .map(|(i, name)| format!("t.{} = k.column{}", quote(name), i + 1))
            .collect();
        format!(
            "SELECT {} FROM (VALUES {}) AS k JOIN {} t ON {}",
            shape.select_list(backend, "t."),
            tuples.join(", "),
            quote(&shape.name),
            on.join(" AND ")
        )
    };
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await
        .map_err(db_err(format!("reading {} by key", shape.name)))?;
    rows.iter()
        .map(|row| {
            shape
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| decode(row, i, c.kind, backend))
                .collect::<Result<Vec<_>, _>>()
        })
        .collect::<Result<_, _>>()
        .map_err(db_err(format!("decoding a row of {}", shape.name)))
}

/// How many rows `table` holds.
pub(crate) async fn count(db: &impl ConnectionTrait, table: &str) -> Result<u64, CopyError> {
    let backend = db.get_database_backend();
    let sql = format!("SELECT COUNT(*) FROM {}", quote(table));
    let row = db
        .query_one_raw(Statement::from_string(backend, sql))
        .await
        .map_err(db_err(format!("counting {table}")))?;
    let n: i64 = row
        .map_or(Ok(0), |r| r.try_get_by_index(0))
        .map_err(db_err(format!("counting {table}")))?;
    Ok(n.try_into().unwrap_or_default())
}
