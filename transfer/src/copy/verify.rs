//! Verification: every source row is compared with the target's row under the same primary
//! key, in canonical form ([`super::canonical`]): equal, different (a conflict: the target's
//! row was never overwritten) or absent. Both sides' checksums cover the same keys, so a
//! target that merged other sources verifies against each of them.

use std::collections::HashMap;
use std::ops::ControlFlow;

use memdb_repository::backend::max_parameters;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use super::canonical::{RowDigest, StreamChecksum, row_digest, table_checksum};
use super::cell::Cell;
use super::cell::Kind;
use super::error::{CopyError, db_err};
use super::page;
use super::report::{CopyProgress, LISTED_CONFLICTS, Phase, TableVerification};
use super::sql::quote;
use super::table::TableShape;
use super::transfer::MAX_BATCH_ROWS;
use super::unique::TableSkips;

/// Compares `source_shape`'s table on both sides.
pub(crate) async fn verify_table(
    source: &impl ConnectionTrait,
    target: &DatabaseConnection,
    source_shape: &TableShape,
    target_shape: &TableShape,
    skips: Option<&TableSkips>,
    progress: &mut dyn FnMut(&CopyProgress<'_>) -> ControlFlow<()>,
) -> Result<TableVerification, CopyError> {
    let table = source_shape.name.as_str();
    let total = page::count(source, table).await?;
    let batch = MAX_BATCH_ROWS
        .min(max_parameters(target.get_database_backend()) / source_shape.key.len().max(1));
    let mut result = TableVerification {
        table: table.to_owned(),
        source_rows: 0,
        target_rows: 0,
        target_total_rows: page::count(target, table).await?,
        truncated_timestamps: truncated_timestamps(source, source_shape).await?,
        source_checksum: String::new(),
        target_checksum: String::new(),
        conflicts: 0,
        conflict_keys: Vec::new(),
        missing: 0,
        unique_conflicts: skips.map_or(0, |s| s.conflicts),
        listed_unique_conflicts: skips
            .map(|s| s.listed_conflicts.clone())
            .unwrap_or_default(),
        skipped: skips.map_or(0, |s| s.skipped),
        listed_skipped: skips.map(|s| s.listed_skipped.clone()).unwrap_or_default(),
    };
    // Both sides' digests in the source's key order, hashed as they come.
    let mut source_digests = StreamChecksum::default();
    let mut target_digests = StreamChecksum::default();
    let mut after: Option<Vec<Cell>> = None;
    loop {
        let rows = page::read(source, source_shape, after.as_deref(), batch).await?;
        let keys: Vec<Vec<Cell>> = rows.iter().map(|r| r.key.clone()).collect();
        let found: HashMap<String, RowDigest> = page::read_keys(target, target_shape, &keys)
            .await?
            .iter()
            .map(|cells| (target_shape.key_text(cells), row_digest(cells)))
            .collect();
        for row in &rows {
            let digest = row_digest(&row.cells);
            source_digests.add(&digest);
            let key = source_shape.key_text(&row.cells);
            match found.get(&key) {
                Some(theirs) => {
                    target_digests.add(theirs);
                    if *theirs != digest {
                        result.conflicts += 1;
                        if result.conflict_keys.len() < LISTED_CONFLICTS {
                            result.conflict_keys.push(key);
                        }
                    }
                }
                None if skips.is_some_and(|s| s.contains(&key)) => {}
                None => result.missing += 1,
            }
        }
        result.source_rows += rows.len() as u64;
        if progress(&CopyProgress {
            phase: Phase::Verifying,
            table,
            done: result.source_rows,
            total,
        })
        .is_break()
        {
            return Err(CopyError::Interrupted);
        }
        match rows.last() {
            Some(last) if rows.len() == batch => after = Some(last.key.clone()),
            _ => break,
        }
    }
    result.target_rows = target_digests.rows();
    result.source_checksum = source_digests.finish();
    result.target_checksum = target_digests.finish();
    Ok(result)
}

/// How many of the source's rows of `shape` hold a timestamp with more than six fraction
/// digits, truncated to microseconds (PostgreSQL's precision) when copied: only SQLite, which
/// stores timestamps as text, can hold one.
async fn truncated_timestamps(
    source: &impl ConnectionTrait,
    shape: &TableShape,
) -> Result<u64, CopyError> {
    let backend = source.get_database_backend();
    let times: Vec<String> = shape
        .columns
        .iter()
        .filter(|c| c.kind == Kind::Time)
        .map(|c| {
            format!(
                "{} GLOB '*.[0-9][0-9][0-9][0-9][0-9][0-9][0-9]*'",
                quote(&c.name)
            )
        })
        .collect();
    if backend != DbBackend::Sqlite || times.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "SELECT count(*) FROM {} WHERE {}",
        quote(&shape.name),
        times.join(" OR ")
    );
    let context = || format!("counting the sub-microsecond timestamps of {}", shape.name);
    let count: i64 = source
        .query_one_raw(Statement::from_string(backend, sql))
        .await
        .map_err(db_err(context()))?
        .map_or(Ok(0), |row| row.try_get_by_index(0))
        .map_err(db_err(context()))?;
    Ok(count.unsigned_abs())
}

/// A table's rows and checksum, as verification computes them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableChecksum {
    /// How many rows.
    pub rows: u64,
    /// SHA-256 over the rows' canonical digests, sorted, in hex.
    pub sha256: String,
}

/// The checksum of `table` on `db`, computed the same way on every backend: equal on two
/// databases exactly when they hold the same rows in canonical form.
///
/// # Errors
/// [`CopyError::Schema`] for a missing table or one of a type the copy does not know;
/// [`CopyError::Db`].
pub async fn checksum(db: &DatabaseConnection, table: &str) -> Result<TableChecksum, CopyError> {
    let shape = super::table::describe(db, table).await?;
    let mut digests = Vec::new();
    let mut after: Option<Vec<Cell>> = None;
    loop {
        let rows = page::read(db, &shape, after.as_deref(), MAX_BATCH_ROWS).await?;
        digests.extend(rows.iter().map(|r| row_digest(&r.cells)));
        match rows.last() {
            Some(last) if rows.len() == MAX_BATCH_ROWS => after = Some(last.key.clone()),
            _ => break,
        }
    }
    Ok(TableChecksum {
        rows: digests.len() as u64,
        sha256: table_checksum(&mut digests),
    })
}
