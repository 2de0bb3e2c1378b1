//! The streamed nearest-neighbour search: the model's rows in keyset batches of id and vector,
//! a bounded best-`k` list, then the winners' rows.

use std::collections::HashMap;

use memdb_enhanced_entity::document_index::{Column, Entity};
use memdb_repository::{Executor, RepoError, RepoResult, custom_plans_statement};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use super::sea_orm::model_name;
use super::vector::{Query, Scored, TopK};
use super::{IndexedDocument, NearestOptions, Neighbour};
use crate::filters::{JsonColumn, metadata_condition};
use crate::limits;

/// The column a metadata pre-filter reads.
const METADATA: JsonColumn = JsonColumn::new("document_index", "metadata");

/// The rows a batch reads: embedded by `model` with `dims` components, after `after` in id
/// order, at most `rows`, only their id and vector. A range of the
/// `(embedding_model, embedding_dims, id)` index, read in its order.
///
/// `prefilter` is the compiled metadata filter: one more condition of this query, evaluated by
/// the database, so rows it excludes are never read here.
fn candidates(
    model: &str,
    dims: i32,
    after: Option<Uuid>,
    rows: u32,
    prefilter: Option<Expr>,
) -> Select<Entity> {
    let mut select = Entity::find()
        .select_only()
        .column(Column::Id)
        .column(Column::Embedding)
        .filter(Column::EmbeddingModel.eq(model))
        .filter(Column::EmbeddingDims.eq(dims));
    if let Some(after) = after {
        select = select.filter(Column::Id.gt(after));
    }
    if let Some(prefilter) = prefilter {
        select = select.filter(prefilter);
    }
    select.order_by_asc(Column::Id).limit(u64::from(rows))
}

/// The dimension recorded for `model`: that of any row embedded by it (they all share it).
async fn recorded_dims(db: &impl ConnectionTrait, model: &str) -> RepoResult<Option<i32>> {
    Ok(Entity::find()
        .select_only()
        .column(Column::EmbeddingDims)
        .filter(Column::EmbeddingModel.eq(model))
        .limit(1)
        .into_tuple::<Option<i32>>()
        .one(db)
        .await?
        .flatten())
}

// The generic plan of the batch query cannot tell a model of 1,000 rows from one of 100,000
// and walks the primary key in id order instead of `(embedding_model, embedding_dims, id)`:
// with time-ordered ids, the batch after a small model's last row then reads every later row
// of the table (20 ms over 100,000 rows of another model, measured), where the model's index
// ends the scan at once. Hence `custom_plans_statement`.

/// See [`DocumentIndexRepository::nearest`](super::DocumentIndexRepository::nearest). On
/// backends with generic plans (PostgreSQL) the batches run in one transaction of their own
/// (a savepoint inside a unit of work, whose transaction then keeps the setting to its end)
/// that plans every batch for its model ([`custom_plans_statement`]), and all of them read
/// one snapshot.
pub(super) async fn nearest(
    db: &impl Executor,
    model: &str,
    query: &[f32],
    k: usize,
    options: NearestOptions,
) -> RepoResult<Vec<Neighbour>> {
    let Some(custom_plans) = custom_plans_statement(db.get_database_backend()) else {
        return search(db, model, query, k, options).await;
    };
    let txn = db.begin_write().await?;
    txn.execute_unprepared(custom_plans).await?;
    let found = search(&txn, model, query, k, options).await?;
    txn.commit().await?;
    Ok(found)
}

/// The search itself, on `db` as it is.
async fn search(
    db: &impl ConnectionTrait,
    model: &str,
    query: &[f32],
    k: usize,
    options: NearestOptions,
) -> RepoResult<Vec<Neighbour>> {
    let model = model_name(model)?;
    if k == 0 || k > limits::NEAREST_K {
        return Err(RepoError::invalid(
            "k",
            format!("must be 1 to {}, got {k}", limits::NEAREST_K),
        ));
    }
    let query = Query::new(query)?;
    let prefilter = options
        .filter()
        .map(|filter| metadata_condition(db.get_database_backend(), METADATA, filter, &[]))
        .transpose()?;
    let Some(dims) = recorded_dims(db, &model).await? else {
        return Ok(Vec::new());
    };
    if usize::try_from(dims).ok() != Some(query.dims()) {
        return Err(RepoError::invalid(
            "query",
            format!(
                "model {model:?} has dimension {dims}, the query has {}",
                query.dims()
            ),
        ));
    }
    let mut best = TopK::new(k);
    let mut after = None;
    loop {
        let batch: Vec<(Uuid, Option<Vec<u8>>)> = candidates(
            &model,
            dims,
            after,
            options.rows_per_batch(),
            prefilter.clone(),
        )
        .into_tuple()
        .all(db)
        .await?;
        let full = batch.len() == options.rows_per_batch() as usize;
        for (id, bytes) in batch {
            let bytes = bytes.unwrap_or_default();
            let similarity = query
                .similarity(&bytes)
                .ok_or_else(|| RepoError::corrupt("embedding", format!("of row {id}")))?;
            best.offer(Scored { similarity, id });
            after = Some(id);
        }
        if !full {
            break;
        }
    }
    winners(db, best.into_sorted(), options.vectors()).await
}

/// The rows of `scored` (best first), with their scores; a row deleted since it was scored is
/// left out.
async fn winners(
    db: &impl ConnectionTrait,
    scored: Vec<Scored>,
    with_vectors: bool,
) -> RepoResult<Vec<Neighbour>> {
    if scored.is_empty() {
        return Ok(Vec::new());
    }
    let mut rows: HashMap<Uuid, _> = Entity::find()
        .filter(Column::Id.is_in(scored.iter().map(|s| s.id)))
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    let mut neighbours = Vec::with_capacity(scored.len());
    for s in scored {
        let Some(row) = rows.remove(&s.id) else {
            continue;
        };
        let mut document: IndexedDocument = row.try_into()?;
        if !with_vectors {
            document.embedding = None;
        }
        neighbours.push(Neighbour {
            similarity: s.similarity,
            document,
        });
    }
    Ok(neighbours)
}
