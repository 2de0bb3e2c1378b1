//! Creating the enhanced track's tables and indexes, or adopting ones a hand-made setup left.
//!
//! Before memdb, the enhanced schema was applied by hand with `CREATE TABLE IF NOT EXISTS`. A
//! database from that era may hold some of its tables already. A table with exactly the columns
//! the migration would create (by name) and an index with the migration's name over the same
//! columns are taken over as they are; anything else under the same name is a clear error, never
//! silently kept or replaced.

use memdb_migration::dialect::{index_columns, schema_columns};
use sea_orm_migration::prelude::*;

/// Creates `table`, or adopts an existing table of the same name with exactly its columns.
///
/// # Errors
/// `DbErr::Migration` naming the table and both column lists when a table of that name exists
/// with other columns; the database's error otherwise.
pub(crate) async fn create_table(
    manager: &SchemaManager<'_>,
    name: &str,
    table: TableCreateStatement,
) -> Result<(), DbErr> {
    if !manager.has_table(name).await? {
        return manager.create_table(table).await;
    }
    let mut expected: Vec<String> = table
        .get_columns()
        .iter()
        .map(ColumnDef::get_column_name)
        .collect();
    expected.sort();
    let found: Vec<String> = schema_columns(manager.get_connection())
        .await?
        .remove(name)
        .unwrap_or_default()
        .into_iter()
        .collect();
    if found == expected {
        return Ok(());
    }
    Err(DbErr::Migration(format!(
        "table {name} already exists with columns ({}), but memdb's enhanced schema needs ({}): \
         it was not made by memdb; rename or drop it, then migrate again",
        found.join(", "),
        expected.join(", ")
    )))
}

/// Creates `index` on `table`, or adopts an existing index of the same name over the same
/// columns.
///
/// # Errors
/// `DbErr::Migration` naming the index when one of that name exists over other columns; the
/// database's error otherwise.
pub(crate) async fn create_index(
    manager: &SchemaManager<'_>,
    table: &str,
    index: IndexCreateStatement,
) -> Result<(), DbErr> {
    let spec = index.get_index_spec();
    let name = spec.get_name().unwrap_or_default().to_owned();
    let expected = spec.get_column_names();
    // The existence probe first: memdb renders migrations for checksums and dry runs on a
    // connection that answers probes as an empty database would, but not catalog reads.
    if !manager.has_index(table, &name).await? {
        return manager.create_index(index).await;
    }
    match index_columns(manager.get_connection(), table, &name).await? {
        None => manager.create_index(index).await,
        Some(found) if found == expected => Ok(()),
        Some(found) => Err(DbErr::Migration(format!(
            "index {name} on {table} already exists over ({}), but memdb's enhanced schema needs \
             ({}): drop it, then migrate again",
            found.join(", "),
            expected.join(", ")
        ))),
    }
}

/// Drops `tables` (children first, as given) if they exist: a track's `down`.
///
/// # Errors
/// The database's error.
pub(crate) async fn drop_tables(manager: &SchemaManager<'_>, tables: &[&str]) -> Result<(), DbErr> {
    for table in tables {
        manager
            .drop_table(
                Table::drop()
                    .table(Alias::new(*table))
                    .if_exists()
                    .to_owned(),
            )
            .await?;
    }
    Ok(())
}

/// Creates each `(name, columns, unique)` index on `table` with [`create_index`], in order.
///
/// # Errors
/// As [`create_index`].
pub(crate) async fn create_indexes<C: IntoIden + Copy>(
    manager: &SchemaManager<'_>,
    table: &str,
    indexes: &[(&str, &[C], bool)],
) -> Result<(), DbErr> {
    for (name, columns, unique) in indexes {
        let mut index = Index::create()
            .name(*name)
            .table(Alias::new(table))
            .to_owned();
        for column in *columns {
            index.col(*column);
        }
        if *unique {
            index.unique();
        }
        create_index(manager, table, index).await?;
    }
    Ok(())
}
