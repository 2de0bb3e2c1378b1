//! The one dimension of each embedding model, checked in the transaction that stores an
//! embedding.
//!
//! A model's dimension is fixed by its first embedding. On PostgreSQL the check runs under the
//! [`Section::EmbeddingModels`] lock. A writer that finds the model already recorded with its
//! own dimension holds it shared, so writers of known models run side by side and their commits
//! share WAL flushes. A writer that finds no row of the model (its first embedding) starts a
//! new transaction holding the lock exclusively, so two first embeddings of one model with
//! different dimensions cannot both pass.
//!
//! Why shared is enough: while any writer holds the lock shared, no exclusive writer can commit.
//! A row of the model with another dimension that a later shared writer could see was therefore
//! committed before this writer's check, which would have found it: rows with two dimensions
//! are never both accepted. Inside a caller's unit of work the lock is taken exclusively at
//! once (a savepoint's rollback would not release a shared lock, and upgrading it could
//! deadlock with another writer doing the same).

use memdb_enhanced_entity::document_index::{Column, Entity};
use memdb_repository::{
    Executor, RepoError, RepoResult, Section, enter_section, enter_section_shared,
};
use sea_orm::sea_query::{Expr, Func, FunctionCall, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction};

/// A write transaction in which `model` has dimension `dims` (or no embedding yet) until it
/// ends, held as the module documentation describes.
///
/// # Errors
/// `Validation` on `embedding` when the model has another dimension; the database's error.
pub(super) async fn embedding_transaction(
    db: &impl Executor,
    model: &str,
    dims: i32,
) -> RepoResult<DatabaseTransaction> {
    if db.commits_each_statement() {
        let txn = db.begin_write().await?;
        enter_section_shared(&txn, Section::EmbeddingModels).await?;
        match recorded(&txn, model).await? {
            None => txn.rollback().await?,
            Some(recorded) if recorded == (dims, dims) => return Ok(txn),
            Some(recorded) => return Err(mismatch(model, recorded, dims)),
        }
    }
    let txn = db.begin_write().await?;
    enter_section(&txn, Section::EmbeddingModels).await?;
    match recorded(&txn, model).await? {
        Some(recorded) if recorded != (dims, dims) => Err(mismatch(model, recorded, dims)),
        _ => Ok(txn),
    }
}

/// The smallest and the largest dimension stored with `model`; `None` when no row has an
/// embedding of it. Two probes of the `(embedding_model, embedding_dims, id)` index.
async fn recorded(db: &impl ConnectionTrait, model: &str) -> RepoResult<Option<(i32, i32)>> {
    let probe = |extreme: fn(Expr) -> FunctionCall| -> SelectStatement {
        Query::select()
            .expr(extreme(Expr::col(Column::EmbeddingDims)))
            .from(Entity)
            .and_where(Column::EmbeddingModel.eq(model))
            .to_owned()
    };
    let both = Query::select()
        .expr(probe(Func::min))
        .expr(probe(Func::max))
        .to_owned();
    let row = db.query_one(&both).await?;
    let Some(row) = row else { return Ok(None) };
    let min: Option<i32> = row.try_get_by_index(0)?;
    let max: Option<i32> = row.try_get_by_index(1)?;
    Ok(min.zip(max))
}

/// The error for an embedding of `dims` dimensions of a model recorded with `recorded`.
fn mismatch(model: &str, (min, max): (i32, i32), dims: i32) -> RepoError {
    let recorded = if min == dims { max } else { min };
    RepoError::invalid(
        "embedding",
        format!("model {model:?} has dimension {recorded}, got {dims}"),
    )
}
