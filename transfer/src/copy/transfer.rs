//! Copying one table in resumable units: each page of source rows is inserted into the target
//! (one multi-row statement, `ON CONFLICT DO NOTHING`, under the bound-parameter limit) in one
//! transaction with the table's progress record, so a stop at any point leaves whole batches
//! and a record of the last one. Rows whose key (or another unique value) the target already
//! holds are skipped, never overwritten: verification tells identical rows from conflicts.

use std::ops::ControlFlow;

use sea_orm::sea_query::{Alias, OnConflict, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait as _};

use super::cell::Cell;
use super::error::{CopyError, db_err};
use super::page::{self, Order, order_kinds};
use super::record::{self, Record};
use super::report::{CopyProgress, Phase, TableCopy};
use super::sql::bind_limit;
use super::table::TableShape;

/// The most rows one batch (one transaction) inserts.
pub const MAX_BATCH_ROWS: usize = 1_000;

/// One table's copy.
pub(crate) struct TableJob<'a> {
    /// The source's shape of the table.
    pub(crate) source_shape: &'a TableShape,
    /// The target's shape of the table (same column names).
    pub(crate) target_shape: &'a TableShape,
    /// The source's identity, the key of the progress records.
    pub(crate) source_id: &'a str,
    /// Rows per batch asked for (capped by the bind limit).
    pub(crate) batch_rows: usize,
}

/// Copies the rows of the job's table after `record`'s last key; reports each committed batch
/// to `progress`, which may stop the copy.
pub(crate) async fn copy_table(
    source: &DatabaseConnection,
    target: &DatabaseConnection,
    job: &TableJob<'_>,
    mut record: Record,
    progress: &mut dyn FnMut(&CopyProgress<'_>) -> ControlFlow<()>,
) -> Result<TableCopy, CopyError> {
    let table = job.source_shape.name.as_str();
    let mut done = TableCopy {
        table: table.to_owned(),
        read: 0,
        inserted: 0,
        already_finished: record.finished,
    };
    if record.finished {
        return Ok(done);
    }
    let total = page::count(source, table).await?;
    let columns = job.target_shape.columns.len();
    let batch = job
        .batch_rows
        .clamp(1, MAX_BATCH_ROWS)
        .min(bind_limit(target.get_database_backend()) / columns.max(1));
    let kinds = order_kinds(job.source_shape, Order::Depth);
    let mut after = resume_key(record.last_key.as_deref(), &kinds, table)?;
    report(progress, table, record.rows, total)?;
    loop {
        let rows = page::read(
            source,
            job.source_shape,
            Order::Depth,
            after.as_deref(),
            batch,
        )
        .await?;
        let last_page = rows.len() < batch;
        let txn = target
            .begin()
            .await
            .map_err(db_err(format!("writing {table}")))?;
        let inserted = insert(&txn, job.target_shape, rows.iter().map(|r| &r.cells)).await?;
        if let Some(last) = rows.last() {
            after = Some(last.order.clone());
        }
        record.rows += rows.len() as u64;
        record.last_key = after.as_ref().map(|key| {
            serde_json::Value::Array(key.iter().map(Cell::to_json).collect()).to_string()
        });
        record.finished = last_page;
        record::save(&txn, job.source_id, table, &record)
            .await
            .map_err(db_err(format!("recording the progress of {table}")))?;
        txn.commit()
            .await
            .map_err(db_err(format!("committing a batch of {table}")))?;
        done.read += rows.len() as u64;
        done.inserted += inserted;
        report(progress, table, record.rows, total)?;
        if last_page {
            return Ok(done);
        }
    }
}

/// Inserts `rows` into `shape`'s table, skipping rows that conflict; returns how many were
/// inserted.
async fn insert<'r>(
    txn: &impl ConnectionTrait,
    shape: &TableShape,
    rows: impl Iterator<Item = &'r Vec<Cell>>,
) -> Result<u64, CopyError> {
    let mut statement = Query::insert();
    statement
        .into_table(Alias::new(&shape.name))
        .columns(shape.columns.iter().map(|c| Alias::new(&c.name)))
        .on_conflict(OnConflict::new().do_nothing().to_owned());
    let mut any = false;
    for cells in rows {
        any = true;
        statement.values_panic(
            cells
                .iter()
                .zip(&shape.columns)
                .map(|(cell, column)| cell.to_value(column.kind).into()),
        );
    }
    if !any {
        return Ok(0);
    }
    txn.execute(&statement)
        .await
        .map(|result| result.rows_affected())
        .map_err(db_err(format!("inserting into {}", shape.name)))
}

/// The ordering key a progress record stores, read back.
fn resume_key(
    stored: Option<&str>,
    kinds: &[super::cell::Kind],
    table: &str,
) -> Result<Option<Vec<Cell>>, CopyError> {
    let Some(stored) = stored else {
        return Ok(None);
    };
    let unreadable = || CopyError::Schema {
        table: table.to_owned(),
        reason: format!("the progress record's last key {stored} does not fit the table's key"),
    };
    let items: Vec<serde_json::Value> = serde_json::from_str(stored).map_err(|_| unreadable())?;
    if items.len() != kinds.len() {
        return Err(unreadable());
    }
    items
        .iter()
        .zip(kinds)
        .map(|(item, kind)| Cell::from_json(item, *kind).ok_or_else(unreadable))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// Tells `progress` where the table stands; a `Break` stops the copy.
fn report(
    progress: &mut dyn FnMut(&CopyProgress<'_>) -> ControlFlow<()>,
    table: &str,
    done: u64,
    total: u64,
) -> Result<(), CopyError> {
    match progress(&CopyProgress {
        phase: Phase::Copying,
        table,
        done,
        total,
    }) {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(()) => Err(CopyError::Interrupted),
    }
}
