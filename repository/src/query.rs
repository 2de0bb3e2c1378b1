//! Query helpers every repository shares, legacy or enhanced: look a row up or report
//! [`RepoError::NotFound`], delete one or report it, read a page, and take the row an
//! `UPDATE ... RETURNING` gave back, insert in a savepoint of its own. Each converts SeaORM models into domain types through
//! `TryFrom`, so a stored value the domain cannot read is a [`RepoError::Corrupt`] everywhere.

use std::fmt::Display;

use sea_orm::sea_query::IntoValueTuple;
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ConnectionTrait, DbErr, DeleteResult, EntityTrait,
    FromQueryResult, IntoActiveModel, PrimaryKeyTrait, QuerySelect, QueryTrait, Select, Statement,
};
use uuid::Uuid;

use crate::error::{RepoError, RepoResult};
use crate::page::Page;
use crate::prerendered;

/// The row of `E` whose primary key is `id`, converted.
///
/// The `SELECT` is rendered once per entity and backend (`prerendered`) and sent with the key
/// bound and a literal `LIMIT 1`: the same statement on every call, which the driver prepares
/// once per connection.
///
/// # Errors
/// [`RepoError::NotFound`] naming `entity` when there is none; `Db` when the query fails;
/// `Corrupt` when the row cannot be converted.
pub async fn get_by_id<E, T>(
    db: &impl ConnectionTrait,
    entity: &'static str,
    id: impl Into<Uuid> + Display,
) -> RepoResult<T>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    T: TryFrom<E::Model>,
    RepoError: From<T::Error>,
{
    let id: Uuid = id.into();
    let backend = db.get_database_backend();
    let key = <E::PrimaryKey as PrimaryKeyTrait>::ValueType::from(id).into_value_tuple();
    let sql = prerendered::select_by_key::<E>(backend);
    let statement = Statement::from_sql_and_values(backend, &*sql, key);
    one_row::<E, T>(db, statement, entity, id).await
}

/// The first row `select` finds, converted. The statement is `select` with a literal
/// `LIMIT 1`, so `select` must have neither a limit nor a locking clause of its own.
///
/// # Errors
/// [`RepoError::NotFound`] naming `entity` and `key` when there is none; `Db` when the query
/// fails; `Corrupt` when the row cannot be converted.
pub async fn one_or_not_found<E, T>(
    select: Select<E>,
    db: &impl ConnectionTrait,
    entity: &'static str,
    key: impl Display,
) -> RepoResult<T>
where
    E: EntityTrait,
    T: TryFrom<E::Model>,
    RepoError: From<T::Error>,
{
    let mut statement = select.build(db.get_database_backend());
    statement.sql.push_str(" LIMIT 1");
    one_row::<E, T>(db, statement, entity, key).await
}

/// The one row of `E` that `statement` (which selects every column of `E`) gives, converted.
///
/// # Errors
/// [`RepoError::NotFound`] naming `entity` and `key` when there is none; `Db` when the query
/// fails; `Corrupt` when the row cannot be converted.
pub async fn one_row<E, T>(
    db: &impl ConnectionTrait,
    statement: Statement,
    entity: &'static str,
    key: impl Display,
) -> RepoResult<T>
where
    E: EntityTrait,
    T: TryFrom<E::Model>,
    RepoError: From<T::Error>,
{
    let row = db
        .query_one_raw(statement)
        .await?
        .ok_or_else(|| RepoError::not_found(entity, key))?;
    Ok(T::try_from(E::Model::from_query_result(&row, "")?)?)
}

/// Deletes the row of `E` whose primary key is `id`.
///
/// # Errors
/// [`RepoError::NotFound`] naming `entity` when there is none; the classified database error
/// otherwise.
pub async fn delete_by_id<E>(
    db: &impl ConnectionTrait,
    entity: &'static str,
    id: impl Into<Uuid> + Display,
) -> RepoResult<()>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
{
    let key = id.to_string();
    removed(&E::delete_by_id(id.into()).exec(db).await?, entity, key)
}

