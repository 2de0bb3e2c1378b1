//! Opening a database: the per-backend pool and session settings live here, with the
//! per-backend way of serialising one kind of write (`enter_section`, `enter_section_shared`).

use std::str::FromStr as _;
use std::sync::Arc;
use std::time::Duration;

use sea_orm::sqlx::postgres::{PgConnectOptions, PgConnection};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::sqlx::{self, Connection as _};
use sea_orm::{
    ConnectOptions, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, RuntimeErr, Statement,
};

use crate::connect_builder::{ConnectBuilder, no_answer};
use crate::error::RepoResult;

/// The embedded default: a SQLite file in the working directory, created when missing.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://memdb.sqlite?mode=rwc";

/// The database URL to use: `DATABASE_URL` when set and not empty, else [`DEFAULT_DATABASE_URL`].
#[must_use]
pub fn database_url_from_env() -> String {
    std::env::var("DATABASE_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned())
}

/// How long [`connect`] waits for a database server to accept its first connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a query waits for a free connection when every pooled one is busy.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// A pooled connection idle for at least this long is pinged before it is handed out; one in
/// use more recently is handed out as it is. sqlx's default pings on every checkout, a round
/// trip before every query (tens of microseconds on SQLite, a few hundred on PostgreSQL) that
/// only finds connections a server, proxy or firewall dropped while they sat idle. A connection
/// that breaks while in use is still reported by the query that meets it and then discarded.
pub const PING_IF_IDLE_FOR: Duration = Duration::from_secs(30);

/// The planner's cost of reading a page out of order that memdb sets on its PostgreSQL
/// sessions (`random_page_cost`; the server's default is 4).
///
/// The default prices an index page like four pages of a sequential scan, as on spinning
/// disks. memdb's reads are small indexed lookups on data that is cached or on SSD: at 4 the
/// planner prefers scanning a 10,000-row table (8 ms) to reading the 200 rows a metadata
/// filter selects through its GIN index (2 ms). 1.1 is the value PostgreSQL's documentation
/// gives for such storage. [`ConnectBuilder::random_page_cost`] changes or drops it.
pub const RANDOM_PAGE_COST: f64 = 1.1;

/// Opens a connection pool with memdb's settings for the URL's backend.
///
/// - SQLite: WAL journal, `synchronous = NORMAL`, foreign keys on, a 5 s busy timeout, and a
///   pool of 8 so readers run beside the writer. The URL's `mode` decides the rest: `rwc` (as
///   in [`DEFAULT_DATABASE_URL`]) creates a missing file, `rw` needs an existing one, `ro` opens
///   it read-only and leaves its journal mode alone. In-memory
///   databases keep one connection open for the pool's lifetime (the database lives as long).
/// - PostgreSQL: a pool of 16, each session's `random_page_cost` at [`RANDOM_PAGE_COST`].
///   One connection is tried first, so a server that is down or
///   unreachable fails within [`CONNECT_TIMEOUT`] instead of the pool retrying until
///   [`ACQUIRE_TIMEOUT`].
///
/// On both, a pooled connection is pinged before use only after [`PING_IF_IDLE_FOR`] idle.
/// Statement logging goes to `tracing` at debug level. [`ConnectBuilder`] sets the pool's size
/// and timeouts; this is `ConnectBuilder::new(url).connect()`.
///
/// # Errors
/// [`RepoError::Validation`](crate::RepoError::Validation) for a URL of an unsupported backend,
/// [`RepoError::Connect`](crate::RepoError::Connect) when the database cannot be opened (the URL in the message has its password redacted).
pub async fn connect(url: &str) -> RepoResult<DatabaseConnection> {
    ConnectBuilder::new(url).connect().await
}

/// Applies memdb's SQLite settings for `url` to `options`; returns whether the database is in
/// memory (its pool must then keep a connection open for the database to live).
pub(crate) fn sqlite_options(options: &mut ConnectOptions, url: &str) -> bool {
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    let read_only = sqlite_mode(url).as_deref() == Some("ro");
    // Whether a missing file is created is the URL's `mode` (`rwc` creates, `rw` and `ro`
    // do not), so a command that must not write can ask for an existing file.
    options.map_sqlx_sqlite_opts(move |o| {
        let o = o
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        // Switching the journal to WAL writes the file; a read-only connection keeps
        // whatever journal the file has.
        if in_memory || read_only {
            o
        } else {
            o.journal_mode(SqliteJournalMode::Wal)
        }
    });
    in_memory
}

/// Applies memdb's PostgreSQL session settings to `options`: the planner's
/// `random_page_cost`, when one is given (see [`RANDOM_PAGE_COST`]).
pub(crate) fn postgres_options(options: &mut ConnectOptions, random_page_cost: Option<f64>) {
    if let Some(cost) = random_page_cost {
        options.map_sqlx_postgres_opts(move |o| o.options([("random_page_cost", cost)]));
    }
}

/// The statement that makes the rest of a transaction plan each statement for its bound values
/// instead of reusing a prepared statement's generic plan, on the backends that have generic
/// plans (PostgreSQL: `SET LOCAL plan_cache_mode = force_custom_plan`); `None` on SQLite,
/// which plans every statement for its values. For a read whose best index depends on a value
/// (a small model among large ones) that a generic plan cannot see.
#[must_use]
pub fn custom_plans_statement(backend: DbBackend) -> Option<&'static str> {
    (backend == DbBackend::Postgres).then_some("SET LOCAL plan_cache_mode = force_custom_plan")
}

