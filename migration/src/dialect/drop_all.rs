//! Dropping every table of a SQLite schema, children before the tables they reference.
//!
//! SQLite refuses to touch a table whose foreign key names a table that no longer exists
//! ("no such table"), even with the checks deferred, and sea-orm-migration's `fresh` drops in
//! the catalog's order: a track that references an earlier track's tables (the enhanced
//! track's links to legacy tasks) would make `fresh` fail. PostgreSQL drops with CASCADE and
//! needs none of this.

use std::collections::BTreeSet;

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

use super::schema_tables;

/// Every (child, parent) pair of tables a foreign key joins, self-references left out.
async fn references(db: &impl ConnectionTrait) -> Result<Vec<(String, String)>, DbErr> {
    let sql = "SELECT m.name AS child, f.\"table\" AS parent FROM sqlite_master m \
               JOIN pragma_foreign_key_list(m.name) f \
               WHERE m.type = 'table' AND m.name <> f.\"table\"";
    db.query_all_raw(Statement::from_string(DbBackend::Sqlite, sql))
        .await?
        .iter()
        .map(|row| Ok((row.try_get("", "child")?, row.try_get("", "parent")?)))
        .collect()
}

/// Drops every table of a SQLite schema, each after every table that references it (tables in
/// a reference cycle last, in any order). Other backends: nothing to do, `Ok`.
///
/// # Errors
/// The database's error.
pub async fn drop_all_children_first(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Ok(());
    }
    loop {
        let tables = schema_tables(db).await?;
        if tables.is_empty() {
            return Ok(());
        }
        let parents: BTreeSet<String> = references(db)
            .await?
            .into_iter()
            .map(|(_, parent)| parent)
            .collect();
        let mut leaves: Vec<&String> = tables.iter().filter(|t| !parents.contains(*t)).collect();
        if leaves.is_empty() {
            leaves = tables.iter().collect();
        }
        for table in leaves {
            let quoted = table.replace('"', "\"\"");
            db.execute_unprepared(&format!("DROP TABLE \"{quoted}\""))
                .await?;
        }
    }
}
