//! `memdb copy`: a verified, resumable copy of a memdb database to another database, on either
//! backend (SQLite to PostgreSQL, PostgreSQL to SQLite, several SQLite files merged into one
//! PostgreSQL database).
//!
//! [`run`] does, in order:
//! 1. refuses, before anything is written: a copy into the same database ([`check_distinct`]),
//!    a source that is not a memdb database or has a track this build lacks or at another
//!    version (a disposable track at another version is left out instead, its tables not
//!    copied, [`CopyReport::left_out_tracks`]), `--tables` names that are not plain identifiers or not tables of the source's
//!    tracks, a target holding tables that are not memdb's;
//! 2. migrates the target to every track the source has, under the deploy lock;
//! 3. copies every table in foreign-key order (tracks dependencies first, each track's tables
//!    parents first; a table referencing itself by depth, parents first), in batches under the
//!    backend's bound-parameter limit, each batch committed with a progress record
//!    ([`PROGRESS_TABLE`]) so a rerun after a crash resumes after the last batch and skips
//!    finished tables; rows whose key the target holds are skipped, never overwritten; before
//!    the first row, source rows whose values of another unique index the target holds under
//!    another key are found and left out, with the rows referencing them ([`unique`]);
//! 4. verifies every table: row counts and checksums of the canonical rows on both sides, and
//!    every source row whose key the target holds with other content is a conflict, and the
//!    rows left out are reported as unique-value conflicts and skipped dependents;
//! 5. once verification has run (passed or failed), deletes the source's progress records (and
//!    the progress table once no source has records), so only an interrupted copy resumes and
//!    a rerun after a failed verification copies every table again.
//!
//! The source is read as one snapshot ([`snapshot`]): rows written to it during the copy are
//! neither copied nor verified.
//!
//! Timestamps are copied at microsecond precision (what PostgreSQL keeps): a SQLite value
//! with more digits is truncated, and the checksums compare the truncated values.

mod canonical;
mod cell;
mod depth;
mod endpoint;
mod error;
mod json_text;
mod page;
mod preflight;
mod record;
mod references;
mod report;
mod snapshot;
mod sql;
mod table;
mod transfer;
mod unique;
mod verify;

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use memdb_migration::Tracks;
use sea_orm::DatabaseConnection;

pub use endpoint::{Endpoint, check_distinct};
pub use error::CopyError;
use error::db_err;
pub use record::PROGRESS_TABLE;
pub use report::{
    CopyProgress, CopyReport, LISTED_CONFLICTS, Phase, SkippedRow, TableCopy, TableVerification,
    UniqueConflict,
};
pub use transfer::MAX_BATCH_ROWS;
pub use verify::{TableChecksum, checksum};

use table::{TableShape, describe};

/// One side of a copy: where it is and its connection.
#[derive(Clone, Copy, Debug)]
pub struct Side<'a> {
    /// The database's URL and identity.
    pub endpoint: &'a Endpoint,
    /// Its connection (memdb's settings; read-only for a SQLite source).
    pub db: &'a DatabaseConnection,
}

/// How to copy.
#[derive(Clone, Debug)]
pub struct CopyOptions {
    /// Only these tables (of the tracks the source has); `None` for all.
    pub tables: Option<Vec<String>>,
    /// Rows per batch, at most [`MAX_BATCH_ROWS`] (and fewer when the bind limit asks).
    pub batch_rows: usize,
    /// How long to wait for the target's deploy lock.
    pub lock_timeout: Duration,
}

impl Default for CopyOptions {
    fn default() -> Self {
        Self {
            tables: None,
            batch_rows: MAX_BATCH_ROWS,
            lock_timeout: Duration::from_mins(1),
        }
    }
}

