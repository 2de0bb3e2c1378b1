//! What the repositories' statements spell or guarantee differently per backend: the one place
//! that knows (DDL differences live in the migration crate's `dialect.rs`, pool and session
//! settings in `connect`). Repositories, legacy and enhanced, ask here instead of matching on
//! [`DbBackend`] themselves.

use std::fmt::Write as _;

use sea_orm::DbBackend;
use sea_orm::sea_query::{Expr, ExprTrait, Func};

/// The most bound parameters one SQLite statement may have (`SQLITE_MAX_VARIABLE_NUMBER` of
/// the SQLite bundled with sqlx).
pub const SQLITE_MAX_PARAMETERS: usize = 32_766;

/// The most bound parameters one PostgreSQL statement may have (the wire protocol counts them
/// in 16 bits).
pub const POSTGRES_MAX_PARAMETERS: usize = 65_535;

/// The most bound parameters one MySQL statement may have (its prepared-statement protocol
/// counts them in 16 bits).
pub const MYSQL_MAX_PARAMETERS: usize = 65_535;

/// The most bound parameters one statement may have on `backend`.
#[must_use]
pub fn max_parameters(backend: DbBackend) -> usize {
    match backend {
        DbBackend::Sqlite => SQLITE_MAX_PARAMETERS,
        DbBackend::Postgres => POSTGRES_MAX_PARAMETERS,
        _ => MYSQL_MAX_PARAMETERS,
    }
}

/// Appends `name` as a quoted identifier: `"name"`, or `` `name` `` on MySQL. `name` must be
/// an identifier from an entity (table or column), never input.
pub fn push_identifier(sql: &mut String, backend: DbBackend, name: &str) {
    let quote = if backend == DbBackend::MySql {
        '`'
    } else {
        '"'
    };
    let _ = write!(sql, "{quote}{name}{quote}");
}

/// Appends the placeholder of the `n`th bound parameter (from 1): `$n` on PostgreSQL, `?`
/// elsewhere. Numbered placeholders on SQLite make its parameter lookup quadratic, so a
/// statement with many parameters (a multi-row insert) is 7x slower with them.
pub fn push_placeholder(sql: &mut String, backend: DbBackend, n: usize) {
    if backend == DbBackend::Postgres {
        let _ = write!(sql, "${n}");
    } else {
        sql.push('?');
    }
}

/// `timestamp` plus `seconds` (an integer expression), as a timestamp of the column's type.
///
/// - PostgreSQL: `timestamptz + n * INTERVAL '1 second'`, exact to the microsecond.
/// - SQLite stores timestamps as the text sqlx writes (RFC 3339,
///   `2026-11-23T10:00:00.123456+00:00`, the fraction only as long as needed, memdb's `now()`
///   always in UTC). `strftime` adds the seconds to the first 19 characters (date and time of
///   day) and the rest (fraction and offset) is appended as it was: the text sqlx would write
///   for the later instant, so stored timestamps keep comparing as text in time order.
#[must_use]
pub fn add_seconds(backend: DbBackend, timestamp: &Expr, seconds: Expr) -> Expr {
    match backend {
        DbBackend::Postgres => Expr::cust_with_exprs(
            "$1 + $2 * INTERVAL '1 second'",
            [timestamp.clone(), seconds],
        ),
        _ => Expr::cust_with_exprs(
            "strftime('%Y-%m-%dT%H:%M:%S', substr(?, 1, 19), '+' || ? || ' seconds') \
             || substr(?, 20)",
            [timestamp.clone(), seconds, timestamp.clone()],
        ),
    }
}

/// A condition that is always true and, on PostgreSQL, lets the transaction of the statement
/// it is part of commit without waiting for its WAL to reach the disk
/// (`set_config('synchronous_commit', 'off', true)`, the function form of
/// `SET LOCAL synchronous_commit = off`: it ends with that transaction, an autocommit
/// statement's own included). `None` where the backend needs nothing: SQLite in WAL mode with
/// `synchronous = NORMAL` (memdb's setting) already commits without a sync.
///
/// Only for writes that may be lost in a crash (a read's access statistics), and never inside
/// a caller's transaction: the setting would cover the caller's own writes too.
#[must_use]
pub fn commit_without_flush(backend: DbBackend) -> Option<&'static str> {
    (backend == DbBackend::Postgres)
        .then_some("set_config('synchronous_commit', 'off', true) IS NOT NULL")
}

/// `id` (a UUID column) as fixed-width text without commas: SQLite stores UUIDs as 16-byte
/// blobs (`hex` gives 32 uppercase digits), PostgreSQL as `uuid` (its text is the hyphenated
/// lowercase form). Either way the digits keep the ids' byte order, so ordering such texts
/// orders the ids as on the other backend.
#[must_use]
pub fn uuid_text(backend: DbBackend, id: Expr) -> Expr {
    match backend {
        DbBackend::Postgres => id.cast_as("text"),
        _ => Func::cust("hex").arg(id).into(),
    }
}

/// Whether the text `haystack` contains `needle` (`strpos` on PostgreSQL, `instr` elsewhere).
#[must_use]
pub fn text_contains(backend: DbBackend, haystack: Expr, needle: Expr) -> Expr {
    let position = match backend {
        DbBackend::Postgres => Func::cust("strpos"),
        _ => Func::cust("instr"),
    };
    Expr::expr(position.arg(haystack).arg(needle)).gt(0)
}

/// `text`, compared by bytes: SQLite's default, PostgreSQL's `"C"` collation (the database's
/// own may be linguistic).
#[must_use]
pub fn bytewise(backend: DbBackend, text: Expr) -> Expr {
    match backend {
        DbBackend::Postgres => Expr::cust_with_expr("$1 COLLATE \"C\"", text),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_placeholders_follow_the_backend() {
        let mut sql = String::new();
        push_identifier(&mut sql, DbBackend::Postgres, "t");
        push_placeholder(&mut sql, DbBackend::Postgres, 12);
        push_identifier(&mut sql, DbBackend::Sqlite, "t");
        push_placeholder(&mut sql, DbBackend::Sqlite, 12);
        push_identifier(&mut sql, DbBackend::MySql, "t");
        push_placeholder(&mut sql, DbBackend::MySql, 3);
        assert_eq!(sql, "\"t\"$12\"t\"?`t`?");
    }

    #[test]
    fn only_postgres_needs_a_setting_to_commit_without_a_flush() {
        assert!(commit_without_flush(DbBackend::Postgres).is_some());
        assert!(commit_without_flush(DbBackend::Sqlite).is_none());
    }
}
