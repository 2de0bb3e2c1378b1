//! [`RepoError`], the one error type of every repository, and the single place where database
//! errors are classified.

use sea_orm::{ConnAcquireErr, DbErr, RuntimeErr, SqlErr};

/// Result of a repository call.
pub type RepoResult<T> = Result<T, RepoError>;

/// What went wrong in a repository call. Callers match on the variant (and, for conflicts, on
/// its [`ConflictKind`]); the message is meant for people.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RepoError {
    /// The row the call refers to does not exist.
    #[error("{entity} {id} not found")]
    NotFound {
        /// Kind of row, e.g. `"document"`.
        entity: &'static str,
        /// The id or key that was looked up.
        id: String,
    },
    /// The call would break a uniqueness rule, a state rule or a version check. Nothing was
    /// written.
    #[error("conflict: {message}")]
    Conflict {
        /// What kind of conflict, for callers to branch on.
        kind: ConflictKind,
        /// What happened, for people.
        message: String,
    },
    /// An input failed validation or referred to rows that do not exist. Nothing was written.
    #[error("invalid {field}: {reason}")]
    Validation {
        /// The input field at fault.
        field: &'static str,
        /// Why it was rejected.
        reason: String,
    },
    /// `claim_next` found no task that may run now for this agent type.
    #[error("no claimable task for agent type '{agent_type}'")]
    QueueEmpty {
        /// The agent type that was asked for.
        agent_type: String,
    },
    /// A stored value that the domain cannot represent (a CHECK constraint or the repository
    /// should have kept it out): the row was changed behind memdb's back.
    #[error("corrupt {what} in database: {value:?}")]
    Corrupt {
        /// The column, e.g. `"task status"`.
        what: &'static str,
        /// The value found.
        value: String,
    },
    /// The database could not be reached. The URL is shown with its password redacted.
    #[error("cannot connect to {url}: {source}")]
    Connect {
        /// The database URL, password redacted.
        url: String,
        /// The driver's error.
        source: DbErr,
    },
    /// The database refused the call for a passing reason: a PostgreSQL serialization failure
    /// (SQLSTATE `40001`), deadlock (`40P01`) or lock wait that ran out (`55P03`), or SQLite's
    /// `SQLITE_BUSY` / `SQLITE_LOCKED` (with their extended codes) after the busy timeout; or
    /// every pooled connection stayed busy for the pool's acquire timeout
    /// ([`RetryReason::PoolTimedOut`]).
    ///
    /// The call's transaction was rolled back, so nothing it meant to write was written (on
    /// PostgreSQL, an enclosing unit of work is aborted as a whole); a call that timed out
    /// waiting for a connection never reached the database. What to do: run the
    /// same call again — the whole unit of work when it came from inside
    /// [`Repositories::transaction`](crate::Repositories::transaction) — after a short,
    /// growing, jittered pause, a bounded number of times; report it when it persists (on
    /// SQLite that means something holds the write lock for longer than the busy timeout).
    /// [`RepoError::is_retryable`] tells this variant apart without matching on it.
    #[error("retryable database error ({reason}): {source}")]
    Retryable {
        /// Why the database refused, for callers that treat the reasons differently.
        reason: RetryReason,
        /// The driver's error.
        source: DbErr,
    },
    /// Any other database error.
    #[error("database error: {0}")]
    Db(DbErr),
}

/// Why a [`RepoError::Retryable`] call was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetryReason {
    /// PostgreSQL `40001` (`serialization_failure`): a `SERIALIZABLE` or `REPEATABLE READ`
    /// transaction could not be ordered with a concurrent one.
    SerializationFailure,
    /// PostgreSQL `40P01` (`deadlock_detected`): this transaction was picked to break a lock
    /// cycle.
    Deadlock,
    /// PostgreSQL `55P03` (`lock_not_available`): a `NOWAIT` lock or a `lock_timeout` ran out.
    LockNotAvailable,
    /// SQLite `SQLITE_BUSY` (any extended code, e.g. `SQLITE_BUSY_SNAPSHOT`): another
    /// connection held the database's lock beyond the busy timeout, or a read snapshot went
    /// stale before this transaction could write.
    Busy,
    /// SQLite `SQLITE_LOCKED` (any extended code): a table was locked by another statement on
    /// the same connection or shared cache.
    Locked,
    /// No pooled connection became free within the pool's acquire timeout
    /// ([`ConnectBuilder::acquire_timeout`](crate::ConnectBuilder::acquire_timeout), 10 s by
    /// default): every connection was busy for that long. The call never reached the
    /// database. Persisting, it means the pool is too small for the load or connections are
    /// held too long (a long unit of work, a caller holding a transaction open).
    PoolTimedOut,
}

