//! Nearest neighbours over the data set's document index (`dataset_document_index`): the 10
//! documents most similar to a query vector among the 1,000 of the small model and among the
//! run-sized set of the large one, both in one table. The twin reads the same vectors in one
//! statement on the raw pool without scoring them: the floor of reading them at all.

use anyhow::{Result, ensure};
use memdb_enhanced_entity::document_index;
use memdb_enhanced_repository::document_index::NearestOptions;
use memdb_repository::sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};
use memdb_repository::sea_orm::{QueryOrder as _, QuerySelect as _};

use super::Bench;
use super::twins::{Expect, memdb, raw};
use crate::args::Scale;
use crate::dataset_document_index::{DIMS, LARGE_MODEL, SMALL_MODEL, vector};
use crate::rendered::{backend, render};
use crate::report::ResultRow;
use crate::runner::latency;

/// Neighbours a search returns.
const K: usize = 10;

/// The nearest-neighbour workloads `selects` picks; none when the data set holds no index.
///
/// # Errors
/// The first failing call's error.
pub(crate) async fn run(bench: &Bench, selects: impl Fn(&str) -> bool) -> Result<Vec<ResultRow>> {
    let data = bench.data.document_index;
    let mut out = Vec::new();
    for (name, model, documents) in [
        (
            "document_index.nearest 10 (small model)",
            SMALL_MODEL,
            data.small,
        ),
        (
            "document_index.nearest 10 (large model)",
            LARGE_MODEL,
            data.large,
        ),
    ] {
        if documents == 0 || !selects(name) {
            continue;
        }
        // A search reads every vector of its model: over 100,000 documents, few short
        // batches keep the run within its budget.
        let scale = Scale {
            iterations: (bench.scale.iterations * 1_000 / documents.max(1_000)).max(20),
            batch: (bench.scale.batch * 1_000 / documents.max(1_000)).max(5),
            ..bench.scale
        };
        let (vectors_sql, vectors_params) = render(
            backend(&bench.raw),
            &document_index::Entity::find()
                .select_only()
                .column(document_index::Column::Id)
                .column(document_index::Column::Embedding)
                .filter(document_index::Column::EmbeddingModel.eq(model))
                .filter(document_index::Column::EmbeddingDims.eq(DIMS as i32))
                .order_by_asc(document_index::Column::Id),
        )?;
        let sides = vec![
            memdb(bench, Expect::Some, move |r, i| async move {
                let query = vector(u64::MAX - i);
                let found = r
                    .document_index
                    .nearest(model, &query, K, NearestOptions::default())
                    .await?;
                ensure!(
                    found.len() == K,
                    "found {} neighbours, not {K}",
                    found.len()
                );
                Ok(found.len())
            }),
            raw(
                bench,
                "raw: the model's vectors in one SELECT, unscored",
                Expect::Some,
                &vectors_sql,
                move |_| vectors_params.clone(),
            ),
        ];
        out.extend(latency(name, documents, &scale, &sides).await?);
    }
    Ok(out)
}
