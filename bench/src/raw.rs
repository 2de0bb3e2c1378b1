//! The raw side: a sqlx pool configured as memdb's `connect` configures its own (pool size, on
//! SQLite WAL, `synchronous = NORMAL`, the busy timeout and foreign keys, on PostgreSQL the
//! planner's `random_page_cost`), and statements
//! written by hand with their parameters.

use std::str::FromStr as _;
use std::time::Duration;

use anyhow::{Context as _, Result};
use chrono::{DateTime, FixedOffset};
use memdb_repository::sea_orm::sqlx::postgres::PgConnectOptions;
use memdb_repository::sea_orm::sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous,
};
use memdb_repository::sea_orm::sqlx::types::Json;
use memdb_repository::sea_orm::sqlx::{
    self, AssertSqlSafe, Connection as _, PgPool, Row as _, SqlitePool,
};
use uuid::Uuid;

/// One bound parameter of a raw statement.
#[derive(Clone, Debug)]
pub(crate) enum Param {
    Uuid(Uuid),
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Json(serde_json::Value),
    Time(DateTime<FixedOffset>),
    /// A NULL timestamp.
    NoTime,
    /// A NULL JSON value.
    NoJson,
}

/// A raw sqlx pool of either backend.
#[derive(Clone, Debug)]
pub(crate) enum RawPool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Binds every parameter in order; one body for both backends' query types.
macro_rules! bind_all {
    ($query:expr, $params:expr) => {{
        let mut query = $query;
        for param in $params {
            query = match param {
                Param::Uuid(v) => query.bind(*v),
                Param::Text(v) => query.bind(v.clone()),
                Param::Int(v) => query.bind(*v),
                Param::Float(v) => query.bind(*v),
                Param::Bool(v) => query.bind(*v),
                Param::Json(v) => query.bind(Json(v.clone())),
                Param::Time(v) => query.bind(*v),
                Param::NoTime => query.bind(None::<DateTime<FixedOffset>>),
                Param::NoJson => query.bind(None::<Json<serde_json::Value>>),
            };
        }
        query
    }};
}

