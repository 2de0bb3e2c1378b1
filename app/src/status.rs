//! `memdb status`: what the database is, which migrations it has, how full its tables are.
//!
//! Everything here only reads: in particular the migration state comes from the read-only
//! migrator calls, which never create the `seaql_migrations` tracking table.

use anyhow::{Context as _, Result};
use memdb_migration::{LEGACY_TABLES, MigrationStatus, Migrator, MigratorTrait};
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use sea_orm_migration::SchemaManager;

use crate::output::{out, outln};
use crate::table;

/// One legacy table and its row count, `None` when the table does not exist.
#[derive(Clone, Debug)]
pub(crate) struct TableRows {
    /// The table's name.
    pub(crate) name: &'static str,
    /// Its row count, or `None` when it is missing.
    pub(crate) rows: Option<u64>,
}

/// Prints the whole status report: backend, redacted URL, migrations, tables.
pub(crate) async fn run(db: &DatabaseConnection, url: &str) -> Result<()> {
    let migrations = migrations(db).await?;
    let tables = table_rows(db).await?;
    outln!(
        "backend:  {}",
        memdb_migration::dialect::backend_name(db.get_database_backend())
    )?;
    outln!("database: {}", memdb_repository::redact_url(url))?;
    outln!()?;
    out!("{}", render_migrations(&migrations))?;
    outln!()?;
    out!("{}", render_tables(&tables))?;
    Ok(())
}

/// Every legacy migration's name and state, in order, without writing anything.
pub(crate) async fn migrations(db: &DatabaseConnection) -> Result<Vec<(String, MigrationStatus)>> {
    let migrations = Migrator::get_migration_with_status_read_only(db)
        .await
        .context("reading the migration status")?;
    Ok(migrations
        .iter()
        .map(|m| (m.name().to_owned(), m.status()))
        .collect())
}

/// The names of the applied legacy migrations, without writing anything.
pub(crate) async fn applied(db: &DatabaseConnection) -> Result<Vec<String>> {
    Ok(migrations(db)
        .await?
        .into_iter()
        .filter(|(_, status)| *status == MigrationStatus::Applied)
        .map(|(name, _)| name)
        .collect())
}

/// Row counts of every table in [`LEGACY_TABLES`], in dependency order.
pub(crate) async fn table_rows(db: &DatabaseConnection) -> Result<Vec<TableRows>> {
    let schema = SchemaManager::new(db);
    let mut out = Vec::with_capacity(LEGACY_TABLES.len());
    for name in LEGACY_TABLES {
        let exists = schema
            .has_table(name)
            .await
            .with_context(|| format!("checking whether table {name} exists"))?;
        let rows = if exists {
            Some(count_rows(db, name).await?)
        } else {
            None
        };
        out.push(TableRows { name, rows });
    }
    Ok(out)
}

/// Tables in the current schema that memdb does not own: neither a legacy table nor the
/// migration tracking table. `migrate fresh` would drop them too.
pub(crate) async fn foreign_tables(db: &DatabaseConnection) -> Result<Vec<String>> {
    let tables = memdb_migration::dialect::schema_tables(db)
        .await
        .context("listing the tables of the schema")?;
    Ok(tables
        .into_iter()
        .filter(|name| name != "seaql_migrations" && !LEGACY_TABLES.contains(&name.as_str()))
        .collect())
}

/// The sum of the row counts (missing tables count as empty).
pub(crate) fn total_rows(tables: &[TableRows]) -> u64 {
    tables.iter().filter_map(|t| t.rows).sum()
}

/// `SELECT COUNT(*) FROM "<table>"`, the name quoted by SeaQuery.
async fn count_rows(db: &DatabaseConnection, table: &str) -> Result<u64> {
    let query = Query::select()
        .expr(Expr::cust("COUNT(*)"))
        .from(Alias::new(table))
        .to_owned();
    let row = db
        .query_one(&query)
        .await
        .with_context(|| format!("counting the rows of {table}"))?
        .with_context(|| format!("COUNT(*) on {table} returned no row"))?;
    let count: i64 = row
        .try_get_by_index(0)
        .with_context(|| format!("reading the row count of {table}"))?;
    u64::try_from(count).with_context(|| format!("{table} reports {count} rows"))
}

/// The migrations as an aligned two-column table.
pub(crate) fn render_migrations(migrations: &[(String, MigrationStatus)]) -> String {
    let rows: Vec<Vec<String>> = migrations
        .iter()
        .map(|(name, status)| vec![name.clone(), status.to_string()])
        .collect();
    table::render(&["MIGRATION", "STATUS"], &rows)
}

/// The tables as an aligned two-column table; missing tables say `missing`.
fn render_tables(tables: &[TableRows]) -> String {
    let rows: Vec<Vec<String>> = tables
        .iter()
        .map(|t| {
            let rows = t
                .rows
                .map_or_else(|| "missing".to_owned(), |n| n.to_string());
            vec![t.name.to_owned(), rows]
        })
        .collect();
    table::render(&["TABLE", "ROWS"], &rows)
}
