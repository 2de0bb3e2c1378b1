//! The shape of a live schema as the backend's catalog describes it: every base table of the
//! connection's current schema with its columns (declared type, nullability) and its indexes
//! (the columns they cover, in order). `stamp` and `doctor` compare two such snapshots.

use std::collections::BTreeMap;

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

/// One column as the catalog describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnShape {
    /// The declared type: SQLite's declared type text, PostgreSQL's `format_type` (with length
    /// or precision), lowercase.
    pub data_type: String,
    /// Whether the column accepts NULL.
    pub nullable: bool,
}

/// One index: its columns in order (an expression shows as `(expression)`) and whether it is
/// unique.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexShape {
    /// The indexed columns, in index order.
    pub columns: Vec<String>,
    /// Whether the index is unique.
    pub unique: bool,
}

/// One base table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableShape {
    /// Its columns by name.
    pub columns: BTreeMap<String, ColumnShape>,
    /// Its indexes by name (SQLite's `sqlite_autoindex_*` and PostgreSQL's constraint indexes
    /// included: both are named deterministically by the DDL that made them).
    pub indexes: BTreeMap<String, IndexShape>,
}

/// Every base table of a schema by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Catalog {
    /// The tables.
    pub tables: BTreeMap<String, TableShape>,
}

/// How an index column the catalog cannot name (an expression) is shown.
pub const EXPRESSION: &str = "(expression)";

/// Reads the tables, columns and indexes of the connection's current schema (SQLite's
/// internal `sqlite_*` tables left out).
///
/// # Errors
/// The database's error, or `DbErr::BackendNotSupported` on a backend not handled here.
pub async fn read_catalog(db: &impl ConnectionTrait) -> Result<Catalog, DbErr> {
    let backend = db.get_database_backend();
    let (columns_sql, indexes_sql) = match backend {
        DbBackend::Sqlite => (
            "SELECT m.name, p.name, lower(p.type), p.\"notnull\" = 0 AND p.pk = 0 \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
            "SELECT m.tbl_name, m.name, il.\"unique\" = 1, coalesce(ii.name, '') \
             FROM sqlite_master m JOIN pragma_index_list(m.tbl_name) il ON il.name = m.name \
             JOIN pragma_index_xinfo(m.name) ii ON ii.key = 1 \
             WHERE m.type = 'index' ORDER BY m.tbl_name, m.name, ii.seqno",
        ),
        DbBackend::Postgres => (
            "SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod), \
             NOT a.attnotnull FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() \
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
             WHERE c.relkind IN ('r', 'p')",
            "SELECT tc.relname::text, ic.relname::text, i.indisunique, \
             coalesce(a.attname::text, '') FROM pg_index i \
             JOIN pg_class ic ON ic.oid = i.indexrelid \
             JOIN pg_class tc ON tc.oid = i.indrelid \
             JOIN pg_namespace n ON n.oid = tc.relnamespace AND n.nspname = current_schema() \
             CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) \
             LEFT JOIN pg_attribute a ON a.attrelid = tc.oid AND a.attnum = k.attnum \
             WHERE tc.relkind IN ('r', 'p') ORDER BY 1, 2, k.ord",
        ),
        _ => {
            return Err(DbErr::BackendNotSupported {
                db: "MySQL",
                ctx: "memdb_migration::dialect::catalog",
            });
        }
    };
    let mut catalog = Catalog::default();
    for row in db
        .query_all_raw(Statement::from_string(backend, columns_sql))
        .await?
    {
        let table: String = row.try_get_by_index(0)?;
        let column: String = row.try_get_by_index(1)?;
        let data_type: String = row.try_get_by_index(2)?;
        let nullable: bool = row.try_get_by_index(3)?;
        catalog.tables.entry(table).or_default().columns.insert(
            column,
            ColumnShape {
                data_type,
                nullable,
            },
        );
    }
    for row in db
        .query_all_raw(Statement::from_string(backend, indexes_sql))
        .await?
    {
        let table: String = row.try_get_by_index(0)?;
        let index: String = row.try_get_by_index(1)?;
        let unique: bool = row.try_get_by_index(2)?;
        let column: String = row.try_get_by_index(3)?;
        let column = if column.is_empty() {
            EXPRESSION.to_owned()
        } else {
            column
        };
        let shape = catalog
            .tables
            .entry(table)
            .or_default()
            .indexes
            .entry(index)
            .or_insert_with(|| IndexShape {
                columns: Vec::new(),
                unique,
            });
        shape.columns.push(column);
    }
    Ok(catalog)
}

/// The family of a declared column type (`text`, `integer`, `number`, `boolean`, `uuid`,
/// `json`, `time`, `binary`), as both backends spell it: SeaORM's SQLite names (`uuid_text`,
/// `json_text`, `timestamp_with_timezone_text`, `varchar(200)`) and PostgreSQL's
/// (`character varying(200)`, `timestamp with time zone`, `jsonb`). `None` when unrecognised.
#[must_use]
pub fn type_family(declared: &str) -> Option<&'static str> {
    let t = declared.to_ascii_lowercase();
    // Most specific first: SeaORM's SQLite names end in `_text`.
    let families: [(&[&str], &'static str); 8] = [
        (&["uuid"], "uuid"),
        (&["json"], "json"),
        (&["timestamp", "datetime", "date", "time"], "time"),
        (&["bool"], "boolean"),
        (&["char", "text", "clob", "string"], "text"),
        (&["int", "serial"], "integer"),
        (
            &["real", "double", "float", "numeric", "decimal", "money"],
            "number",
        ),
        (&["blob", "binary", "bytea"], "binary"),
    ];
    families
        .iter()
        .find(|(needles, _)| needles.iter().any(|n| t.contains(n)))
        .map(|(_, family)| *family)
}

#[cfg(test)]
mod tests {
    use super::type_family;

    #[test]
    fn families_match_across_backends() {
        for (sqlite, postgres) in [
            ("uuid_text", "uuid"),
            ("json_text", "jsonb"),
            ("timestamp_with_timezone_text", "timestamp with time zone"),
            ("varchar(200)", "character varying(200)"),
            ("text", "text"),
            ("bigint", "bigint"),
            ("boolean", "boolean"),
            ("double", "double precision"),
        ] {
            assert_eq!(type_family(sqlite), type_family(postgres), "{sqlite}");
            assert!(type_family(sqlite).is_some(), "{sqlite}");
        }
        assert_eq!(type_family("geometry"), None);
    }
}
