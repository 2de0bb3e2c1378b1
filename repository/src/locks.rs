//! Transaction-scoped locks that make one kind of write run one at a time across connections,
//! where row locks cannot: a check that reads many rows (a cycle search) against writes that
//! each lock only their own rows.

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, Statement};

/// Writes that must not interleave with one another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Section {
    /// Adding edges between existing tasks: two edges added at once could close a cycle
    /// that neither cycle search sees.
    TaskGraphEdits,
}

impl Section {
    /// The PostgreSQL advisory lock key; unique per section, and memdb's own prefix keeps it
    /// apart from keys other applications sharing the database might use.
    fn key(self) -> i64 {
        const MEMDB: i64 = 0x6d65_6d64_6200_0000; // "memdb\0\0\0"
        match self {
            Self::TaskGraphEdits => MEMDB + 1,
        }
    }
}

/// Holds `section` until `txn` commits or rolls back.
///
/// PostgreSQL takes a transaction-level advisory lock. SQLite needs nothing: memdb begins write
/// transactions `IMMEDIATE`, so they already run one at a time.
///
/// # Errors
/// The database's error when the lock cannot be taken; `DbErr::BackendNotSupported` on a
/// backend without an implementation here.
pub(crate) async fn enter(txn: &DatabaseTransaction, section: Section) -> Result<(), DbErr> {
    match txn.get_database_backend() {
        DbBackend::Postgres => {
            let lock = Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_advisory_xact_lock($1)",
                [section.key().into()],
            );
            txn.execute_raw(lock).await.map(drop)
        }
        DbBackend::Sqlite => Ok(()),
        _ => Err(DbErr::BackendNotSupported {
            db: "MySQL",
            ctx: "memdb::locks::enter",
        }),
    }
}
