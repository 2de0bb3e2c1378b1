//! The source read as one snapshot: every read of a copy (the pages, the depth order, the
//! unique-value check, verification) goes through one read-only transaction on one
//! connection, so rows written to the source while it is copied are neither half-copied nor
//! counted by verification. PostgreSQL: `REPEATABLE READ, READ ONLY`; SQLite: one read
//! transaction (in WAL mode writers go on beside it).

use sea_orm::{
    AccessMode, ConnectionTrait as _, DatabaseConnection, DatabaseTransaction, DbBackend,
    IsolationLevel, Statement, TransactionTrait as _,
};

use super::error::{CopyError, db_err};

/// Opens the snapshot of `source`, taken at once (not at the first page).
pub(crate) async fn open(source: &DatabaseConnection) -> Result<DatabaseTransaction, CopyError> {
    let context = "opening a read snapshot of the source";
    let backend = source.get_database_backend();
    let txn = match backend {
        DbBackend::Postgres => {
            source
                .begin_with_config(
                    Some(IsolationLevel::RepeatableRead),
                    Some(AccessMode::ReadOnly),
                )
                .await
        }
        _ => source.begin().await,
    }
    .map_err(db_err(context))?;
    // Both backends take the snapshot at the transaction's first read.
    let first_read = if backend == DbBackend::Postgres {
        "SELECT count(*) FROM pg_class"
    } else {
        "SELECT count(*) FROM sqlite_master"
    };
    txn.query_one_raw(Statement::from_string(backend, first_read))
        .await
        .map_err(db_err(context))?;
    Ok(txn)
}
