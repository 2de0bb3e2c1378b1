//! What "unchanged" means for a table, read from the database itself: a catalog fingerprint
//! (columns with their types, nullability, defaults and collations; indexes; constraints;
//! triggers; foreign keys of other tables pointing at it) and a content checksum (SHA-256 over a
//! canonical text form of every row). Two snapshots are equal only if the tables are
//! byte-identical in shape and content.

use std::collections::BTreeMap;

use memdb_enhanced_migration::ENHANCED_TABLES;
use memdb_migration::LEGACY_TABLES;
use memdb_migration::dialect::schema_tables;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

/// A table's catalog entries, one line each, sorted.
pub(super) type Catalog = BTreeMap<String, Vec<String>>;

/// A table's rows: how many, and the SHA-256 of their canonical text forms in sorted order.
pub(super) use memdb_tests::content::TableChecksum as Checksum;

/// The catalog fingerprint and content checksum of some tables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Snapshot {
    pub(super) catalog: Catalog,
    pub(super) contents: BTreeMap<String, Checksum>,
}

/// Catalog and contents of `tables`.
pub(super) async fn snapshot(db: &impl ConnectionTrait, tables: &[&str]) -> Snapshot {
    let mut catalog = Catalog::new();
    let mut contents = BTreeMap::new();
    for table in tables {
        let mut entries = table_catalog(db, table).await;
        if LEGACY_TABLES.contains(table) {
            entries.retain(|entry| !is_enhanced_reference(entry));
        }
        catalog.insert((*table).to_owned(), entries);
        contents.insert((*table).to_owned(), checksum(db, table).await);
    }
    Snapshot { catalog, contents }
}

/// Whether a catalog entry is a foreign key of an enhanced table pointing at the table: the
/// enhanced track links its rows to legacy tasks that way, and such a reference is checked on
/// its own (it may only cascade or clear, never refuse a legacy delete), not as part of the
/// legacy table's shape.
fn is_enhanced_reference(entry: &str) -> bool {
    entry.strip_prefix("referenced by ").is_some_and(|rest| {
        let table = rest.split(['(', ' ']).next().unwrap_or_default();
        ENHANCED_TABLES.contains(&table)
    })
}

/// The catalog fingerprint of every table in the schema (tracking tables included).
pub(super) async fn schema_catalog(db: &impl ConnectionTrait) -> Catalog {
    let mut catalog = Catalog::new();
    for table in schema_tables(db).await.expect("list the tables") {
        let entries = table_catalog(db, &table).await;
        catalog.insert(table, entries);
    }
    catalog
}

/// The catalog entries describing `table`, sorted.
pub(super) async fn table_catalog(db: &impl ConnectionTrait, table: &str) -> Vec<String> {
    let queries: &[&str] = match db.get_database_backend() {
        // SQLite keeps every table, index and trigger as the statement that created it
        // (rewritten by ALTER TABLE), so the statements are the whole definition.
        DbBackend::Sqlite => &[
            "SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master \
             WHERE tbl_name = $1",
            "SELECT 'referenced by ' || m.name || '(' || f.\"from\" || ')' \
             FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f \
             WHERE m.type = 'table' AND f.\"table\" = $1",
        ],
        DbBackend::Postgres => &[
            "SELECT concat_ws(' ', 'column', a.attnum, a.attname, \
                    format_type(a.atttypid, a.atttypmod), \
                    CASE WHEN a.attnotnull THEN 'not null' ELSE 'null' END, \
                    'default', coalesce(pg_get_expr(d.adbin, d.adrelid), '-'), \
                    'collate', coalesce(c.collname, '-')) \
             FROM pg_attribute a \
             LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
             LEFT JOIN pg_collation c ON c.oid = a.attcollation \
             WHERE a.attrelid = to_regclass(quote_ident($1)) AND a.attnum > 0 \
               AND NOT a.attisdropped",
            "SELECT 'index ' || pg_get_indexdef(indexrelid) FROM pg_index \
             WHERE indrelid = to_regclass(quote_ident($1))",
            "SELECT 'constraint ' || conname || ' ' || pg_get_constraintdef(oid) \
             FROM pg_constraint WHERE conrelid = to_regclass(quote_ident($1))",
            "SELECT 'referenced by ' || conrelid::regclass::text || ' ' || conname || ' ' || \
                    pg_get_constraintdef(oid) \
             FROM pg_constraint WHERE confrelid = to_regclass(quote_ident($1))",
            "SELECT 'trigger ' || pg_get_triggerdef(oid) FROM pg_trigger \
             WHERE tgrelid = to_regclass(quote_ident($1)) AND NOT tgisinternal",
        ],
        other => panic!("no catalog queries for {other:?}"),
    };
    let mut entries = Vec::new();
    for sql in queries {
        entries.extend(strings(db, sql, Some(table)).await);
    }
    assert!(!entries.is_empty(), "table {table} does not exist");
    entries.sort();
    entries
}

/// The checksum of `table`'s rows ([`memdb_tests::content::table_checksum`]).
pub(super) async fn checksum(db: &impl ConnectionTrait, table: &str) -> Checksum {
    memdb_tests::content::table_checksum(db, table)
        .await
        .unwrap_or_else(|err| panic!("checksum of {table}: {err}"))
}

/// The one text column of every row `sql` returns, with `table` as `$1` when given.
async fn strings(db: &impl ConnectionTrait, sql: &str, table: Option<&str>) -> Vec<String> {
    let backend = db.get_database_backend();
    let statement = match table {
        Some(table) => Statement::from_sql_and_values(backend, sql, [table.into()]),
        None => Statement::from_string(backend, sql),
    };
    db.query_all_raw(statement)
        .await
        .unwrap_or_else(|err| panic!("{sql}: {err}"))
        .iter()
        .map(|row| row.try_get_by_index::<String>(0).expect("a text column"))
        .collect()
}
