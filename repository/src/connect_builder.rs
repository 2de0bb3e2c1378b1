//! [`ConnectBuilder`]: the pool's size and timeouts, chosen by the caller, on top of the
//! per-backend settings of [`connect`](crate::connect).

use std::time::Duration;

use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr, RuntimeErr};

use crate::connect::{
    ACQUIRE_TIMEOUT, CONNECT_TIMEOUT, PING_IF_IDLE_FOR, RANDOM_PAGE_COST, is_postgres, is_sqlite,
    postgres_options, probe_postgres, sqlite_options,
};
use crate::error::{RepoError, RepoResult};

/// How long an unused pooled connection stays open by default before it is closed (sqlx's own
/// default, which [`connect`](crate::connect) has always used).
pub const IDLE_TIMEOUT: Duration = Duration::from_mins(10);

/// How long a pooled connection lives at most by default before it is replaced (sqlx's own
/// default, which [`connect`](crate::connect) has always used).
pub const MAX_LIFETIME: Duration = Duration::from_mins(30);

/// Opens a pool like [`connect`](crate::connect), with the pool's size and timeouts set by the
/// caller. Every setting left alone keeps `connect`'s value, so
/// `ConnectBuilder::new(url).connect()` is `connect(url)`:
///
/// | setting | default |
/// |---|---|
/// | [`max_connections`](Self::max_connections) | 8 on SQLite, 16 on PostgreSQL |
/// | [`min_connections`](Self::min_connections) | 0 (1 for an in-memory SQLite database, which lives as long as a connection) |
/// | [`acquire_timeout`](Self::acquire_timeout) | [`ACQUIRE_TIMEOUT`] (10 s) |
/// | [`idle_timeout`](Self::idle_timeout) | [`IDLE_TIMEOUT`] (10 min; never for in-memory SQLite) |
/// | [`max_lifetime`](Self::max_lifetime) | [`MAX_LIFETIME`] (30 min; never for in-memory SQLite) |
/// | [`connect_timeout`](Self::connect_timeout) | [`CONNECT_TIMEOUT`] (5 s) |
/// | [`ping_if_idle_for`](Self::ping_if_idle_for) | [`PING_IF_IDLE_FOR`] (30 s) |
/// | [`random_page_cost`](Self::random_page_cost) | [`RANDOM_PAGE_COST`] (1.1; PostgreSQL only) |
///
/// ```no_run
/// # async fn demo() -> memdb_repository::RepoResult<()> {
/// use std::time::Duration;
/// use memdb_repository::{ConnectBuilder, Repositories};
///
/// let pool = ConnectBuilder::new("postgres://memdb@db.internal/memdb")
///     .max_connections(32)
///     .acquire_timeout(Duration::from_secs(2))
///     .connect()
///     .await?;
/// let repos = Repositories::from_connection(pool);
/// # let _ = repos; Ok(()) }
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct ConnectBuilder {
    url: String,
    max_connections: Option<u32>,
    min_connections: Option<u32>,
    acquire_timeout: Duration,
    idle_timeout: Lifetime,
    max_lifetime: Lifetime,
    connect_timeout: Duration,
    ping_if_idle_for: Duration,
    random_page_cost: Option<f64>,
}

