//! The deploy lock: every command that changes the schema holds it for its whole run, so
//! processes migrating one database at the same time (a deploy started twice, eight replicas
//! starting together) run one after another, and each one re-reads the migration state after
//! it got the lock.
//!
//! - PostgreSQL: a session advisory lock (`pg_try_advisory_lock`, polled) on one connection
//!   taken from the pool and held until the end; the migrations run on the pool. A process that
//!   dies loses its session and with it the lock.
//! - SQLite: a write transaction (`BEGIN IMMEDIATE`) on a connection of its own, retried while
//!   another process holds the write lock; the migrations run inside it, each in a savepoint.
//!   In-memory databases, which no other process can open, use their own pool's connection.
//!
//! The connection the migrations run on records the last statement that failed, so a failed
//! migration's error can name it ([`DeployLock::failed_statement`]). Statements sent unprepared
//! (`execute_unprepared`) are not seen by SeaORM's metric callback and so cannot be named.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm_migration::sea_orm::sqlx::pool::PoolConnection;
use sea_orm_migration::sea_orm::sqlx::sqlite::SqlitePoolOptions;
use sea_orm_migration::sea_orm::sqlx::{self, Postgres};
use sea_orm_migration::sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseExecutor, DatabaseTransaction, DbBackend, DbErr,
    RuntimeErr, SqliteTransactionMode, SqlxSqliteConnector, TransactionOptions, TransactionTrait,
};

use super::error::CliError;

/// The advisory lock key of schema changes: memdb's prefix ("memdb\0\0\0", shared with the
/// repositories' transaction-level locks) and a number of its own.
pub const DEPLOY_LOCK_KEY: i64 = 0x6d65_6d64_6200_0000 + 0x100;

/// How often a waiting process tries again.
const POLL: Duration = Duration::from_millis(100);

/// How long SQLite waits on a busy database inside the lock (other processes' readers at a
/// checkpoint; writers are kept out by the lock itself).
const SQLITE_BUSY_INSIDE: Duration = Duration::from_secs(5);

/// A held deploy lock. Release it with [`DeployLock::release`]; dropping it releases it too
/// (the connection goes back or is closed), but without reporting errors.
pub struct DeployLock {
    held: Held,
    failed: FailedStatement,
}

enum Held {
    Postgres {
        lock: PoolConnection<Postgres>,
        // The pool, recording failed statements.
        pool: DatabaseConnection,
    },
    Sqlite {
        txn: DatabaseTransaction,
        // Keeps the lock's own pool open for as long as its transaction lives.
        _pool: DatabaseConnection,
    },
}

/// The last statement that failed on a connection, filled by its metric callback.
#[derive(Clone, Default)]
struct FailedStatement(Arc<Mutex<Option<String>>>);

impl FailedStatement {
    /// `db` recording its failed statements here.
    fn attach(&self, db: &DatabaseConnection) -> DatabaseConnection {
        let mut db = db.clone();
        let slot = Arc::clone(&self.0);
        db.set_metric_callback(move |info| {
            if info.failed
                && let Ok(mut slot) = slot.lock()
            {
                *slot = Some(info.statement.to_string());
            }
        });
        db
    }

    fn take(&self) -> Option<String> {
        self.0.lock().ok().and_then(|mut slot| slot.take())
    }
}

impl DeployLock {
    /// Waits for the deploy lock on `db`, printing once to stderr what it waits for, and
    /// gives up after `timeout`.
    ///
    /// # Errors
    /// [`CliError::LockTimeout`] after `timeout`; the database's error.
    pub async fn acquire(
        db: &DatabaseConnection,
        database: &str,
        timeout: Duration,
    ) -> Result<Self, CliError> {
        let mut wait = Wait::new(database, timeout);
        let failed = FailedStatement::default();
        let held = match db.get_database_backend() {
            DbBackend::Postgres => Held::Postgres {
                lock: acquire_postgres(db, &mut wait).await?,
                pool: failed.attach(db),
            },
            DbBackend::Sqlite => acquire_sqlite(db, &mut wait, &failed).await?,
            _ => {
                return Err(CliError::Db(DbErr::BackendNotSupported {
                    db: "MySQL",
                    ctx: "memdb_migration::cli::lock",
                }));
            }
        };
        Ok(Self { held, failed })
    }

    /// Where the migrations run while the lock is held: the pool on PostgreSQL, the lock's
    /// transaction on SQLite.
    #[must_use]
    pub fn executor(&self) -> DatabaseExecutor<'_> {
        match &self.held {
            Held::Postgres { pool, .. } => DatabaseExecutor::Connection(pool),
            Held::Sqlite { txn, .. } => DatabaseExecutor::Transaction(txn),
        }
    }

    /// The last statement that failed on [`DeployLock::executor`] (taken: a second call
    /// returns `None`).
    #[must_use]
    pub fn failed_statement(&self) -> Option<String> {
        self.failed.take()
    }

    /// Releases the lock, committing on SQLite what ran inside it.
    ///
    /// # Errors
    /// The database's error (on SQLite the commit's: then nothing done under the lock stays).
    pub async fn release(self) -> Result<(), DbErr> {
        match self.held {
            Held::Postgres { mut lock, .. } => {
                sqlx::query("SELECT pg_advisory_unlock($1)")
                    .bind(DEPLOY_LOCK_KEY)
                    .execute(&mut *lock)
                    .await
                    .map_err(sqlx_err)?;
                Ok(())
            }
            Held::Sqlite { txn, .. } => txn.commit().await,
        }
    }
}

