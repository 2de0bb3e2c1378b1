//! [`RepoError`], the one error type of every repository, and the single place where database
//! errors are classified.

use sea_orm::{DbErr, RuntimeErr, SqlErr};

/// Result of a repository call.
pub type RepoResult<T> = Result<T, RepoError>;

/// What went wrong in a repository call. Callers match on the variant; the message is meant
/// for people.
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
    /// The call would break a uniqueness rule or a state rule (duplicate name, completing a
    /// task that is not running, ...). Nothing was written.
    #[error("conflict: {0}")]
    Conflict(String),
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

impl RepoError {
    /// Shorthand for [`RepoError::Validation`].
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Validation {
            field,
            reason: reason.into(),
        }
    }

    /// Shorthand for [`RepoError::NotFound`].
    pub(crate) fn not_found(entity: &'static str, id: impl std::fmt::Display) -> Self {
        Self::NotFound {
            entity,
            id: id.to_string(),
        }
    }
}

impl From<DbErr> for RepoError {
    /// Unique violations become [`RepoError::Conflict`], foreign-key violations
    /// [`RepoError::Validation`]; everything else stays [`RepoError::Db`].
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(detail)) => Self::Conflict(detail),
            Some(SqlErr::ForeignKeyConstraintViolation(detail)) => Self::Validation {
                field: "reference",
                reason: format!(
                    "refers to a row that does not exist or is still referenced ({detail})"
                ),
            },
            _ if is_sqlite_restrict_violation(&err) => Self::Validation {
                field: "reference",
                reason: "the row is still referenced".to_owned(),
            },
            _ => Self::Db(err),
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
pub(crate) trait DbResultExt<T> {
    /// Like `?` with [`From<DbErr>`], but a unique violation becomes
    /// `RepoError::Conflict(message())`.
    fn conflict_as(self, message: impl FnOnce() -> String) -> RepoResult<T>;
}

impl<T> DbResultExt<T> for Result<T, DbErr> {
    fn conflict_as(self, message: impl FnOnce() -> String) -> RepoResult<T> {
        self.map_err(|err| match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => RepoError::Conflict(message()),
            _ => RepoError::from(err),
        })
    }
}

/// The single row an `UPDATE ... WHERE id = ? RETURNING *` gave back, converted, or
/// [`RepoError::NotFound`] when no row matched.
pub(crate) fn updated_row<M, T>(
    rows: Vec<M>,
    entity: &'static str,
    id: impl std::fmt::Display,
) -> RepoResult<T>
where
    T: TryFrom<M>,
    RepoError: From<T::Error>,
{
    let row = rows
        .into_iter()
        .next()
        .ok_or_else(|| RepoError::not_found(entity, id))?;
    Ok(T::try_from(row)?)
}

/// Lets infallible conversions (`T: From<M>`) go through [`updated_row`] like fallible ones.
impl From<std::convert::Infallible> for RepoError {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

/// A stored value that the domain cannot read (a CHECK constraint should have prevented it).
pub(crate) fn corrupt(what: &str, value: &str) -> RepoError {
    RepoError::Db(DbErr::Type(format!(
        "unexpected {what} in database: {value:?}"
    )))
}