/// Opens and closes one PostgreSQL connection, giving up after `timeout`.
pub(crate) async fn probe_postgres(url: &str, timeout: Duration) -> Result<(), DbErr> {
    let sqlx_err = |err: sqlx::Error| DbErr::Conn(RuntimeErr::SqlxError(Arc::new(err)));
    let options = PgConnectOptions::from_str(url).map_err(sqlx_err)?;
    match tokio::time::timeout(timeout, PgConnection::connect_with(&options)).await {
        Ok(Ok(connection)) => connection.close().await.map_err(sqlx_err),
        Ok(Err(err)) => Err(sqlx_err(err)),
        Err(_) => Err(no_answer(timeout)),
    }
}

/// The `mode` query parameter of a SQLite URL (`ro`, `rw`, `rwc`, `memory`), if any.
fn sqlite_mode(url: &str) -> Option<String> {
    let (_, query) = url.split_once('?')?;
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == "mode")
        .map(|(_, mode)| mode.to_owned())
}

/// `url` with SQLite's `mode` set to `mode` (any other backend's URL comes back unchanged):
/// `rw` opens an existing file only, `ro` opens it read-only.
#[must_use]
pub fn with_sqlite_mode(url: &str, mode: &str) -> String {
    if !is_sqlite(url) {
        return url.to_owned();
    }
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut params: Vec<String> = query
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("mode="))
        .map(str::to_owned)
        .collect();
    params.push(format!("mode={mode}"));
    format!("{base}?{}", params.join("&"))
}

pub(crate) fn is_sqlite(url: &str) -> bool {
    url.starts_with("sqlite:")
}

pub(crate) fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The URL with any password replaced by `***`, safe for logs and error messages: the one in
/// `user:password@` and the value of every query parameter whose name contains `password`
/// (in any case), as in sqlx's `?password=...`. Everything else is kept as written.
#[must_use]
pub fn redact_url(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        // Not a URL we understand: show only the scheme, never the rest.
        return match url.split_once(':') {
            Some((scheme, _)) => format!("{scheme}:<unparsable url>"),
            None => "<unparsable url>".to_owned(),
        };
    };
    let mut redacted = false;
    if parsed.password().is_some() {
        // Only fails for URLs that cannot have a password, which this one has.
        let _ = parsed.set_password(Some("***"));
        redacted = true;
    }
    if let Some(query) = parsed.query().and_then(redact_query) {
        parsed.set_query(Some(&query));
        redacted = true;
    }
    if redacted {
        parsed.to_string()
    } else {
        url.to_owned()
    }
}

/// `query` with the value of every password parameter replaced by `***` and every other
/// parameter left byte for byte as it was; `None` when there is nothing to hide.
fn redact_query(query: &str) -> Option<String> {
    let mut redacted = false;
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) if !value.is_empty() && is_password_param(name) => {
                redacted = true;
                format!("{name}=***")
            }
            _ => pair.to_owned(),
        })
        .collect();
    redacted.then(|| pairs.join("&"))
}

/// Whether a raw (still percent-encoded) query parameter name names a password.
fn is_password_param(raw_name: &str) -> bool {
    url::form_urlencoded::parse(raw_name.as_bytes())
        .next()
        .is_some_and(|(name, _)| name.to_lowercase().contains("password"))
}

// Transaction-scoped locks that make one kind of write run one at a time across connections,
// where row locks cannot: a check that reads many rows (a cycle search) against writes that
// each lock only their own rows.

/// Writes that must not interleave with one another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Section {
    /// Adding edges between existing tasks: two edges added at once could close a cycle
    /// that neither cycle search sees.
    TaskGraphEdits,
    /// Storing embeddings: the first embedding of a model fixes its dimension, and two first
    /// embeddings of one model with different dimensions stored at once would each find no
    /// other.
    EmbeddingModels,
}

impl Section {
    /// The PostgreSQL advisory lock key; unique per section, and memdb's own prefix keeps it
    /// apart from keys other applications sharing the database might use.
    fn key(self) -> i64 {
        const MEMDB: i64 = 0x6d65_6d64_6200_0000; // "memdb\0\0\0"
        match self {
            Self::TaskGraphEdits => MEMDB + 1,
            Self::EmbeddingModels => MEMDB + 2,
        }
    }
}