impl std::fmt::Display for RetryReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::SerializationFailure => "serialization failure",
            Self::Deadlock => "deadlock",
            Self::LockNotAvailable => "lock not available",
            Self::Busy => "database busy",
            Self::Locked => "table locked",
            Self::PoolTimedOut => "no pooled connection free in time",
        })
    }
}

impl RetryReason {
    /// The reason behind a database error, when it is a retryable one: a pool acquire that
    /// timed out, a PostgreSQL SQLSTATE, or a SQLite (extended) result code in decimal.
    #[must_use]
    pub fn of(err: &DbErr) -> Option<Self> {
        if matches!(err, DbErr::ConnectionAcquire(ConnAcquireErr::Timeout)) {
            return Some(Self::PoolTimedOut);
        }
        let e = database_error(err)?;
        let code = e.code()?;
        if e.try_downcast_ref::<sea_orm::sqlx::postgres::PgDatabaseError>()
            .is_some()
        {
            Self::of_sqlstate(&code)
        } else if e
            .try_downcast_ref::<sea_orm::sqlx::sqlite::SqliteError>()
            .is_some()
        {
            Self::of_sqlite_code(&code)
        } else {
            None
        }
    }

    /// The reason for a PostgreSQL SQLSTATE, when it is a retryable one.
    fn of_sqlstate(code: &str) -> Option<Self> {
        match code {
            "40001" => Some(Self::SerializationFailure),
            "40P01" => Some(Self::Deadlock),
            "55P03" => Some(Self::LockNotAvailable),
            _ => None,
        }
    }

    /// The reason for a SQLite result code (primary or extended, in decimal), when it is a
    /// retryable one. An extended code keeps its primary code in the low byte.
    fn of_sqlite_code(code: &str) -> Option<Self> {
        const SQLITE_BUSY: i32 = 5;
        const SQLITE_LOCKED: i32 = 6;
        match code.parse::<i32>().ok()? & 0xff {
            SQLITE_BUSY => Some(Self::Busy),
            SQLITE_LOCKED => Some(Self::Locked),
            _ => None,
        }
    }
}

/// The kinds of [`RepoError::Conflict`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConflictKind {
    /// A row with the same unique key exists (a name, slug, path or edge taken).
    Duplicate,
    /// The row is not in a state that allows the call (completing a task that is not running,
    /// adding a dependency to a task that already started).
    WrongState,
    /// The caller named a version of the row that is no longer the current one.
    StaleVersion,
    /// The row cannot be deleted while other rows refer to it.
    StillReferenced,
}

impl RepoError {
    /// A [`RepoError::Validation`] of `field`.
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Validation {
            field,
            reason: reason.into(),
        }
    }

    /// A [`RepoError::NotFound`] of the `entity` with this id or key.
    pub fn not_found(entity: &'static str, id: impl std::fmt::Display) -> Self {
        Self::NotFound {
            entity,
            id: id.to_string(),
        }
    }

    /// A [`RepoError::Conflict`] of `kind`.
    pub fn conflict(kind: ConflictKind, message: impl Into<String>) -> Self {
        Self::Conflict {
            kind,
            message: message.into(),
        }
    }

    /// A [`RepoError::Corrupt`]: `value` was found in the column described by `what`.
    pub fn corrupt(what: &'static str, value: impl std::fmt::Display) -> Self {
        Self::Corrupt {
            what,
            value: value.to_string(),
        }
    }

    /// Whether running the same call again may succeed: true for [`RepoError::Retryable`]
    /// only. Every other error repeats on a retry (bad input, a missing row, a conflict the
    /// caller must resolve) or needs a person ([`RepoError::Db`], [`RepoError::Connect`]).
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Retryable { .. })
    }

    /// The conflict's kind, when this is a [`RepoError::Conflict`].
    #[must_use]
    pub fn conflict_kind(&self) -> Option<ConflictKind> {
        match self {
            Self::Conflict { kind, .. } => Some(*kind),
            _ => None,
        }
    }
}

/// A constraint violation the database reported, by kind, with the database's own detail.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Violation {
    /// A unique index or primary key already holds the value.
    Unique(String),
    /// A foreign key refers to a row that does not exist, or a deleted row is still referred to.
    ForeignKey(String),
}

/// The constraint violation in `err`, if it is one.
#[must_use]
pub fn violation(err: &DbErr) -> Option<Violation> {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(detail)) => Some(Violation::Unique(detail)),
        Some(SqlErr::ForeignKeyConstraintViolation(detail)) => Some(Violation::ForeignKey(detail)),
        _ if is_sqlite_restrict_violation(err) => Some(Violation::ForeignKey(
            "the row is still referenced".to_owned(),
        )),
        _ => None,
    }
}

