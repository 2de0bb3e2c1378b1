//! Statements memdb builds, rendered for the raw side: a twin whose SQL is memdb's own query
//! built with sea-query (a compiled metadata filter, a keyset listing), sent through the raw
//! pool with the same bound values, measures exactly what SeaORM's execution and decoding add.

use anyhow::{Result, bail};
use memdb_repository::sea_orm::{DbBackend, QueryTrait, Value};

use crate::raw::{Param, RawPool};

/// The backend whose SQL `pool` speaks.
pub(crate) fn backend(pool: &RawPool) -> DbBackend {
    match pool {
        RawPool::Sqlite(_) => DbBackend::Sqlite,
        RawPool::Postgres(_) => DbBackend::Postgres,
    }
}

/// `query` as `backend` receives it: its SQL and its bound values as raw parameters.
///
/// # Errors
/// A bound value of a type the raw side does not bind (none of memdb's listings has one).
pub(crate) fn render(backend: DbBackend, query: &impl QueryTrait) -> Result<(String, Vec<Param>)> {
    let statement = query.build(backend);
    let values = statement.values.map(|values| values.0).unwrap_or_default();
    let params = values.into_iter().map(param).collect::<Result<_>>()?;
    Ok((statement.sql, params))
}

/// The raw parameter binding `value` as sqlx binds it.
fn param(value: Value) -> Result<Param> {
    Ok(match value {
        Value::Bool(Some(v)) => Param::Bool(v),
        Value::Int(Some(v)) => Param::Int(v.into()),
        Value::BigInt(Some(v)) => Param::Int(v),
        Value::Unsigned(Some(v)) => Param::Int(v.into()),
        Value::BigUnsigned(Some(v)) => Param::Int(i64::try_from(v)?),
        Value::Double(Some(v)) => Param::Float(v),
        Value::String(Some(v)) => Param::Text(v),
        Value::Uuid(Some(v)) => Param::Uuid(v),
        Value::Json(Some(v)) => Param::Json(*v),
        Value::ChronoDateTimeWithTimeZone(Some(v)) => Param::Time(v),
        other => bail!("the raw side binds no {other:?}"),
    })
}
