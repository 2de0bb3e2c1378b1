//! What a consolidation did: per table, rows and content checksums on both sides.

use std::path::PathBuf;

use serde::Serialize;

/// The outcome of [`super::run`].
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// One entry per source, in the plan's order.
    pub sources: Vec<SourceReport>,
    /// Whether the consolidation was committed: only when every table verified.
    pub committed: bool,
}

/// What happened to one source.
#[derive(Clone, Debug, Serialize)]
pub struct SourceReport {
    /// The SQLite file.
    pub path: PathBuf,
    /// The schema it went into.
    pub schema: String,
    /// Its tables.
    pub tables: Vec<TableReport>,
}

/// One table's verification.
#[derive(Clone, Debug, Serialize)]
pub struct TableReport {
    /// The table.
    pub table: String,
    /// Rows in the source: its `count(*)`, in the same read snapshot the rows were copied
    /// from.
    pub source_rows: u64,
    /// Rows read from the source and inserted into the target.
    pub copied_rows: u64,
    /// Rows read back from the target.
    pub target_rows: u64,
    /// SHA-256 of the source's rows as the planned types map them.
    pub source_sha256: String,
    /// SHA-256 of the rows read back from PostgreSQL.
    pub target_sha256: String,
    /// The value the identity hands out next, when the table has one.
    pub next_id: Option<i64>,
}

impl TableReport {
    /// Whether the target holds exactly the source's rows: the source's count, the rows
    /// copied and the target's count agree, and so do the checksums.
    #[must_use]
    pub fn verified(&self) -> bool {
        self.source_rows == self.copied_rows
            && self.copied_rows == self.target_rows
            && self.source_sha256 == self.target_sha256
    }
}

impl Report {
    /// Whether every table of every source verified.
    #[must_use]
    pub fn verified(&self) -> bool {
        self.sources
            .iter()
            .all(|s| s.tables.iter().all(TableReport::verified))
    }
}
