//! What every bulk call (`create_many` and its kin) shares: checking a batch input by input
//! with errors that name the input, and inserting many rows in as few statements as the
//! backend's bound-parameter limit allows.
//!
//! The insert is a hand-built multi-row `INSERT INTO t (..) VALUES (..), (..)` sent through
//! SeaORM's `execute_raw`, not `Entity::insert_many`: building an `ActiveModel` per row and
//! rendering it through sea-query cost more than half the time of a load (SEAORM2-NOTES.md:
//! 72–86k rows/s against 170–200k raw on SQLite). The values are the entity model's own
//! ([`ModelTrait::get`]), so they are bound exactly as a single-row insert binds them.

use sea_orm::{
    ConnectionTrait, DbBackend, DbErr, EntityTrait, IdenStatic, Iterable, ModelTrait, Statement,
    Value,
};

use crate::backend::{push_identifier, push_placeholder};
use crate::error::{RepoError, RepoResult};
use crate::executor::Executor;

pub use crate::backend::{
    MYSQL_MAX_PARAMETERS, POSTGRES_MAX_PARAMETERS, SQLITE_MAX_PARAMETERS, max_parameters,
};

/// Rows per `INSERT` at most, whatever the parameter limit would allow. Past a few hundred rows
/// a larger statement saves nothing measurable, and every distinct row count is one more
/// statement text for the driver to prepare and cache.
pub const MAX_ROWS_PER_INSERT: usize = 1_000;

/// How many rows of `columns` columns one `INSERT` carries on `backend`: as many as fit under
/// its parameter limit, at most [`MAX_ROWS_PER_INSERT`], at least one.
#[must_use]
pub fn rows_per_insert(backend: DbBackend, columns: usize) -> usize {
    (max_parameters(backend) / columns.max(1)).clamp(1, MAX_ROWS_PER_INSERT)
}

/// Checks every input of a batch with `check`, in order, before anything is written. The
/// first failure comes back with the input's index in front of its reason (a `Validation`
/// keeps the field it names: `invalid path: input 17: must not be empty`).
///
/// # Errors
/// The first input's error, as [`in_batch`] words it.
pub fn check_each<I, T>(
    inputs: Vec<I>,
    mut check: impl FnMut(I) -> RepoResult<T>,
) -> RepoResult<Vec<T>> {
    inputs
        .into_iter()
        .enumerate()
        .map(|(index, input)| check(input).map_err(|err| in_batch(index, err)))
        .collect()
}

/// `err`, about the input at `index` of a batch: a `Validation` or a `Conflict` gets
/// `input <index>: ` in front of its reason; other errors are not about one input and stay as
/// they are.
#[must_use]
pub fn in_batch(index: usize, err: RepoError) -> RepoError {
    match err {
        RepoError::Validation { field, reason } => RepoError::Validation {
            field,
            reason: format!("input {index}: {reason}"),
        },
        RepoError::Conflict { kind, message } => RepoError::Conflict {
            kind,
            message: format!("input {index}: {message}"),
        },
        other => other,
    }
}

/// Inserts `models` as rows of `E`, every column, in multi-row `INSERT`s of at most
/// [`rows_per_insert`] rows, in order. Run it in a transaction: a failing statement leaves the
/// earlier ones applied.
///
/// # Errors
/// The database's error of the first failing statement, unclassified, for the caller to give
/// it the meaning of its call.
pub async fn insert_models<E>(db: &impl ConnectionTrait, models: &[E::Model]) -> Result<(), DbErr>
where
    E: EntityTrait,
{
    let columns: Vec<E::Column> = E::Column::iter().collect();
    let names: Vec<&str> = columns.iter().map(IdenStatic::as_str).collect();
    let table = E::default().table_name();
    insert_rows(db, table, &names, models, |model, values| {
        values.extend(columns.iter().map(|column| model.get(*column)));
    })
    .await
}

/// Inserts `models` as rows of `E` ([`insert_models`]) in a transaction of its own (a
/// savepoint inside a unit of work), `IMMEDIATE` on SQLite, and commits it, or rolls it back
/// when an insert fails. The insert's own error comes back as the inner result, for the caller
/// to classify and to look into with more queries on `db`, which the rollback left usable.
///
/// # Errors
/// `Db` when the transaction cannot begin, commit or roll back.
pub async fn insert_all_or_nothing<E>(
    db: &impl Executor,
    models: &[E::Model],
) -> RepoResult<Result<(), DbErr>>
where
    E: EntityTrait,
{
    let txn = db.begin_write().await?;
    match insert_models::<E>(&txn, models).await {
        Ok(()) => {
            txn.commit().await?;
            Ok(Ok(()))
        }
        Err(err) => {
            txn.rollback().await?;
            Ok(Err(err))
        }
    }
}