/// `Ok` when a delete removed a row, else [`RepoError::NotFound`] naming `entity` and `key`.
///
/// # Errors
/// [`RepoError::NotFound`] when no row was deleted.
pub fn removed(result: &DeleteResult, entity: &'static str, key: impl Display) -> RepoResult<()> {
    if result.rows_affected == 0 {
        return Err(RepoError::not_found(entity, key));
    }
    Ok(())
}

/// The rows `select` finds on `page`, converted. The caller's `select` must be ordered.
///
/// # Errors
/// `Db` when the query fails; `Corrupt` when a row cannot be converted.
pub async fn fetch_page<E, T>(
    select: Select<E>,
    db: &impl ConnectionTrait,
    page: Page,
) -> RepoResult<Vec<T>>
where
    E: EntityTrait,
    T: TryFrom<E::Model>,
    RepoError: From<T::Error>,
{
    fetch_all(select.limit(page.limit()).offset(page.offset()), db).await
}

/// Every row `select` finds, converted. Only for selects bounded some other way.
///
/// # Errors
/// `Db` when the query fails; `Corrupt` when a row cannot be converted.
pub async fn fetch_all<E, T>(select: Select<E>, db: &impl ConnectionTrait) -> RepoResult<Vec<T>>
where
    E: EntityTrait,
    T: TryFrom<E::Model>,
    RepoError: From<T::Error>,
{
    convert_all(select.all(db).await?)
}

/// Converts a list of models.
///
/// # Errors
/// `Corrupt` (or the conversion's own error) for the first model that cannot be converted.
pub fn convert_all<M, T>(models: Vec<M>) -> RepoResult<Vec<T>>
where
    T: TryFrom<M>,
    RepoError: From<T::Error>,
{
    models
        .into_iter()
        .map(|m| T::try_from(m).map_err(RepoError::from))
        .collect()
}

/// The single row an `UPDATE ... WHERE id = ? RETURNING *` gave back, converted, or
/// [`RepoError::NotFound`] when no row matched.
///
/// # Errors
/// [`RepoError::NotFound`] naming `entity` and `id` when `rows` is empty; `Corrupt` when the
/// row cannot be converted.
pub fn updated_row<M, T>(rows: Vec<M>, entity: &'static str, id: impl Display) -> RepoResult<T>
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

/// Inserts `model` in a transaction of its own (a savepoint inside a unit of work) and commits it,
/// or rolls it back when the insert fails. The insert's own error comes back as the inner
/// result, for the caller to classify with [`violation`](crate::violation) and to follow up with
/// more queries: rolled back, the savepoint leaves the caller's transaction usable, where
/// PostgreSQL refuses every statement after a failed one.
///
/// # Errors
/// `Db` when the transaction cannot begin, commit or roll back.
pub async fn insert_isolated<A>(
    db: &impl crate::Executor,
    model: A,
) -> RepoResult<Result<<A::Entity as EntityTrait>::Model, DbErr>>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    let txn = db.begin_write().await?;
    match model.insert(&txn).await {
        Ok(inserted) => {
            txn.commit().await?;
            Ok(Ok(inserted))
        }
        Err(err) => {
            txn.rollback().await?;
            Ok(Err(err))
        }
    }
}

/// A stored count or size (never negative by CHECK constraint) as `u64`.
///
/// # Errors
/// [`RepoError::Corrupt`] naming `what` for a negative value.
pub fn stored_u64(what: &'static str, value: i64) -> RepoResult<u64> {
    u64::try_from(value).map_err(|_| RepoError::corrupt(what, value))
}

/// A stored non-negative `i32` (a count or a number of seconds) as `u32`.
///
/// # Errors
/// [`RepoError::Corrupt`] naming `what` for a negative value.
pub fn stored_u32(what: &'static str, value: i32) -> RepoResult<u32> {
    u32::try_from(value).map_err(|_| RepoError::corrupt(what, value))
}