/// Prints the waiting notice once and tells when to give up.
struct Wait<'a> {
    database: &'a str,
    timeout: Duration,
    started: Instant,
    announced: bool,
}

impl<'a> Wait<'a> {
    fn new(database: &'a str, timeout: Duration) -> Self {
        Self {
            database,
            timeout,
            started: Instant::now(),
            announced: false,
        }
    }

    /// Announces the wait (once), then sleeps one poll interval or gives up.
    async fn busy(&mut self, holder: Option<i64>) -> Result<(), CliError> {
        if !self.announced {
            self.announced = true;
            eprintln!(
                "waiting for the deploy lock on {}{} (another process is migrating; giving up \
                 after {} s)",
                self.database,
                holder_note(holder),
                self.timeout.as_secs()
            );
        }
        if self.started.elapsed() >= self.timeout {
            return Err(CliError::LockTimeout {
                database: self.database.to_owned(),
                waited_secs: self.timeout.as_secs(),
                holder: holder_note(holder),
            });
        }
        tokio::time::sleep(POLL).await;
        Ok(())
    }
}

fn holder_note(holder: Option<i64>) -> String {
    holder.map_or_else(String::new, |pid| format!(" (held by pid {pid})"))
}

async fn acquire_postgres(
    db: &DatabaseConnection,
    wait: &mut Wait<'_>,
) -> Result<PoolConnection<Postgres>, CliError> {
    let mut conn = db
        .get_postgres_connection_pool()
        .acquire()
        .await
        .map_err(sqlx_err)?;
    loop {
        let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(DEPLOY_LOCK_KEY)
            .fetch_one(&mut *conn)
            .await
            .map_err(sqlx_err)?;
        if got {
            return Ok(conn);
        }
        // A bigint advisory key shows in pg_locks as its high half (classid) and low half
        // (objid), with objsubid 1.
        let holder: Option<i64> = sqlx::query_scalar(
            "SELECT pid::bigint FROM pg_locks WHERE locktype = 'advisory' AND granted \
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
             AND classid::bigint = ($1 >> 32) AND objid::bigint = ($1 & 4294967295) \
             AND objsubid = 1 LIMIT 1",
        )
        .bind(DEPLOY_LOCK_KEY)
        .fetch_optional(&mut *conn)
        .await
        .map_err(sqlx_err)?;
        wait.busy(holder).await?;
    }
}

async fn acquire_sqlite(
    db: &DatabaseConnection,
    wait: &mut Wait<'_>,
    failed: &FailedStatement,
) -> Result<Held, CliError> {
    let options = db.get_sqlite_connection_pool().connect_options();
    if is_in_memory(options.get_filename()) {
        // No other process can open it: the pool's own transaction is lock enough.
        let pool = failed.attach(db);
        let txn = pool.begin_with_options(immediate()).await?;
        return Ok(Held::Sqlite { txn, _pool: pool });
    }
    // One connection of its own that fails fast on a busy database, so waiting is polled here
    // (and announced) instead of blocking silently in the pool's busy timeout.
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_with((*options).clone().busy_timeout(Duration::from_millis(50)))
        .await
        .map_err(sqlx_err)?;
    let pool = failed.attach(&SqlxSqliteConnector::from_sqlx_sqlite_pool(pool));
    loop {
        match pool.begin_with_options(immediate()).await {
            Ok(txn) => {
                txn.execute_unprepared(&format!(
                    "PRAGMA busy_timeout = {}",
                    SQLITE_BUSY_INSIDE.as_millis()
                ))
                .await?;
                return Ok(Held::Sqlite { txn, _pool: pool });
            }
            Err(err) if is_busy(&err) => wait.busy(None).await?,
            Err(err) => return Err(err.into()),
        }
    }
}

fn immediate() -> TransactionOptions {
    TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    }
}

/// `:memory:` or sqlx's name for a shared in-memory database.
pub(super) fn is_in_memory(filename: &Path) -> bool {
    let name = filename.to_string_lossy();
    name.contains(":memory:") || name.starts_with("file:sqlx-in-memory")
}

/// `SQLITE_BUSY` or `SQLITE_LOCKED`, with any extended code.
fn is_busy(err: &DbErr) -> bool {
    let message = err.to_string();
    message.contains("database is locked") || message.contains("database table is locked")
}

fn sqlx_err(err: sqlx::Error) -> DbErr {
    DbErr::Conn(RuntimeErr::SqlxError(Arc::new(err)))
}