/// Inserts one row of `columns` into `table` per item of `rows`, its values written by
/// `values` (exactly one per column, in column order), in multi-row `INSERT`s of at most
/// [`rows_per_insert`] rows. Placeholders are `?` on SQLite and MySQL and `$1, $2, ...` on
/// PostgreSQL (numbered ones on SQLite make its parameter lookup quadratic). `table` and
/// `columns` must be plain identifiers from an entity, never input.
///
/// # Errors
/// The database's error of the first failing statement, unclassified.
pub async fn insert_rows<R>(
    db: &impl ConnectionTrait,
    table: &str,
    columns: &[&str],
    rows: &[R],
    mut values: impl FnMut(&R, &mut Vec<Value>),
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let per_insert = rows_per_insert(backend, columns.len());
    // Every full chunk has the same text: build it once.
    let mut full_chunk_sql = None;
    for chunk in rows.chunks(per_insert) {
        let mut bound = Vec::with_capacity(chunk.len() * columns.len());
        for row in chunk {
            values(row, &mut bound);
        }
        debug_assert_eq!(
            bound.len(),
            chunk.len() * columns.len(),
            "one value per column"
        );
        let sql = if chunk.len() == per_insert {
            full_chunk_sql
                .get_or_insert_with(|| insert_sql(backend, table, columns, chunk.len()))
                .clone()
        } else {
            insert_sql(backend, table, columns, chunk.len())
        };
        db.execute_raw(Statement::from_sql_and_values(backend, sql, bound))
            .await?;
    }
    Ok(())
}

/// `INSERT INTO "table" ("a", "b") VALUES (?, ?), (?, ?)` for `rows` rows, in `backend`'s
/// quoting and placeholders.
fn insert_sql(backend: DbBackend, table: &str, columns: &[&str], rows: usize) -> String {
    let mut sql = String::with_capacity(64 + columns.len() * (16 + rows * 8));
    sql.push_str("INSERT INTO ");
    push_identifier(&mut sql, backend, table);
    sql.push_str(" (");
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        push_identifier(&mut sql, backend, column);
    }
    sql.push_str(") VALUES ");
    let mut parameter = 0;
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..columns.len() {
            if column > 0 {
                sql.push_str(", ");
            }
            parameter += 1;
            push_placeholder(&mut sql, backend, parameter);
        }
        sql.push(')');
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_stay_under_each_backends_parameter_limit() {
        assert_eq!(rows_per_insert(DbBackend::Sqlite, 11), MAX_ROWS_PER_INSERT);
        assert_eq!(rows_per_insert(DbBackend::Sqlite, 40), 819);
        assert_eq!(rows_per_insert(DbBackend::Postgres, 100), 655);
        assert_eq!(rows_per_insert(DbBackend::Sqlite, 40_000), 1);
        for backend in [DbBackend::Sqlite, DbBackend::Postgres, DbBackend::MySql] {
            for columns in 1..200 {
                let rows = rows_per_insert(backend, columns);
                assert!(
                    rows * columns <= max_parameters(backend),
                    "{backend:?} {columns}"
                );
            }
        }
    }

    #[test]
    fn placeholders_follow_the_backend() {
        assert_eq!(
            insert_sql(DbBackend::Sqlite, "t", &["a", "b"], 2),
            r#"INSERT INTO "t" ("a", "b") VALUES (?, ?), (?, ?)"#
        );
        assert_eq!(
            insert_sql(DbBackend::Postgres, "t", &["a", "b"], 2),
            r#"INSERT INTO "t" ("a", "b") VALUES ($1, $2), ($3, $4)"#
        );
        assert_eq!(
            insert_sql(DbBackend::MySql, "t", &["a"], 1),
            "INSERT INTO `t` (`a`) VALUES (?)"
        );
    }

    #[test]
    fn batch_errors_name_the_input() {
        let checked = check_each(vec!["a", "", "c"], |s| {
            if s.is_empty() {
                Err(RepoError::invalid("path", "must not be empty"))
            } else {
                Ok(s)
            }
        });
        match checked {
            Err(RepoError::Validation { field, reason }) => {
                assert_eq!(
                    (field, reason.as_str()),
                    ("path", "input 1: must not be empty")
                );
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }
}
