//! What a copy reports: progress while it runs, and [`CopyReport`] at the end.

use std::time::Duration;

/// What the copy is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Copying rows.
    Copying,
    /// Comparing the copied rows.
    Verifying,
}

/// Where one table stands, reported after every committed batch (and when a table starts).
#[derive(Clone, Copy, Debug)]
pub struct CopyProgress<'a> {
    /// Copying or verifying.
    pub phase: Phase,
    /// The table.
    pub table: &'a str,
    /// Rows done (including those a previous run copied).
    pub done: u64,
    /// Rows the source table holds.
    pub total: u64,
}

/// One table's copy in this run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableCopy {
    /// The table.
    pub table: String,
    /// Rows read from the source in this run.
    pub read: u64,
    /// Rows inserted into the target in this run; the others were already there (an
    /// interrupted batch's, or a merge's).
    pub inserted: u64,
    /// Whether a previous run had finished the table (nothing read).
    pub already_finished: bool,
}

/// One table compared: the source's rows against the target's rows with the same keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableVerification {
    /// The table.
    pub table: String,
    /// Rows in the source.
    pub source_rows: u64,
    /// Rows in the target with a key of a source row.
    pub target_rows: u64,
    /// Rows in the target in all: more than `target_rows` when the target holds other rows
    /// (a merge target: other sources' rows, or rows written there).
    pub target_total_rows: u64,
    /// Source rows holding a timestamp with more than six fraction digits (SQLite text),
    /// copied truncated to microseconds (PostgreSQL's precision); both checksums compare the
    /// truncated values.
    pub truncated_timestamps: u64,
    /// SHA-256 of the source rows' canonical digests, in the source's key order.
    pub source_checksum: String,
    /// The same over the target's rows with the source's keys, in the same order.
    pub target_checksum: String,
    /// How many source rows the target holds with other content under the same key.
    pub conflicts: u64,
    /// The first of those keys (at most [`LISTED_CONFLICTS`]).
    pub conflict_keys: Vec<String>,
    /// How many source rows are not in the target at all (the copy did not finish), the rows
    /// left out below not counted.
    pub missing: u64,
    /// How many source rows were left out because the target holds one of their unique values
    /// (other than the key) under another key.
    pub unique_conflicts: u64,
    /// The first of those (at most [`LISTED_CONFLICTS`]).
    pub listed_unique_conflicts: Vec<UniqueConflict>,
    /// How many source rows were left out because they reference a row left out.
    pub skipped: u64,
    /// The first of those (at most [`LISTED_CONFLICTS`]).
    pub listed_skipped: Vec<SkippedRow>,
}

/// A source row left out: the target holds its values of a unique index under another key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UniqueConflict {
    /// The source row's key.
    pub key: String,
    /// The unique index's columns.
    pub columns: Vec<String>,
    /// The key of the target's row holding those values.
    pub target_key: String,
}

/// A source row left out because it references a row left out (directly or through others).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedRow {
    /// The row's key.
    pub key: String,
    /// The table of the row it references.
    pub because_table: String,
    /// That row's key.
    pub because_key: String,
}

/// How many conflicting keys a table's verification lists.
pub const LISTED_CONFLICTS: usize = 20;

impl TableVerification {
    /// Whether the target holds every source row exactly.
    #[must_use]
    pub fn matches(&self) -> bool {
        self.conflicts == 0
            && self.missing == 0
            && self.unique_conflicts == 0
            && self.skipped == 0
            && self.source_rows == self.target_rows
            && self.source_checksum == self.target_checksum
    }
}

/// A finished copy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CopyReport {
    /// The migrations applied to the target first.
    pub migrated: Vec<String>,
    /// Disposable tracks (the cache) at another version in the source: their tables were not
    /// copied, the target has this build's version of them.
    pub left_out_tracks: Vec<String>,
    /// How long copying the rows took (after the migrations).
    pub copy_time: Duration,
    /// How long verifying took.
    pub verify_time: Duration,
    /// Each table's copy, in copy order.
    pub tables: Vec<TableCopy>,
    /// Each table's verification, in copy order.
    pub verification: Vec<TableVerification>,
}

impl CopyReport {
    /// Whether every table verified.
    #[must_use]
    pub fn verified(&self) -> bool {
        self.verification.iter().all(TableVerification::matches)
    }

    /// Rows inserted in this run, over all tables.
    #[must_use]
    pub fn inserted(&self) -> u64 {
        self.tables.iter().map(|t| t.inserted).sum()
    }

    /// Rows read from the source in this run, over all tables.
    #[must_use]
    pub fn read(&self) -> u64 {
        self.tables.iter().map(|t| t.read).sum()
    }

    /// Rows read per second of copying in this run.
    #[must_use]
    pub fn rows_per_second(&self) -> f64 {
        #[allow(clippy::cast_precision_loss, reason = "a rate")]
        let read = self.read() as f64;
        read / self.copy_time.as_secs_f64().max(1e-6)
    }
}