impl ConnectBuilder {
    /// A builder for `url` with every setting at [`connect`](crate::connect)'s value.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            max_connections: None,
            min_connections: None,
            acquire_timeout: ACQUIRE_TIMEOUT,
            idle_timeout: Lifetime::Default,
            max_lifetime: Lifetime::Default,
            connect_timeout: CONNECT_TIMEOUT,
            ping_if_idle_for: PING_IF_IDLE_FOR,
            random_page_cost: Some(RANDOM_PAGE_COST),
        }
    }

    /// The most connections the pool opens (at least 1).
    pub fn max_connections(mut self, max: u32) -> Self {
        self.max_connections = Some(max);
        self
    }

    /// How many connections the pool keeps open even when idle (at most the maximum).
    pub fn min_connections(mut self, min: u32) -> Self {
        self.min_connections = Some(min);
        self
    }

    /// How long a call waits for a free connection when every pooled one is busy; past it the
    /// call fails with [`RepoError::Retryable`] of reason
    /// [`PoolTimedOut`](crate::RetryReason::PoolTimedOut). Must not be zero.
    pub fn acquire_timeout(mut self, timeout: Duration) -> Self {
        self.acquire_timeout = timeout;
        self
    }

    /// How long an unused connection stays open before the pool closes it; `None`: until the
    /// pool closes. Must not be zero.
    pub fn idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.idle_timeout = Lifetime::Set(timeout);
        self
    }

    /// How long a connection lives at most before the pool replaces it; `None`: as long as the
    /// pool. Must not be zero.
    pub fn max_lifetime(mut self, lifetime: Option<Duration>) -> Self {
        self.max_lifetime = Lifetime::Set(lifetime);
        self
    }

    /// How long [`connect`](Self::connect) waits for the database to accept its first
    /// connection (a server that is down or unreachable). Must not be zero.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// A pooled connection idle for at least this long is pinged before it is handed out (see
    /// [`PING_IF_IDLE_FOR`]); `Duration::ZERO` pings on every checkout.
    pub fn ping_if_idle_for(mut self, idle: Duration) -> Self {
        self.ping_if_idle_for = idle;
        self
    }

    /// The PostgreSQL planner's `random_page_cost` for the pool's sessions (see
    /// [`RANDOM_PAGE_COST`]); `None` leaves the server's (or the URL's `options`) value. Must
    /// be finite and above zero. SQLite has no such setting and ignores it.
    pub fn random_page_cost(mut self, cost: Option<f64>) -> Self {
        self.random_page_cost = cost;
        self
    }

    /// Checks the settings without connecting.
    ///
    /// # Errors
    /// [`RepoError::Validation`] naming the setting: a maximum of 0 connections, a minimum
    /// above the maximum, a zero acquire, idle, lifetime or connect timeout, or a
    /// `random_page_cost` that is not a finite number above zero.
    pub fn validate(&self) -> RepoResult<()> {
        if self.max_connections == Some(0) {
            return Err(RepoError::invalid("max_connections", "must be at least 1"));
        }
        if let (Some(min), Some(max)) = (self.min_connections, self.max_connections)
            && min > max
        {
            return Err(RepoError::invalid(
                "min_connections",
                format!("{min} is more than max_connections ({max})"),
            ));
        }
        let zero = |field: &'static str, value: Option<Duration>| match value {
            Some(d) if d.is_zero() => Err(RepoError::invalid(field, "must not be zero")),
            _ => Ok(()),
        };
        zero("acquire_timeout", Some(self.acquire_timeout))?;
        zero("idle_timeout", self.idle_timeout.chosen())?;
        zero("max_lifetime", self.max_lifetime.chosen())?;
        zero("connect_timeout", Some(self.connect_timeout))?;
        match self.random_page_cost {
            Some(cost) if !(cost.is_finite() && cost > 0.0) => Err(RepoError::invalid(
                "random_page_cost",
                format!("must be a finite number above zero, got {cost}"),
            )),
            _ => Ok(()),
        }
    }

    /// Opens the pool: [`connect`](crate::connect)'s per-backend settings with this builder's
    /// pool size and timeouts.
    ///
    /// # Errors
    /// [`RepoError::Validation`] for invalid settings ([`validate`](Self::validate)) or a URL
    /// of an unsupported backend, before anything is opened; [`RepoError::Connect`] when the
    /// database cannot be opened within the connect timeout (the URL in the message has its
    /// password redacted).
    pub async fn connect(self) -> RepoResult<DatabaseConnection> {
        self.validate()?;
        let url = self.url.as_str();
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .sqlx_logging(true)
            .sqlx_logging_level(log::LevelFilter::Debug)
            .acquire_timeout(self.acquire_timeout)
            .test_before_acquire_if_idle_for(self.ping_if_idle_for);
        let (max, keep_one) = if is_sqlite(url) {
            let in_memory = sqlite_options(&mut options, url);
            (8, in_memory)
        } else if is_postgres(url) {
            probe_postgres(url, self.connect_timeout)
                .await
                .map_err(|source| connect_error(url, source))?;
            postgres_options(&mut options, self.random_page_cost);
            (16, false)
        } else {
            return Err(RepoError::invalid(
                "database_url",
                format!(
                    "unsupported backend in {}: expected sqlite:// or postgres://",
                    crate::redact_url(url)
                ),
            ));
        };
        // An in-memory SQLite database lives as long as one of its connections: keep one.
        let min = u32::from(keep_one);
        let max = self.max_connections.unwrap_or(max);
        let min = match self.min_connections {
            Some(min) if min > max => {
                return Err(RepoError::invalid(
                    "min_connections",
                    format!("{min} is more than the {max} connections of this backend's pool"),
                ));
            }
            Some(min) => min,
            None => min,
        };
        options
            .max_connections(max)
            .min_connections(min)
            .idle_timeout(self.idle_timeout.resolve(keep_one, IDLE_TIMEOUT))
            .max_lifetime(self.max_lifetime.resolve(keep_one, MAX_LIFETIME));
        match tokio::time::timeout(self.connect_timeout, Database::connect(options)).await {
            Ok(Ok(db)) => Ok(db),
            Ok(Err(source)) => Err(connect_error(url, source)),
            Err(_) => Err(connect_error(url, no_answer(self.connect_timeout))),
        }
    }
}

/// How long connections may idle or live: memdb's default, or the caller's choice (`None`:
/// without a limit).
#[derive(Clone, Copy, Debug)]
enum Lifetime {
    Default,
    Set(Option<Duration>),
}

impl Lifetime {
    /// The caller's limit, when there is one.
    fn chosen(self) -> Option<Duration> {
        match self {
            Self::Set(limit) => limit,
            Self::Default => None,
        }
    }

    /// The limit to give the pool: the caller's, else none for a pool that must keep its
    /// connections (in-memory SQLite), else `default`.
    fn resolve(self, keep_connections: bool, default: Duration) -> Option<Duration> {
        match self {
            Self::Set(limit) => limit,
            Self::Default if keep_connections => None,
            Self::Default => Some(default),
        }
    }
}

/// A [`RepoError::Connect`] for `url`, its password redacted.
fn connect_error(url: &str, source: DbErr) -> RepoError {
    RepoError::Connect {
        url: crate::redact_url(url),
        source,
    }
}

/// The error of a database that did not answer within `timeout`.
pub(crate) fn no_answer(timeout: Duration) -> DbErr {
    DbErr::Conn(RuntimeErr::Internal(format!(
        "no answer from the server within {} ms",
        timeout.as_millis()
    )))
}
