//! The one place that knows how the supported backends differ in DDL.
//!
//! Migrations describe the schema with SeaQuery, which renders portable SQL for SQLite,
//! PostgreSQL and (later) MySQL/MariaDB. What SeaQuery cannot express the same way everywhere
//! is decided here, so no migration has to `match` on the backend itself.

pub mod catalog;
pub mod drop_all;
pub mod health;
pub mod json_index;
pub mod keys;
pub mod scratch;
pub mod snapshot;

use std::collections::{BTreeMap, BTreeSet};

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

/// A CHECK constraint that keeps a JSON column valid, where the backend needs one.
///
/// PostgreSQL (`jsonb`) and MySQL (`json`) reject malformed JSON by their column types;
/// SQLite stores JSON as TEXT, so it gets `CHECK (json_valid(column))`. NULL passes, as in
/// every CHECK, so nullable JSON columns stay nullable.
#[must_use]
pub fn json_valid_check(backend: DbBackend, table: &str, column: &str) -> Option<Check> {
    match backend {
        DbBackend::Sqlite => Some(Check::named(
            format!("ck_{table}_{column}_json"),
            Expr::cust(format!("json_valid(\"{column}\")")),
        )),
        _ => None,
    }
}

/// Adds [`json_valid_check`] for each of `columns` to `table` where the backend needs it.
pub fn add_json_checks(
    backend: DbBackend,
    table: &mut TableCreateStatement,
    table_name: &str,
    columns: &[&str],
) {
    for column in columns {
        if let Some(check) = json_valid_check(backend, table_name, column) {
            table.check(check);
        }
    }
}

/// `column`, made to compare and sort by code point on every backend.
///
/// SQLite compares text bytewise (its BINARY collation) unless told otherwise; PostgreSQL uses
/// the database's collation, which on most servers is linguistic (`_x`, `alice`, `Bob`, `Zed`
/// rather than `Bob`, `Zed`, `_x`, `alice`). Columns that listings order by get `COLLATE "C"`
/// there, so a page holds the same rows on both backends and a copied database lists the same.
#[must_use]
pub fn bytewise(backend: DbBackend, mut column: ColumnDef) -> ColumnDef {
    if backend == DbBackend::Postgres {
        column.extra("COLLATE \"C\"");
    }
    column
}

/// The names of the base tables in the connection's current schema, sorted (SQLite's internal
/// `sqlite_*` tables left out).
///
/// # Errors
/// The database's error, or `DbErr::BackendNotSupported` on a backend not handled here.
pub async fn schema_tables(db: &impl ConnectionTrait) -> Result<Vec<String>, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => {
            "SELECT name FROM sqlite_master \
             WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
        }
        DbBackend::Postgres => {
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
        }
        _ => {
            return Err(DbErr::BackendNotSupported {
                db: "MySQL",
                ctx: "memdb_migration::dialect::schema_tables",
            });
        }
    };
    db.query_all_raw(Statement::from_string(backend, sql))
        .await?
        .iter()
        .map(|row| row.try_get_by_index::<String>(0))
        .collect()
}

/// Every base table of the connection's current schema with its column names (SQLite's
/// internal `sqlite_*` tables left out).
///
/// # Errors
/// The database's error, or `DbErr::BackendNotSupported` on a backend not handled here.
pub async fn schema_columns(
    db: &impl ConnectionTrait,
) -> Result<BTreeMap<String, BTreeSet<String>>, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => {
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        }
        DbBackend::Postgres => {
            "SELECT c.table_name::text, c.column_name::text FROM information_schema.columns c \
             JOIN information_schema.tables t \
               ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
             WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'"
        }
        _ => {
            return Err(DbErr::BackendNotSupported {
                db: "MySQL",
                ctx: "memdb_migration::dialect::schema_columns",
            });
        }
    };
    let mut columns: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in db
        .query_all_raw(Statement::from_string(backend, sql))
        .await?
    {
        let table: String = row.try_get_by_index(0)?;
        let column: String = row.try_get_by_index(1)?;
        columns.entry(table).or_default().insert(column);
    }
    Ok(columns)
}

/// The columns of index `index` on `table`, in index order; `None` when there is no such index.
/// Expression columns show as an empty name.
///
/// # Errors
/// The database's error, or `DbErr::BackendNotSupported` on a backend not handled here.
pub async fn index_columns(
    db: &impl ConnectionTrait,
    table: &str,
    index: &str,
) -> Result<Option<Vec<String>>, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => {
            "SELECT ii.name FROM sqlite_master m, pragma_index_info(m.name) ii \
             WHERE m.type = 'index' AND m.name = $1 AND m.tbl_name = $2 ORDER BY ii.seqno"
        }
        DbBackend::Postgres => {
            "SELECT coalesce(a.attname::text, '') FROM pg_index i \
             JOIN pg_class ic ON ic.oid = i.indexrelid \
             JOIN pg_class tc ON tc.oid = i.indrelid \
             JOIN pg_namespace n ON n.oid = tc.relnamespace AND n.nspname = current_schema() \
             CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) \
             LEFT JOIN pg_attribute a ON a.attrelid = tc.oid AND a.attnum = k.attnum \
             WHERE ic.relname = $1 AND tc.relname = $2 ORDER BY k.ord"
        }
        _ => {
            return Err(DbErr::BackendNotSupported {
                db: "MySQL",
                ctx: "memdb_migration::dialect::index_columns",
            });
        }
    };
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [index.into(), table.into()],
        ))
        .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    rows.iter()
        .map(|row| {
            row.try_get_by_index::<Option<String>>(0)
                .map(Option::unwrap_or_default)
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// The backend's name as people write it (`SQLite`, `PostgreSQL`, `MySQL`).
#[must_use]
pub fn backend_name(backend: DbBackend) -> String {
    match backend {
        DbBackend::Sqlite => "SQLite".to_owned(),
        DbBackend::Postgres => "PostgreSQL".to_owned(),
        DbBackend::MySql => "MySQL".to_owned(),
        // `DbBackend` is non-exhaustive; name anything new as SeaORM does.
        other => format!("{other:?}"),
    }
}
