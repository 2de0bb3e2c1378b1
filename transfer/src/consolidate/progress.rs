//! How a running consolidation tells its caller how far it got.

/// Receives progress while rows are copied.
pub trait Progress {
    /// `copied` of `total` rows of `schema.table` are written; called with 0 when the table
    /// starts and after every batch.
    fn copied(&mut self, schema: &str, table: &str, copied: u64, total: u64);
}

/// Progress nobody watches.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn copied(&mut self, _schema: &str, _table: &str, _copied: u64, _total: u64) {}
}
