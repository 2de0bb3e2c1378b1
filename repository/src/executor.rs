//! What the SeaORM repositories run on: the pool, or a caller's unit of work. Repositories are
//! generic over [`Executor`], so one implementation serves both without a change to any trait.

use std::sync::Arc;

use async_trait::async_trait;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};

/// A connection the repositories can run on: [`DatabaseConnection`] (the pool) or
/// [`SharedTransaction`] (a unit of work from
/// [`Repositories::transaction`](crate::Repositories::transaction)).
#[async_trait]
pub trait Executor: ConnectionTrait + Clone + Send + Sync + 'static {
    /// Begins a transaction that will write.
    ///
    /// On the pool it begins a real transaction, `IMMEDIATE` on SQLite (taking the write lock
    /// up front: a deferred transaction that reads first fails with "database is locked" when it
    /// later writes under concurrency). Inside a unit of work it sets a savepoint, so a
    /// repository call that fails undoes its own statements and leaves the unit of work usable.
    ///
    /// # Errors
    /// The database's error when the transaction cannot begin.
    async fn begin_write(&self) -> Result<DatabaseTransaction, DbErr>;

    /// Whether each statement sent here is a transaction of its own, which memdb commits: true
    /// on the pool, false (the default) in a unit of work, whose commit belongs to the caller.
    /// Only a statement memdb commits itself may relax how it commits (recording a read's
    /// access without waiting for the WAL flush); a caller's transaction keeps its durability.
    fn commits_each_statement(&self) -> bool {
        false
    }
}

fn immediate() -> TransactionOptions {
    TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    }
}

#[async_trait]
impl Executor for DatabaseConnection {
    async fn begin_write(&self) -> Result<DatabaseTransaction, DbErr> {
        self.begin_with_options(immediate()).await
    }

    fn commits_each_statement(&self) -> bool {
        true
    }
}

/// An open transaction that several repositories share: the executor of a unit of work.
///
/// Cloning shares the transaction. It commits only through
/// [`Repositories::transaction`](crate::Repositories::transaction); when the last clone is
/// dropped without that, the transaction rolls back.
#[derive(Clone, Debug)]
pub struct SharedTransaction(Arc<DatabaseTransaction>);

impl SharedTransaction {
    pub(crate) fn new(txn: DatabaseTransaction) -> Self {
        Self(Arc::new(txn))
    }

    /// The transaction itself, when this is the last handle to it.
    pub(crate) fn into_inner(self) -> Option<DatabaseTransaction> {
        Arc::into_inner(self.0)
    }
}

#[async_trait]
impl Executor for SharedTransaction {
    async fn begin_write(&self) -> Result<DatabaseTransaction, DbErr> {
        // A nested begin is a SAVEPOINT; the SQLite mode applies to the outer BEGIN only.
        self.0.begin_with_options(immediate()).await
    }
}

#[async_trait]
impl ConnectionTrait for SharedTransaction {
    fn get_database_backend(&self) -> DbBackend {
        self.0.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.0.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.0.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.0.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.0.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.0.support_returning()
    }

    fn is_mock_connection(&self) -> bool {
        self.0.is_mock_connection()
    }
}

/// Declares a SeaORM repository struct: the executor it runs on and its constructor.
///
/// ```
/// memdb_repository::sea_orm_repository! {
///     /// Widgets on SeaORM.
///     SeaOrmWidgetRepository
/// }
/// let _ = |db: memdb_repository::sea_orm::DatabaseConnection| SeaOrmWidgetRepository::new(db);
/// ```
#[macro_export]
macro_rules! sea_orm_repository {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        ///
        /// Runs on the pool (`DatabaseConnection`, the default) or inside a unit of work
        /// (`SharedTransaction`).
        #[derive(Clone, Debug)]
        pub struct $name<C = $crate::sea_orm::DatabaseConnection> {
            db: C,
        }

        impl<C: $crate::Executor> $name<C> {
            /// A repository on this executor.
            #[must_use]
            pub fn new(db: C) -> Self {
                Self { db }
            }
        }
    };
}
