//! The document index of the data set (seed 002's semantic search): two embedding models in
//! one table, each document indexed through `upsert` then embedded through `set_embedding`
//! with a [`DIMS`]-dimensional vector drawn from the generator. [`SMALL_MODEL`] embeds
//! [`Scale::small_documents`] documents (1,000: seed 002's target size), [`LARGE_MODEL`]
//! [`Scale::documents`] (the run's rows), so a search of either model reads its own documents
//! among all the others.
//!
//! [`Scale::small_documents`]: crate::args::Scale
//! [`Scale::documents`]: crate::args::Scale

use std::future::Future;

use anyhow::Result;
use memdb_enhanced_repository::document_index::{DocumentKey, IndexDocument};
use memdb_enhanced_repository::{EnhancedRepositories, RepoResult};
use serde_json::json;

use crate::dataset::load;
use crate::rng::SplitMix64;

/// The dimension of every embedding (a common sentence-embedding size).
pub(crate) const DIMS: usize = 768;

/// The model of the 1,000-document set.
pub(crate) const SMALL_MODEL: &str = "bench-small";

/// The model of the run-sized set.
pub(crate) const LARGE_MODEL: &str = "bench-large";

/// Document types (the metadata's `team` takes as many values).
const TYPES: u64 = 4;

/// Calls of a write made before a retryable error fails the load.
const ATTEMPTS: u32 = 5;

/// The seed of the vectors (the other tables use 1 to 13).
const SEED: u64 = 14;

/// The documents loaded for each model.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct DocumentIndexData {
    /// Documents embedded by [`SMALL_MODEL`].
    pub(crate) small: u64,
    /// Documents embedded by [`LARGE_MODEL`].
    pub(crate) large: u64,
}

/// A vector of [`DIMS`] components in -1 to 1 with every bit of their mantissas drawn from
/// the generator seeded with `seed`: as incompressible as a real model's output.
pub(crate) fn vector(seed: u64) -> Vec<f32> {
    let mut rng = SplitMix64::new(SEED ^ seed.rotate_left(17));
    let mut half = || f32::from(u16::try_from(rng.below(1 << 16)).unwrap_or_default());
    (0..DIMS)
        .map(|_| (half() + half() / 65_536.0) / 32_768.0 - 1.0)
        .collect()
}

/// The indexed file of document `i` of `model`.
fn document(model: &str, i: u64) -> IndexDocument {
    let mut rng = SplitMix64::new(SEED ^ (i << 12) ^ model.len() as u64);
    IndexDocument {
        file_path: format!("docs/{model}/{:03}/{i:07}.md", i % 1_000),
        title: rng.text(5),
        document_type: Some(format!("type{}", i % TYPES)),
        content_hash: format!(
            "{:016x}{:016x}{:016x}{i:016x}",
            rng.next_u64(),
            rng.next_u64(),
            rng.next_u64()
        ),
        chunk_count: 1 + rng.below(20) as u32,
        metadata: json!({ "team": format!("team{}", rng.below(TYPES)) }),
    }
}

/// `call`, made again while it fails with a retryable error (a SQLite write that waited out
/// the busy timeout behind the other loaders), at most [`ATTEMPTS`] times.
async fn retrying<T, F, Fut>(call: F) -> RepoResult<T>
where
    F: Fn() -> Fut,
    Fut: Future<Output = RepoResult<T>>,
{
    let mut attempt = 1;
    loop {
        match call().await {
            Err(err) if err.is_retryable() && attempt < ATTEMPTS => {
                eprintln!("    retrying ({err})");
                attempt += 1;
            }
            done => return done,
        }
    }
}

/// Loads `small` documents of [`SMALL_MODEL`] and `large` of [`LARGE_MODEL`] from concurrent
/// callers.
///
/// # Errors
/// The first failing call's error.
pub(crate) async fn build(
    repos: &EnhancedRepositories,
    small: u64,
    large: u64,
) -> Result<DocumentIndexData> {
    for (label, model, count) in [
        ("index documents (small model)", SMALL_MODEL, small),
        ("index documents (large model)", LARGE_MODEL, large),
    ] {
        load(label, count, repos, move |r, i| async move {
            let file = document(model, i);
            let path = file.file_path.clone();
            let row = retrying(|| r.document_index.upsert(file.clone()))
                .await?
                .into_document();
            let embedding = vector(i ^ (model.len() as u64) << 40);
            let key = DocumentKey::Path(path);
            retrying(|| {
                r.document_index
                    .set_embedding(key.clone(), model, &embedding)
            })
            .await?;
            Ok(row.id.as_uuid())
        })
        .await?;
    }
    Ok(DocumentIndexData { small, large })
}
