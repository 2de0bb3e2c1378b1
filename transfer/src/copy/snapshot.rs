//! The source read as one snapshot: every read of a copy (the pages, the depth order, the
//! unique-value check, verification) goes through one read-only transaction on one
//! connection ([`begin_read_snapshot`]), so rows written to the source while it is copied are
//! neither half-copied nor counted by verification.

use memdb_migration::dialect::snapshot::begin_read_snapshot;
use sea_orm::{DatabaseConnection, DatabaseTransaction};

use super::error::{CopyError, db_err};

/// Opens the snapshot of `source`, taken at once (not at the first page).
pub(crate) async fn open(source: &DatabaseConnection) -> Result<DatabaseTransaction, CopyError> {
    begin_read_snapshot(source)
        .await
        .map_err(db_err("opening a read snapshot of the source"))
}
