//! [`TableShape`]: what the copy needs to know of a table on one backend (its columns and
//! their kinds, its primary key, a foreign key onto itself), read from the catalog.

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

use super::cell::{Cell, Kind};
use super::error::{CopyError, db_err};
use super::sql::quote;

/// One column.
#[derive(Clone, Debug)]
pub(crate) struct Column {
    /// Its name.
    pub(crate) name: String,
    /// What it holds.
    pub(crate) kind: Kind,
}

/// A table as the copy sees it.
#[derive(Clone, Debug)]
pub(crate) struct TableShape {
    /// Its name.
    pub(crate) name: String,
    /// Its columns, sorted by name (the order is the same on both backends, whatever order
    /// the columns were added in).
    pub(crate) columns: Vec<Column>,
    /// The primary key's columns (indexes into `columns`), in key order.
    pub(crate) key: Vec<usize>,
    /// A column referencing the table's own single-column key (a task's parent), if any.
    pub(crate) parent: Option<usize>,
}

impl TableShape {
    /// The columns to select, quoted, each prefixed with `prefix` (`t.`): JSON columns as text
    /// on PostgreSQL (`jsonb` would be parsed through floats), the rest as they are.
    pub(crate) fn select_list(&self, backend: DbBackend, prefix: &str) -> String {
        self.columns
            .iter()
            .map(|c| {
                let column = format!("{prefix}{}", quote(&c.name));
                if c.kind == Kind::Json && backend == DbBackend::Postgres {
                    format!("{column}::text")
                } else {
                    column
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The key columns' names.
    pub(crate) fn key_names(&self) -> Vec<&str> {
        self.key
            .iter()
            .map(|&i| self.columns[i].name.as_str())
            .collect()
    }

    /// A row's primary key for people and for matching: the key cell for a one-column key, a
    /// JSON array of the key cells otherwise (unambiguous whatever the values hold).
    pub(crate) fn key_text(&self, cells: &[Cell]) -> String {
        if let [only] = self.key.as_slice() {
            return cells[*only].display();
        }
        serde_json::Value::Array(
            self.key
                .iter()
                .map(|&i| serde_json::Value::String(cells[i].display()))
                .collect(),
        )
        .to_string()
    }

    /// The key columns' kinds.
    pub(crate) fn key_kinds(&self) -> Vec<Kind> {
        self.key.iter().map(|&i| self.columns[i].kind).collect()
    }
}

/// Reads `table`'s shape on `db`.
///
/// # Errors
/// [`CopyError::Schema`] for a missing table, a table without a primary key, or a column of a
/// type the copy does not know; [`CopyError::Db`].
pub(crate) async fn describe(
    db: &impl ConnectionTrait,
    table: &str,
) -> Result<TableShape, CopyError> {
    let backend = db.get_database_backend();
    let context = || format!("reading the catalog of {table}");
    let (columns_sql, key_sql, parent_sql) = queries(backend);
    let schema = |reason: String| CopyError::Schema {
        table: table.to_owned(),
        reason,
    };
    let mut columns = Vec::new();
    for (name, declared) in pairs(db, columns_sql, table)
        .await
        .map_err(db_err(context()))?
    {
        let kind = Kind::of(&declared).ok_or_else(|| {
            schema(format!(
                "column {name} has a type the copy does not know: {declared}"
            ))
        })?;
        columns.push(Column { name, kind });
    }
    if columns.is_empty() {
        return Err(schema("no such table".to_owned()));
    }
    columns.sort_by(|a, b| a.name.cmp(&b.name));
    let position = |name: &str| columns.iter().position(|c| c.name == name);
    let key: Vec<usize> = pairs(db, key_sql, table)
        .await
        .map_err(db_err(context()))?
        .iter()
        .filter_map(|(name, _)| position(name))
        .collect();
    if key.is_empty() {
        return Err(schema("no primary key".to_owned()));
    }
    let parents: Vec<usize> = pairs(db, parent_sql, table)
        .await
        .map_err(db_err(context()))?
        .iter()
        .filter(|(_, to)| key.len() == 1 && columns[key[0]].name == *to)
        .filter_map(|(from, _)| position(from))
        .collect();
    if parents.len() > 1 {
        return Err(schema(
            "more than one foreign key onto the table itself".to_owned(),
        ));
    }
    Ok(TableShape {
        name: table.to_owned(),
        parent: parents.first().copied(),
        columns,
        key,
    })
}

/// The catalog queries, each taking the table name as its one parameter and returning two text
/// columns: (column, declared type), (key column, ''), (referencing column, referenced column)
/// for the table's foreign keys onto itself.
fn queries(backend: DbBackend) -> (&'static str, &'static str, &'static str) {
    match backend {
        DbBackend::Postgres => (
            "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a \
             JOIN pg_class c ON c.oid = a.attrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() \
             WHERE c.relname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 \
             AND NOT a.attisdropped ORDER BY a.attnum",
            "SELECT a.attname::text, '' FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() \
             CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) \
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum \
             WHERE c.relname = $1 AND i.indisprimary ORDER BY k.ord",
            "SELECT fa.attname::text, ta.attname::text FROM pg_constraint co \
             JOIN pg_class c ON c.oid = co.conrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() \
             JOIN pg_attribute fa ON fa.attrelid = c.oid AND fa.attnum = co.conkey[1] \
             JOIN pg_attribute ta ON ta.attrelid = c.oid AND ta.attnum = co.confkey[1] \
             WHERE c.relname = $1 AND co.contype = 'f' AND co.confrelid = co.conrelid \
             AND cardinality(co.conkey) = 1",
        ),
        _ => (
            "SELECT name, type FROM pragma_table_info($1) ORDER BY cid",
            "SELECT name, '' FROM pragma_table_info($1) WHERE pk > 0 ORDER BY pk",
            "SELECT f.\"from\", f.\"to\" FROM pragma_foreign_key_list($1) f \
             JOIN sqlite_master m ON m.name = $1 AND m.type = 'table' \
             WHERE f.\"table\" = m.name AND f.\"to\" IS NOT NULL",
        ),
    }
}

/// The two text columns of every row of `sql` run with `table` as its parameter.
async fn pairs(
    db: &impl ConnectionTrait,
    sql: &str,
    table: &str,
) -> Result<Vec<(String, String)>, DbErr> {
    let backend = db.get_database_backend();
    db.query_all_raw(Statement::from_sql_and_values(backend, sql, [table.into()]))
        .await?
        .iter()
        .map(|row| Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?)))
        .collect()
}
