//! Reading a table in pages by keyset: every page starts after the last row of the one before
//! (a row value comparison on the ordering key), so each page is one index range scan and a
//! rerun can start after any committed page.
//!
//! The ordering key is the primary key; a table with a foreign key onto itself (a task's
//! parent) is read by depth first (roots, then their children, ...), so every row's parent is
//! copied before it on both backends without deferring any constraint.

use sea_orm::{ConnectionTrait, Statement, Value};

use super::cell::{Cell, Kind, Width, decode};
use super::error::{CopyError, db_err};
use super::sql::{column_list, placeholders, quote};
use super::table::TableShape;

/// One row read: its cells (in the shape's column order) and its ordering key.
pub(crate) struct Row {
    /// The cells.
    pub(crate) cells: Vec<Cell>,
    /// The ordering key: the depth for a self-referencing table, then the primary key.
    pub(crate) order: Vec<Cell>,
}

/// How the table is ordered when read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    /// By primary key.
    Key,
    /// By depth under the self-reference, then primary key (copying).
    Depth,
}

/// The ordering key's kinds for `shape` in `order`.
pub(crate) fn order_kinds(shape: &TableShape, order: Order) -> Vec<Kind> {
    let mut kinds = Vec::new();
    if order == Order::Depth && shape.parent.is_some() {
        kinds.push(Kind::Integer(Width::I64));
    }
    kinds.extend(shape.key_kinds());
    kinds
}

/// Reads up to `limit` rows of `shape` after the ordering key `after` (from the start when
/// `None`).
pub(crate) async fn read(
    db: &impl ConnectionTrait,
    shape: &TableShape,
    order: Order,
    after: Option<&[Cell]>,
    limit: usize,
) -> Result<Vec<Row>, CopyError> {
    let backend = db.get_database_backend();
    let table = quote(&shape.name);
    let names = shape.names();
    let key = shape.key_names();
    let kinds = order_kinds(shape, order);
    let depth = order == Order::Depth && shape.parent.is_some();
    let (prefix, order_list, from) = if depth {
        let parent = quote(&shape.columns[shape.parent.unwrap_or_default()].name);
        let id = quote(key[0]);
        (
            format!(
                "WITH RECURSIVE \"memdb_copy_depth\"(\"node\", \"depth\") AS (\
                 SELECT {id}, CAST(0 AS BIGINT) FROM {table} WHERE {parent} IS NULL \
                 UNION ALL SELECT c.{id}, d.\"depth\" + 1 FROM {table} c \
                 JOIN \"memdb_copy_depth\" d ON c.{parent} = d.\"node\") "
            ),
            format!("d.\"depth\", t.{id}"),
            format!("{table} t JOIN \"memdb_copy_depth\" d ON t.{id} = d.\"node\""),
        )
    } else {
        (String::new(), column_list(&key, "t."), format!("{table} t"))
    };
    let select = if depth {
        format!("{}, d.\"depth\"", column_list(&names, "t."))
    } else {
        column_list(&names, "t.")
    };
    let mut values: Vec<Value> = Vec::new();
    let filter = match after {
        Some(last) => {
            values.extend(last.iter().zip(&kinds).map(|(c, k)| c.to_value(*k)));
            format!(
                "WHERE ({order_list}) > {} ",
                placeholders(backend, 1, values.len())
            )
        }
        None => String::new(),
    };
    let sql =
        format!("{prefix}SELECT {select} FROM {from} {filter}ORDER BY {order_list} LIMIT {limit}");
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
            let mut order_key = Vec::with_capacity(kinds.len());
            if depth {
                order_key.push(decode(
                    row,
                    names.len(),
                    Kind::Integer(Width::I64),
                    backend,
                )?);
            }
            order_key.extend(shape.key.iter().map(|&i| cells[i].clone()));
            Ok(Row {
                cells,
                order: order_key,
            })
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
    let sql = format!(
        "SELECT {} FROM {} WHERE ({}) IN ({})",
        column_list(&shape.names(), ""),
        quote(&shape.name),
        column_list(&shape.key_names(), ""),
        tuples.join(", ")
    );
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