/// Copies `source` into `target` and verifies the copy (see the module documentation);
/// `progress` hears of every committed batch and verified page, and stops the copy by returning
/// `Break` (a rerun resumes). Check [`CopyReport::verified`]: conflicts and missing rows are
/// reported, not errors.
///
/// # Errors
/// The refusals of step 1 (nothing written): [`CopyError::SameDatabase`],
/// [`CopyError::NotMemdb`], [`CopyError::UnknownSourceTrack`], [`CopyError::SourceVersion`],
/// [`CopyError::InvalidTableName`], [`CopyError::UnknownTable`],
/// [`CopyError::TargetHasOtherData`]; [`CopyError::Migrate`] when the target cannot be
/// migrated; [`CopyError::Schema`] for a table the copy cannot read the same on both sides;
/// [`CopyError::Interrupted`]; [`CopyError::Db`].
pub async fn run(
    source: Side<'_>,
    target: Side<'_>,
    tracks: &Tracks,
    options: &CopyOptions,
    progress: &mut dyn FnMut(&CopyProgress<'_>) -> ControlFlow<()>,
) -> Result<CopyReport, CopyError> {
    check_distinct(source.endpoint, target.endpoint)?;
    let scope = preflight::check(source.db, target.db, tracks, options.tables.as_deref()).await?;
    let mut report = CopyReport {
        migrated: preflight::migrate_target(
            target.db,
            target.endpoint,
            &scope,
            options.lock_timeout,
        )
        .await?,
        left_out_tracks: scope.left_out.iter().map(|t| (*t).to_owned()).collect(),
        ..CopyReport::default()
    };
    record::ensure_table(target.db).await?;
    let records = record::load(target.db, source.endpoint.identity()).await?;
    let snapshot = snapshot::open(source.db).await?;
    let mut shapes = Vec::with_capacity(scope.tables.len());
    for table in &scope.tables {
        shapes.push(shapes_of(&snapshot, target.db, table).await?);
    }
    let skips = unique::find(&snapshot, target.db, &shapes).await?;
    let started = Instant::now();
    for (source_shape, target_shape) in &shapes {
        let job = transfer::TableJob {
            source_shape,
            target_shape,
            source_id: source.endpoint.identity(),
            batch_rows: options.batch_rows,
            skips: skips.of(&source_shape.name),
        };
        let record = records.get(&source_shape.name).cloned().unwrap_or_default();
        report
            .tables
            .push(transfer::copy_table(&snapshot, target.db, &job, record, progress).await?);
    }
    report.copy_time = started.elapsed();
    let started = Instant::now();
    for (source_shape, target_shape) in &shapes {
        report.verification.push(
            verify::verify_table(
                &snapshot,
                target.db,
                source_shape,
                target_shape,
                skips.of(&source_shape.name),
                progress,
            )
            .await?,
        );
    }
    report.verify_time = started.elapsed();
    snapshot
        .rollback()
        .await
        .map_err(db_err("closing the source's read snapshot"))?;
    // Verified or not, the copy ran to its end: a rerun copies every table again (keyed
    // inserts skip what is there); only an interrupted copy resumes.
    record::clear(target.db, source.endpoint.identity()).await?;
    Ok(report)
}

/// Opens `source` (read-only when it is a SQLite file) and `target` with memdb's settings, runs
/// [`run`], and closes both; a SQLite target file this call created is removed again when the
/// copy is refused.
///
/// # Errors
/// [`CopyError::Connect`] when a database cannot be opened; [`run`]'s errors.
pub async fn run_between(
    source: &Endpoint,
    target: &Endpoint,
    tracks: &Tracks,
    options: &CopyOptions,
    progress: &mut dyn FnMut(&CopyProgress<'_>) -> ControlFlow<()>,
) -> Result<CopyReport, CopyError> {
    check_distinct(source, target)?;
    let source_db = source.connect().await?;
    let target_db = match target.connect().await {
        Ok(db) => db,
        Err(err) => {
            source_db.close().await.ok();
            return Err(err);
        }
    };
    let result = Box::pin(run(
        Side {
            endpoint: source,
            db: &source_db,
        },
        Side {
            endpoint: target,
            db: &target_db,
        },
        tracks,
        options,
        progress,
    ))
    .await;
    // Closing lets SQLite checkpoint its WAL; a failure to close does not undo the copy.
    for db in [source_db, target_db] {
        if let Err(err) = db.close().await {
            tracing::warn!("closing a database after the copy: {err}");
        }
    }
    if result.as_ref().is_err_and(CopyError::is_refusal) {
        target.discard_new_file();
    }
    result
}

/// `table`'s shape on both sides, which must have the same columns of the same kinds.
async fn shapes_of(
    source: &impl sea_orm::ConnectionTrait,
    target: &DatabaseConnection,
    table: &str,
) -> Result<(TableShape, TableShape), CopyError> {
    let source_shape = describe(source, table).await?;
    let target_shape = describe(target, table).await?;
    let same = source_shape.columns.len() == target_shape.columns.len()
        && source_shape
            .columns
            .iter()
            .zip(&target_shape.columns)
            .all(|(a, b)| a.name == b.name && same_kind(a.kind, b.kind))
        && source_shape.key_names() == target_shape.key_names();
    if !same {
        return Err(CopyError::Schema {
            table: table.to_owned(),
            reason: "the source's and the target's columns or primary keys differ".to_owned(),
        });
    }
    Ok((source_shape, target_shape))
}

/// Whether two kinds hold the same values (integer widths differ between backends).
fn same_kind(a: cell::Kind, b: cell::Kind) -> bool {
    matches!((a, b), (cell::Kind::Integer(_), cell::Kind::Integer(_))) || a == b
}