impl From<DbErr> for RepoError {
    /// Violations the call site did not classify: unique ones become a
    /// [`ConflictKind::Duplicate`] conflict, foreign-key ones a [`RepoError::Validation`] of
    /// field `reference`; serialization failures, deadlocks, lock timeouts and a busy or
    /// locked SQLite become [`RepoError::Retryable`]; everything else stays [`RepoError::Db`].
    fn from(err: DbErr) -> Self {
        match violation(&err) {
            Some(Violation::Unique(detail)) => Self::conflict(ConflictKind::Duplicate, detail),
            Some(Violation::ForeignKey(detail)) => Self::invalid(
                "reference",
                format!("refers to a row that does not exist or is still referenced ({detail})"),
            ),
            None => match RetryReason::of(&err) {
                Some(reason) => Self::Retryable {
                    reason,
                    source: err,
                },
                None => Self::Db(err),
            },
        }
    }
}

/// The database's own error inside `err`, whichever step (connect, statement, query) met it.
fn database_error(err: &DbErr) -> Option<&(dyn sea_orm::sqlx::error::DatabaseError + 'static)> {
    match err {
        DbErr::Conn(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e)) => match e.as_ref() {
            sea_orm::sqlx::Error::Database(e) => Some(e.as_ref()),
            _ => None,
        },
        _ => None,
    }
}

/// SQLite reports an `ON DELETE RESTRICT` violation as `SQLITE_CONSTRAINT_TRIGGER` (1811), not
/// as the foreign-key code `DbErr::sql_err` knows.
fn is_sqlite_restrict_violation(err: &DbErr) -> bool {
    database_error(err)
        .is_some_and(|e| e.code().as_deref() == Some("1811") && e.message().contains("FOREIGN KEY"))
}

/// Gives database errors the meaning of the call that caused them.
pub trait DbResultExt<T> {
    /// Like `?`, but a constraint violation becomes whatever `map` makes of it (`None`: the
    /// default classification of [`From<DbErr>`]).
    ///
    /// # Errors
    /// Every error of `self`, classified.
    fn on_violation(self, map: impl FnOnce(&Violation) -> Option<RepoError>) -> RepoResult<T>;

    /// Like `?`, but a unique violation becomes a [`ConflictKind::Duplicate`] conflict with
    /// `message()`.
    ///
    /// # Errors
    /// Every error of `self`, classified.
    fn on_duplicate(self, message: impl FnOnce() -> String) -> RepoResult<T>;
}

impl<T> DbResultExt<T> for Result<T, DbErr> {
    fn on_violation(self, map: impl FnOnce(&Violation) -> Option<RepoError>) -> RepoResult<T> {
        self.map_err(|err| {
            violation(&err)
                .and_then(|v| map(&v))
                .unwrap_or_else(|| RepoError::from(err))
        })
    }

    fn on_duplicate(self, message: impl FnOnce() -> String) -> RepoResult<T> {
        self.on_violation(|v| {
            matches!(v, Violation::Unique(_))
                .then(|| RepoError::conflict(ConflictKind::Duplicate, message()))
        })
    }
}

/// Lets infallible conversions (`T: From<M>`) go through the generic helpers like fallible ones.
impl From<std::convert::Infallible> for RepoError {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

#[cfg(test)]
mod tests {
    use super::RetryReason;

    #[test]
    fn sqlstates_of_passing_refusals_are_retryable() {
        assert_eq!(
            RetryReason::of_sqlstate("40001"),
            Some(RetryReason::SerializationFailure)
        );
        assert_eq!(
            RetryReason::of_sqlstate("40P01"),
            Some(RetryReason::Deadlock)
        );
        assert_eq!(
            RetryReason::of_sqlstate("55P03"),
            Some(RetryReason::LockNotAvailable)
        );
        for other in ["23505", "23503", "40002", "57014", "40003", ""] {
            assert_eq!(RetryReason::of_sqlstate(other), None, "{other}");
        }
    }

    #[test]
    fn sqlite_busy_and_locked_are_retryable_with_every_extended_code() {
        // SQLITE_BUSY, _RECOVERY, _SNAPSHOT, _TIMEOUT.
        for busy in ["5", "261", "517", "773"] {
            assert_eq!(
                RetryReason::of_sqlite_code(busy),
                Some(RetryReason::Busy),
                "{busy}"
            );
        }
        // SQLITE_LOCKED, _SHAREDCACHE, _VTAB.
        for locked in ["6", "262", "518"] {
            assert_eq!(
                RetryReason::of_sqlite_code(locked),
                Some(RetryReason::Locked),
                "{locked}"
            );
        }
        // Constraint (19 and its extended codes), generic error, read-only, corrupt, garbage.
        for other in ["19", "1811", "2067", "1", "8", "11", "x", ""] {
            assert_eq!(RetryReason::of_sqlite_code(other), None, "{other}");
        }
    }
}
