//! Copying one table in resumable units: each page of source rows is inserted into the target
//! (one multi-row statement, `ON CONFLICT (key) DO NOTHING`, under the bound-parameter limit) in one
//! transaction with the table's progress record, so a stop at any point leaves whole batches
//! and a record of the last one. Rows whose key the target already holds are skipped, never
//! overwritten: verification tells identical rows from conflicts. Rows [`super::unique`] left
//! out (another unique value held by another target row) are not sent.

use std::ops::ControlFlow;

use memdb_repository::backend::max_parameters;
use sea_orm::sea_query::{Alias, Expr, ExprTrait as _, OnConflict, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, TransactionTrait as _};

use super::cell::{Cell, Kind, Width};
use super::depth;
use super::error::{CopyError, db_err};
use super::page;
use super::record::{self, Record};
use super::report::{CopyProgress, Phase, TableCopy};
use super::table::TableShape;
use super::unique::TableSkips;

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
    /// The table's source rows left out ([`super::unique`]).
    pub(crate) skips: Option<&'a TableSkips>,
}

/// Copies the rows of the job's table after `record`'s last key; reports each committed batch
/// to `progress`, which may stop the copy.
pub(crate) async fn copy_table(
    source: &impl ConnectionTrait,
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
        .min(max_parameters(target.get_database_backend()) / columns.max(1));
    let mut pager = Pager::start(source, job.source_shape, record.last_key.as_deref()).await?;
    report(progress, table, record.rows, total)?;
    loop {
        let page = pager.next(source, job.source_shape, batch).await?;
        let txn = target
            .begin()
            .await
            .map_err(db_err(format!("writing {table}")))?;
        let kept: Vec<Vec<Cell>> = match job.skips {
            Some(skips) => page
                .rows
                .iter()
                .filter(|cells| !skips.contains(&job.source_shape.key_text(cells)))
                .cloned()
                .collect(),
            None => page.rows.clone(),
        };
        let inserted = insert(&txn, job.target_shape, &kept).await?;
        record.rows += page.rows.len() as u64;
        if let Some(last) = &page.last {
            record.last_key = Some(
                serde_json::Value::Array(last.iter().map(Cell::to_json).collect()).to_string(),
            );
        }
        record.finished = page.finished;
        record::save(&txn, job.source_id, table, &record)
            .await
            .map_err(db_err(format!("recording the progress of {table}")))?;
        txn.commit()
            .await
            .map_err(db_err(format!("committing a batch of {table}")))?;
        done.read += page.rows.len() as u64;
        done.inserted += inserted;
        report(progress, table, record.rows, total)?;
        if page.finished {
            return Ok(done);
        }
    }
}

/// One page of rows to copy.
struct Page {
    /// The rows' cells.
    rows: Vec<Vec<Cell>>,
    /// The ordering key of the last row (what the progress record stores), if any row.
    last: Option<Vec<Cell>>,
    /// Whether this is the last page.
    finished: bool,
}

/// Where the next page comes from: keyset pages by primary key, or, for a table referencing
/// itself, the depth order's next keys ([`depth::order`]).
enum Pager {
    /// After this primary key.
    Keyset(Option<Vec<Cell>>),
    /// From this position of the order.
    Ordered(Vec<depth::Entry>, usize),
}

impl Pager {
    /// The pager resuming after the ordering key `stored` (a progress record's), or from the
    /// start.
    async fn start(
        source: &impl ConnectionTrait,
        shape: &TableShape,
        stored: Option<&str>,
    ) -> Result<Self, CopyError> {
        let mut kinds = Vec::new();
        if shape.parent.is_some() {
            kinds.push(Kind::Integer(Width::I64));
        }
        kinds.extend(shape.key_kinds());
        let after = resume_key(stored, &kinds, &shape.name)?;
        if shape.parent.is_none() {
            return Ok(Self::Keyset(after));
        }
        let order = depth::order(source, shape).await?;
        let position = match after.as_deref() {
            Some([Cell::Int(depth), key]) => {
                let sort = key.canonical();
                order.partition_point(|e| (e.depth, &e.sort) <= (*depth, &sort))
            }
            _ => 0,
        };
        Ok(Self::Ordered(order, position))
    }

    /// The next page of at most `batch` rows.
    async fn next(
        &mut self,
        source: &impl ConnectionTrait,
        shape: &TableShape,
        batch: usize,
    ) -> Result<Page, CopyError> {
        match self {
            Self::Keyset(after) => {
                let rows = page::read(source, shape, after.as_deref(), batch).await?;
                if let Some(last) = rows.last() {
                    *after = Some(last.key.clone());
                }
                Ok(Page {
                    finished: rows.len() < batch,
                    last: rows.last().map(|r| r.key.clone()),
                    rows: rows.into_iter().map(|r| r.cells).collect(),
                })
            }
            Self::Ordered(order, position) => {
                let chunk = &order[*position..(*position + batch).min(order.len())];
                let keys: Vec<Vec<Cell>> = chunk.iter().map(|e| vec![e.key.clone()]).collect();
                let rows = page::read_keys(source, shape, &keys).await?;
                *position += chunk.len();
                Ok(Page {
                    rows,
                    last: chunk
                        .last()
                        .map(|e| vec![Cell::Int(e.depth), e.key.clone()]),
                    finished: *position >= order.len(),
                })
            }
        }
    }
}

/// Inserts `rows` into `shape`'s table, skipping rows whose primary key the target holds
/// (only the key: a row breaking another unique index is an error, [`super::unique`] leaves
/// those out beforehand); returns how many were inserted.
async fn insert(
    txn: &impl ConnectionTrait,
    shape: &TableShape,
    rows: &[Vec<Cell>],
) -> Result<u64, CopyError> {
    let mut statement = Query::insert();
    statement
        .into_table(Alias::new(&shape.name))
        .columns(shape.columns.iter().map(|c| Alias::new(&c.name)))
        .on_conflict(
            OnConflict::columns(shape.key_names().into_iter().map(Alias::new))
                .do_nothing()
                .to_owned(),
        );
    if rows.is_empty() {
        return Ok(0);
    }
    let postgres = txn.get_database_backend() == DbBackend::Postgres;
    for cells in rows {
        statement.values_panic(cells.iter().zip(&shape.columns).map(|(cell, column)| {
            let value = Expr::val(cell.to_value(column.kind));
            // JSON is bound as its source text, which PostgreSQL reads as `jsonb`.
            if postgres && column.kind == Kind::Json {
                value.cast_as(Alias::new("jsonb"))
            } else {
                value
            }
        }));
    }
    txn.execute(&statement)
        .await
        .map(|result| result.rows_affected())
        .map_err(db_err(format!("inserting into {}", shape.name)))
}

/// The ordering key a progress record stores, read back.
fn resume_key(
    stored: Option<&str>,
    kinds: &[Kind],
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
