//! Reading a copied table back from PostgreSQL into the same canonical cells the source side
//! was hashed from.

use std::sync::atomic::{AtomicU64, Ordering};

use sea_orm::{ConnectionTrait, DbBackend, DbErr, QueryResult, Statement};

use super::checksum::TableChecksum;
use super::error::ConsolidateError;
use super::ident::{qualified, quote};
use super::pg_type::PgType;
use super::plan::TablePlan;
use super::values::Cell;

/// Numbers the cursors: sqlx caches prepared statements by their text, with the columns
/// they returned, so a `FETCH` from a cursor of the same name over another table would be
/// decoded with the first table's column types. Each cursor gets a name of its own.
static CURSORS: AtomicU64 = AtomicU64::new(0);

/// Rows fetched from the cursor at a time.
const FETCH_BATCH: u32 = 2_000;

/// The row count and checksum of `schema.table` as PostgreSQL holds it, read through a
/// cursor of the caller's transaction.
///
/// # Errors
/// [`ConsolidateError::Target`] for the database's error.
pub(crate) async fn target_checksum(
    txn: &impl ConnectionTrait,
    schema: &str,
    table: &TablePlan,
) -> Result<(u64, String), ConsolidateError> {
    read(txn, schema, table)
        .await
        .map_err(ConsolidateError::Target)
}

/// [`target_checksum`] with the database's error.
async fn read(
    txn: &impl ConnectionTrait,
    schema: &str,
    table: &TablePlan,
) -> Result<(u64, String), DbErr> {
    let columns: Vec<String> = table.columns.iter().map(|c| quote(&c.name)).collect();
    let types: Vec<PgType> = table.columns.iter().map(|c| c.pg_type).collect();
    let cursor = format!(
        "memdb_consolidate_{}",
        CURSORS.fetch_add(1, Ordering::Relaxed)
    );
    txn.execute_unprepared(&format!(
        "DECLARE {cursor} NO SCROLL CURSOR FOR SELECT {} FROM {}",
        columns.join(", "),
        qualified(schema, &table.name)
    ))
    .await?;
    let mut checksum = TableChecksum::default();
    loop {
        let rows = txn
            .query_all_raw(Statement::from_string(
                DbBackend::Postgres,
                format!("FETCH FORWARD {FETCH_BATCH} FROM {cursor}"),
            ))
            .await?;
        for row in &rows {
            let cells = types
                .iter()
                .enumerate()
                .map(|(i, ty)| cell(row, i, *ty))
                .collect::<Result<Vec<_>, DbErr>>()?;
            checksum.add(&cells);
        }
        if rows.len() < FETCH_BATCH as usize {
            break;
        }
    }
    txn.execute_unprepared(&format!("CLOSE {cursor}")).await?;
    Ok((checksum.rows(), checksum.finish()))
}

/// The value at `index` of a column of type `ty`.
fn cell(row: &QueryResult, index: usize, ty: PgType) -> Result<Cell, DbErr> {
    Ok(match ty {
        PgType::BigInt => row
            .try_get_by_index::<Option<i64>>(index)?
            .map(Cell::BigInt),
        PgType::Double => row
            .try_get_by_index::<Option<f64>>(index)?
            .map(Cell::Double),
        PgType::Boolean => row
            .try_get_by_index::<Option<bool>>(index)?
            .map(Cell::Boolean),
        PgType::Timestamptz => row
            .try_get_by_index::<Option<chrono::DateTime<chrono::Utc>>>(index)?
            .map(Cell::Timestamp),
        PgType::Jsonb => row
            .try_get_by_index::<Option<serde_json::Value>>(index)?
            .map(Cell::Json),
        PgType::Text => row
            .try_get_by_index::<Option<String>>(index)?
            .map(Cell::Text),
        PgType::Bytea => row
            .try_get_by_index::<Option<Vec<u8>>>(index)?
            .map(Cell::Bytes),
    }
    .unwrap_or(Cell::Null))
}