/// Pool settings as memdb's `connect` makes them: `max` connections, its acquire timeout, and a
/// ping only for connections idle for [`memdb_repository::PING_IF_IDLE_FOR`].
fn pool_options<DB: sqlx::Database>(max: u32) -> sqlx::pool::PoolOptions<DB> {
    sqlx::pool::PoolOptions::new()
        .max_connections(max)
        .acquire_timeout(memdb_repository::ACQUIRE_TIMEOUT)
        .test_before_acquire(false)
        .before_acquire(|conn: &mut DB::Connection, meta| {
            Box::pin(async move {
                if meta.idle_for >= memdb_repository::PING_IF_IDLE_FOR {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
}

impl RawPool {
    /// Opens a pool on `url` with the settings memdb's `connect` uses for its backend, the ping
    /// of connections idle for [`memdb_repository::PING_IF_IDLE_FOR`] included.
    ///
    /// # Errors
    /// When the URL cannot be parsed or the database cannot be opened.
    pub(crate) async fn connect(url: &str) -> Result<Self> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
                .journal_mode(SqliteJournalMode::Wal);
            let pool = pool_options::<sqlx::Sqlite>(8)
                .connect_with(options)
                .await
                .context("opening the raw SQLite pool")?;
            Ok(Self::Sqlite(pool))
        } else {
            let options = PgConnectOptions::from_str(url)?
                .options([("random_page_cost", memdb_repository::RANDOM_PAGE_COST)]);
            let pool = pool_options::<sqlx::Postgres>(16)
                .connect_with(options)
                .await
                .context("opening the raw PostgreSQL pool")?;
            Ok(Self::Postgres(pool))
        }
    }

    /// `sql` written with `$1, $2, ...` (each once, in order) in this backend's placeholders:
    /// SQLite gets `?`.
    pub(crate) fn sql(&self, sql: &str) -> String {
        match self {
            Self::Postgres(_) => sql.to_owned(),
            Self::Sqlite(_) => {
                let mut out = String::with_capacity(sql.len());
                let mut chars = sql.chars().peekable();
                while let Some(c) = chars.next() {
                    if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
                        while chars.peek().is_some_and(char::is_ascii_digit) {
                            chars.next();
                        }
                        out.push('?');
                    } else {
                        out.push(c);
                    }
                }
                out
            }
        }
    }

    /// Runs a query and returns how many rows it produced.
    ///
    /// # Errors
    /// The database's error.
    pub(crate) async fn fetch_count(&self, sql: &str, params: &[Param]) -> Result<usize> {
        Ok(match self {
            Self::Sqlite(pool) => bind_all!(sqlx::query(AssertSqlSafe(sql)), params)
                .fetch_all(pool)
                .await?
                .len(),
            Self::Postgres(pool) => bind_all!(sqlx::query(AssertSqlSafe(sql)), params)
                .fetch_all(pool)
                .await?
                .len(),
        })
    }

    /// Runs a query and returns the JSON document of `column` of every row (a JSON text column
    /// on SQLite, `jsonb` on PostgreSQL), in the rows' order: what an application that filters
    /// rows itself loads.
    ///
    /// # Errors
    /// The database's error, or a value that is not JSON.
    pub(crate) async fn fetch_json(
        &self,
        sql: &str,
        params: &[Param],
        column: &str,
    ) -> Result<Vec<serde_json::Value>> {
        match self {
            Self::Sqlite(pool) => bind_all!(sqlx::query(AssertSqlSafe(sql)), params)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|row| Ok(serde_json::from_str(row.try_get::<&str, _>(column)?)?))
                .collect(),
            Self::Postgres(pool) => bind_all!(sqlx::query(AssertSqlSafe(sql)), params)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|row| Ok(row.try_get::<Json<serde_json::Value>, _>(column)?.0))
                .collect(),
        }
    }

    /// Runs a statement whose first column is an id, returning the first row's id if any.
    ///
    /// # Errors
    /// The database's error.
    pub(crate) async fn fetch_id(&self, sql: &str, params: &[Param]) -> Result<Option<Uuid>> {
        Ok(match self {
            Self::Sqlite(pool) => bind_all!(sqlx::query(AssertSqlSafe(sql)), params)
                .fetch_optional(pool)
                .await?
                .map(|row| row.try_get::<Uuid, _>(0))
                .transpose()?,
            Self::Postgres(pool) => bind_all!(sqlx::query(AssertSqlSafe(sql)), params)
                .fetch_optional(pool)
                .await?
                .map(|row| row.try_get::<Uuid, _>(0))
                .transpose()?,
        })
    }

    /// Runs statements in one transaction (each with its parameters).
    ///
    /// # Errors
    /// The database's error; nothing is committed then.
    pub(crate) async fn execute_in_transaction(
        &self,
        statements: &[(String, Vec<Param>)],
    ) -> Result<()> {
        match self {
            Self::Sqlite(pool) => {
                let mut txn = pool.begin().await?;
                for (sql, params) in statements {
                    let sql = sql.as_str();
                    bind_all!(sqlx::query(AssertSqlSafe(sql)), params)
                        .execute(&mut *txn)
                        .await?;
                }
                txn.commit().await?;
            }
            Self::Postgres(pool) => {
                let mut txn = pool.begin().await?;
                for (sql, params) in statements {
                    let sql = sql.as_str();
                    bind_all!(sqlx::query(AssertSqlSafe(sql)), params)
                        .execute(&mut *txn)
                        .await?;
                }
                txn.commit().await?;
            }
        }
        Ok(())
    }

    /// Runs one statement in a write transaction of its own, as an application serialising
    /// its writes would: `BEGIN IMMEDIATE` on SQLite (the write lock from the start, as memdb
    /// takes it), `BEGIN` on PostgreSQL. Returns how many rows the statement produced.
    ///
    /// # Errors
    /// The database's error; nothing is committed then.
    pub(crate) async fn write_transaction(&self, sql: &str, params: &[Param]) -> Result<usize> {
        Ok(match self {
            Self::Sqlite(pool) => {
                let mut txn = pool.begin_with("BEGIN IMMEDIATE").await?;
                let rows = bind_all!(sqlx::query(AssertSqlSafe(sql)), params)
                    .fetch_all(&mut *txn)
                    .await?
                    .len();
                txn.commit().await?;
                rows
            }
            Self::Postgres(pool) => {
                let mut txn = pool.begin().await?;
                let rows = bind_all!(sqlx::query(AssertSqlSafe(sql)), params)
                    .fetch_all(&mut *txn)
                    .await?
                    .len();
                txn.commit().await?;
                rows
            }
        })
    }

    /// Runs statements in one write transaction (`BEGIN IMMEDIATE` on SQLite, `BEGIN` on
    /// PostgreSQL), as memdb's writes do: first `first`, whose first row's `column` (an
    /// integer) `rest` turns into the statements that follow, as a write that numbers rows
    /// from what its first `UPDATE ... RETURNING` returned. Returns the rows every statement
    /// produced together.
    ///
    /// # Errors
    /// The database's error, or no row from `first`; nothing is committed then.
    pub(crate) async fn write_transaction_chained(
        &self,
        first: (&str, &[Param]),
        column: &str,
        rest: impl FnOnce(i64) -> Vec<(String, Vec<Param>)> + Send,
    ) -> Result<usize> {
        macro_rules! chained {
            ($txn:expr) => {{
                let mut txn = $txn;
                let row = bind_all!(sqlx::query(AssertSqlSafe(first.0)), first.1)
                    .fetch_optional(&mut *txn)
                    .await?
                    .context("the first statement found no row")?;
                let mut rows = 1;
                for (sql, params) in rest(row.try_get::<i64, _>(column)?) {
                    let sql = sql.as_str();
                    rows += bind_all!(sqlx::query(AssertSqlSafe(sql)), &params)
                        .fetch_all(&mut *txn)
                        .await?
                        .len();
                }
                txn.commit().await?;
                rows
            }};
        }
        Ok(match self {
            Self::Sqlite(pool) => chained!(pool.begin_with("BEGIN IMMEDIATE").await?),
            Self::Postgres(pool) => chained!(pool.begin().await?),
        })
    }

    /// Closes every connection.
    pub(crate) async fn close(&self) {
        match self {
            Self::Sqlite(pool) => pool.close().await,
            Self::Postgres(pool) => pool.close().await,
        }
    }
}
