//! The copy's progress records in the target: table [`PROGRESS_TABLE`], one row per source
//! and table (the last key copied, the rows copied, whether the table is finished), written in
//! the same transaction as each batch of rows. A rerun reads them to resume after the last
//! committed batch and to skip finished tables. After a verified copy the source's records are
//! deleted and the table is dropped when no other source has records left, so a finished
//! target is a plain memdb database again.

use std::collections::BTreeMap;

use sea_orm::sea_query::{Alias, ColumnDef, Expr, ExprTrait as _, Index, OnConflict, Query, Table};
use sea_orm::{ConnectionTrait, DbErr};

use super::error::{CopyError, db_err};

/// The progress table's name; it never makes the target count as holding other data.
pub const PROGRESS_TABLE: &str = memdb_migration::COPY_PROGRESS_TABLE;

/// Where a table's copy stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Record {
    /// The ordering key of the last row copied, as JSON (see `transfer.rs`); `None` before the
    /// first batch.
    pub(crate) last_key: Option<String>,
    /// Rows inserted so far.
    pub(crate) rows: u64,
    /// Whether every row was copied.
    pub(crate) finished: bool,
}

/// Creates the progress table when missing.
pub(crate) async fn ensure_table(target: &impl ConnectionTrait) -> Result<(), CopyError> {
    let create = Table::create()
        .table(Alias::new(PROGRESS_TABLE))
        .if_not_exists()
        .col(ColumnDef::new(Alias::new("source")).text().not_null())
        .col(ColumnDef::new(Alias::new("table_name")).text().not_null())
        .col(ColumnDef::new(Alias::new("last_key")).text().null())
        .col(ColumnDef::new(Alias::new("rows")).big_integer().not_null())
        .col(ColumnDef::new(Alias::new("finished")).boolean().not_null())
        .primary_key(
            Index::create()
                .col(Alias::new("source"))
                .col(Alias::new("table_name")),
        )
        .to_owned();
    target
        .execute(&create)
        .await
        .map(drop)
        .map_err(db_err(format!("creating {PROGRESS_TABLE} in the target")))
}

/// The records of `source`, by table.
pub(crate) async fn load(
    target: &impl ConnectionTrait,
    source: &str,
) -> Result<BTreeMap<String, Record>, CopyError> {
    let query = Query::select()
        .columns(["table_name", "last_key", "rows", "finished"].map(Alias::new))
        .from(Alias::new(PROGRESS_TABLE))
        .and_where(Expr::col(Alias::new("source")).eq(source))
        .to_owned();
    let rows = target
        .query_all(&query)
        .await
        .map_err(db_err(format!("reading {PROGRESS_TABLE}")))?;
    rows.iter()
        .map(|row| {
            let rows: i64 = row.try_get_by_index(2)?;
            Ok((
                row.try_get_by_index(0)?,
                Record {
                    last_key: row.try_get_by_index(1)?,
                    rows: rows.try_into().unwrap_or_default(),
                    finished: row.try_get_by_index(3)?,
                },
            ))
        })
        .collect::<Result<_, DbErr>>()
        .map_err(db_err(format!("reading {PROGRESS_TABLE}")))
}

/// Writes `record` for `source` and `table` (inside the batch's transaction).
pub(crate) async fn save(
    txn: &impl ConnectionTrait,
    source: &str,
    table: &str,
    record: &Record,
) -> Result<(), DbErr> {
    let rows = i64::try_from(record.rows).unwrap_or(i64::MAX);
    let upsert = Query::insert()
        .into_table(Alias::new(PROGRESS_TABLE))
        .columns(["source", "table_name", "last_key", "rows", "finished"].map(Alias::new))
        .values_panic([
            source.into(),
            table.into(),
            record.last_key.clone().into(),
            rows.into(),
            record.finished.into(),
        ])
        .on_conflict(
            OnConflict::columns([Alias::new("source"), Alias::new("table_name")])
                .update_columns(["last_key", "rows", "finished"].map(Alias::new))
                .to_owned(),
        )
        .to_owned();
    txn.execute(&upsert).await.map(drop)
}

/// Deletes `source`'s records, and the table when it is then empty.
pub(crate) async fn clear(target: &impl ConnectionTrait, source: &str) -> Result<(), CopyError> {
    let context = || format!("clearing {PROGRESS_TABLE}");
    let delete = Query::delete()
        .from_table(Alias::new(PROGRESS_TABLE))
        .and_where(Expr::col(Alias::new("source")).eq(source))
        .to_owned();
    target.execute(&delete).await.map_err(db_err(context()))?;
    let left = Query::select()
        .expr(Expr::col(Alias::new("source")).count())
        .from(Alias::new(PROGRESS_TABLE))
        .to_owned();
    let left: i64 = target
        .query_one(&left)
        .await
        .map_err(db_err(context()))?
        .map_or(Ok(0), |row| row.try_get_by_index(0))
        .map_err(db_err(context()))?;
    if left == 0 {
        let drop_table = Table::drop()
            .table(Alias::new(PROGRESS_TABLE))
            .if_exists()
            .to_owned();
        target
            .execute(&drop_table)
            .await
            .map_err(db_err(context()))?;
    }
    Ok(())
}