/// Holds `section` exclusively until the transaction `txn` belongs to commits or rolls back (a
/// savepoint's release does not end it): no other transaction holds it, shared or exclusively,
/// meanwhile.
///
/// PostgreSQL takes a transaction-level advisory lock. SQLite needs nothing: memdb begins write
/// transactions `IMMEDIATE`, so they already run one at a time.
///
/// # Errors
/// The database's error when the lock cannot be taken; `DbErr::BackendNotSupported` on a
/// backend without an implementation here.
pub async fn enter_section(txn: &impl ConnectionTrait, section: Section) -> Result<(), DbErr> {
    advisory_lock(txn, section, "pg_advisory_xact_lock").await
}

/// Holds `section` shared until the transaction `txn` belongs to commits or rolls back: other
/// transactions may hold it shared at the same time, none exclusively ([`enter_section`] waits
/// for every shared holder, and a shared holder waits for an exclusive one).
///
/// For writers that only need to know no exclusive writer changes what they checked: they run
/// side by side (on PostgreSQL their commits then share WAL flushes) instead of one at a time.
/// SQLite needs nothing, as for [`enter_section`].
///
/// # Errors
/// The database's error when the lock cannot be taken; `DbErr::BackendNotSupported` on a
/// backend without an implementation here.
pub async fn enter_section_shared(
    txn: &impl ConnectionTrait,
    section: Section,
) -> Result<(), DbErr> {
    advisory_lock(txn, section, "pg_advisory_xact_lock_shared").await
}

/// Takes `section`'s transaction-level advisory lock with PostgreSQL's `function`.
async fn advisory_lock(
    txn: &impl ConnectionTrait,
    section: Section,
    function: &'static str,
) -> Result<(), DbErr> {
    match txn.get_database_backend() {
        DbBackend::Postgres => {
            let lock = Statement::from_sql_and_values(
                DbBackend::Postgres,
                format!("SELECT {function}($1)"),
                [section.key().into()],
            );
            txn.execute_raw(lock).await.map(drop)
        }
        DbBackend::Sqlite => Ok(()),
        _ => Err(DbErr::BackendNotSupported {
            db: "MySQL",
            ctx: "memdb::connect::enter_section",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::{redact_url, with_sqlite_mode};

    #[test]
    fn sqlite_mode_is_replaced_or_added() {
        assert_eq!(
            with_sqlite_mode("sqlite://memdb.sqlite?mode=rwc", "rw"),
            "sqlite://memdb.sqlite?mode=rw"
        );
        assert_eq!(
            with_sqlite_mode("sqlite://a.db?cache=shared&mode=rwc", "ro"),
            "sqlite://a.db?cache=shared&mode=ro"
        );
        assert_eq!(
            with_sqlite_mode("sqlite://a.db", "rw"),
            "sqlite://a.db?mode=rw"
        );
        assert_eq!(
            with_sqlite_mode("postgres://u@h/db", "rw"),
            "postgres://u@h/db"
        );
    }

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db.example:5432/memdb"),
            "postgres://app:***@db.example:5432/memdb"
        );
        assert_eq!(
            redact_url("postgres://app@localhost/memdb"),
            "postgres://app@localhost/memdb"
        );
        assert_eq!(
            redact_url("sqlite://memdb.sqlite?mode=rwc"),
            "sqlite://memdb.sqlite?mode=rwc"
        );
        assert!(!redact_url("not a url with s3cret").contains("s3cret"));
    }

    #[test]
    fn redacts_password_query_parameters() {
        assert_eq!(
            redact_url("postgres://app@db/memdb?password=s3cret"),
            "postgres://app@db/memdb?password=***"
        );
        // Every parameter whose name contains "password", in any case and percent-encoding;
        // the other parameters stay exactly as written.
        assert_eq!(
            redact_url(
                "postgres://db/memdb?sslmode=require&PassWord=a%26b&db_password=x\
                 &%70assword=y&application_name=my%20app&passwordless"
            ),
            "postgres://db/memdb?sslmode=require&PassWord=***&db_password=***\
             &%70assword=***&application_name=my%20app&passwordless"
        );
        // Both places at once.
        assert_eq!(
            redact_url("postgresql://app:one@db/memdb?password=two&connect_timeout=5"),
            "postgresql://app:***@db/memdb?password=***&connect_timeout=5"
        );
        // No password value: nothing to hide, nothing changed.
        assert_eq!(
            redact_url("postgres://db/memdb?password=&user=app"),
            "postgres://db/memdb?password=&user=app"
        );
        let redacted = redact_url("postgres://db/memdb?Password=s3cret#frag");
        assert!(!redacted.contains("s3cret"), "{redacted}");
    }
}
