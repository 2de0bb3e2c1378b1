//! A read-only snapshot of a whole database: one transaction whose every read sees the
//! database as it was when the snapshot was taken, while writers go on beside it.
//! PostgreSQL: `REPEATABLE READ, READ ONLY`; SQLite: one read transaction (in WAL mode writers
//! go on beside it).

use sea_orm_migration::sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    IsolationLevel, Statement, TransactionTrait,
};

/// Begins a read-only snapshot of `db`, taken at once (both backends would otherwise take it
/// at the transaction's first read).
///
/// # Errors
/// The database's error when the transaction cannot begin or the first read fails.
pub async fn begin_read_snapshot(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let backend = db.get_database_backend();
    let (txn, first_read) = match backend {
        DbBackend::Postgres => (
            db.begin_with_config(
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            )
            .await?,
            "SELECT count(*) FROM pg_class",
        ),
        _ => (db.begin().await?, "SELECT count(*) FROM sqlite_master"),
    };
    txn.query_one_raw(Statement::from_string(backend, first_read))
        .await?;
    Ok(txn)
}
