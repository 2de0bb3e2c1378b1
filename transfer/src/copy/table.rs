//! [`TableShape`]: what the copy needs to know of a table on one backend (its columns and
//! their kinds, its primary key, a foreign key onto itself), read from the catalog.

use memdb_migration::dialect::keys::{declared_columns, foreign_keys, primary_key};
use sea_orm::{ConnectionTrait, DbBackend};

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
    let context = || format!("reading the catalog of {table}");
    let schema = |reason: String| CopyError::Schema {
        table: table.to_owned(),
        reason,
    };
    let mut columns = Vec::new();
    for (name, declared) in declared_columns(db, table)
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
    let key: Vec<usize> = primary_key(db, table)
        .await
        .map_err(db_err(context()))?
        .iter()
        .filter_map(|name| position(name))
        .collect();
    if key.is_empty() {
        return Err(schema("no primary key".to_owned()));
    }
    // A single-column foreign key onto the table's own single-column key (named, or left
    // implicit as the primary key).
    let own_key = &columns[key[0]].name;
    let parents: Vec<usize> = foreign_keys(db, table)
        .await
        .map_err(db_err(context()))?
        .iter()
        .filter(|fk| fk.parent == table && fk.columns.len() == 1 && key.len() == 1)
        .filter(|fk| fk.parent_columns.is_empty() || fk.parent_columns == [own_key.as_str()])
        .filter_map(|fk| position(&fk.columns[0]))
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
