//! [`RepoError`], the one error type of every repository, and the single place where database
//! errors are classified.

use sea_orm::{DbErr, RuntimeErr, SqlErr};

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
    /// Any other database error.
    #[error("database error: {0}")]
    Db(DbErr),
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
    /// field `reference`; everything else stays [`RepoError::Db`].
    fn from(err: DbErr) -> Self {
        match violation(&err) {
            Some(Violation::Unique(detail)) => Self::conflict(ConflictKind::Duplicate, detail),
            Some(Violation::ForeignKey(detail)) => Self::invalid(
                "reference",
                format!("refers to a row that does not exist or is still referenced ({detail})"),
            ),
            None => Self::Db(err),
        }
    }
}

/// SQLite reports an `ON DELETE RESTRICT` violation as `SQLITE_CONSTRAINT_TRIGGER` (1811), not
/// as the foreign-key code `DbErr::sql_err` knows.
fn is_sqlite_restrict_violation(err: &DbErr) -> bool {
    if let DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) = err
        && let sea_orm::sqlx::Error::Database(e) = e.as_ref()
    {
        return e.code().as_deref() == Some("1811") && e.message().contains("FOREIGN KEY");
    }
    false
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
