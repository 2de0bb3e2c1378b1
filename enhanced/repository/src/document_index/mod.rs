//! The document index (seed 002): one row per indexed file with its content hash, sync status
//! and embedding, and nearest-neighbour search over the embeddings by cosine similarity.
//!
//! ## Sync statuses
//! [`DocumentIndexRepository::upsert`] adds a file as [`SyncStatus::Pending`]. Upserting it
//! again with the same content hash updates its descriptive fields and keeps its status; with
//! another hash the row becomes [`SyncStatus::Stale`]: its embedding no longer describes the
//! content, but it stays (and is still searched) until a new one replaces it.
//! [`DocumentIndexRepository::set_embedding`] stores an embedding and makes the row
//! [`SyncStatus::Synced`]; [`DocumentIndexRepository::mark_failed`] records a failed attempt.
//! A syncer takes its work from [`DocumentIndexRepository::by_status`] in keyset pages.
//!
//! The upsert is one `INSERT .. ON CONFLICT (file_path) DO UPDATE` whose `CASE` picks the new
//! status in the database, so concurrent upserts of one path never fail with a duplicate.
//!
//! ## Embeddings
//! An embedding is stored as its model's name, its dimension and the vector as little-endian
//! `f32` bytes (the same bytes on every backend; every value, `-0.0` and subnormals included,
//! reads back bit for bit). Components must be finite, the vector not all zeros, its dimension
//! 1 to [`EMBEDDING_DIMS`](crate::limits::EMBEDDING_DIMS). A model's dimension is fixed by the
//! first embedding stored with it: one of another dimension is a `Validation` error, checked
//! in the writing transaction (on PostgreSQL under a lock embedding writes of a known model share
//! and a model's first embedding takes alone, so two first embeddings of one model cannot both
//! win). When no row keeps an embedding of a model,
//! its dimension is free again.
//!
//! ## Nearest neighbours
//! [`DocumentIndexRepository::nearest`] walks the model's rows in id order, in keyset batches of
//! [`NearestOptions::batch_size`] rows (only the id and the vector of each, served by the
//! `(embedding_model, embedding_dims, id)` index), keeps the best `k` in a bounded heap and then
//! reads those `k` rows: memory stays bounded by the batch and `k`, never the table. Ties are
//! broken by id, so the result is deterministic. The scan reads committed rows batch by batch;
//! a row changed during the scan is scored as the batch found it.

mod dimension;
mod nearest;
mod sea_orm;
mod types;
mod upsert;
pub mod vector;

pub use self::sea_orm::SeaOrmDocumentIndexRepository;
pub use self::types::{
    DocumentKey, DocumentPage, Embedding, IndexDocument, IndexedDocument, NearestOptions,
    Neighbour, SyncStatus, Upserted,
};

use async_trait::async_trait;
use memdb_repository::RepoResult;

use crate::ids::DocumentIndexId;

/// The document index and its nearest-neighbour search (see the [module docs](self)).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait DocumentIndexRepository: Send + Sync {
    /// Adds the file as [`SyncStatus::Pending`], or updates the row of its path: the same
    /// content hash keeps the status, another makes the row [`SyncStatus::Stale`]. Says which
    /// of these happened; an upsert that changes nothing writes nothing.
    ///
    /// # Errors
    /// `Validation` for a bad path, title, document type, content hash (64 hex digits), chunk
    /// count or metadata (a JSON object).
    async fn upsert(&self, input: IndexDocument) -> RepoResult<Upserted>;

    /// The row with this id.
    ///
    /// # Errors
    /// `NotFound` when there is none.
    async fn get(&self, id: DocumentIndexId) -> RepoResult<IndexedDocument>;

    /// The row of this path.
    ///
    /// # Errors
    /// `Validation` for a bad path; `NotFound` when there is none.
    async fn get_by_path(&self, path: &str) -> RepoResult<IndexedDocument>;

    /// Stores the row's embedding by `model` and makes it [`SyncStatus::Synced`], stamping
    /// `last_synced_at`.
    ///
    /// # Errors
    /// `Validation` (field `model`) for a bad model name, (field `embedding`) for an empty
    /// vector, one longer than [`EMBEDDING_DIMS`](crate::limits::EMBEDDING_DIMS), with a NaN
    /// or infinite component, all zeros, or of another dimension than the model's recorded
    /// one; `NotFound` when there is no such row. Nothing is written then.
    async fn set_embedding(
        &self,
        document: DocumentKey,
        model: &str,
        embedding: &[f32],
    ) -> RepoResult<IndexedDocument>;

    /// Makes the row [`SyncStatus::Failed`] (its embedding, if any, stays).
    ///
    /// # Errors
    /// `Validation` for a bad path; `NotFound` when there is no such row.
    async fn mark_failed(&self, document: DocumentKey) -> RepoResult<IndexedDocument>;

    /// Deletes the row with this id.
    ///
    /// # Errors
    /// `NotFound` when there is none.
    async fn delete(&self, id: DocumentIndexId) -> RepoResult<()>;

    /// The rows in `status`, by id, those after `after`, at most `limit` (1 to
    /// [`Page::MAX_LIMIT`](memdb_repository::Page::MAX_LIMIT)): a syncer's work list.
    ///
    /// # Errors
    /// `Validation` (field `limit`) for a limit out of range.
    async fn by_status(
        &self,
        status: SyncStatus,
        after: Option<DocumentIndexId>,
        limit: u64,
    ) -> RepoResult<DocumentPage>;

    /// The `k` rows embedded by `model` most similar to `query` by cosine similarity, best
    /// first (ties by id), each with its score; empty when no row has an embedding of `model`.
    ///
    /// # Errors
    /// `Validation` (field `model`) for a bad model name, (field `k`) for `k` outside 1 to
    /// [`NEAREST_K`](crate::limits::NEAREST_K), (field `query`) for an empty vector, a NaN or
    /// infinite component, all zeros, or a dimension other than the model's.
    async fn nearest(
        &self,
        model: &str,
        query: &[f32],
        k: usize,
        options: NearestOptions,
    ) -> RepoResult<Vec<Neighbour>>;
}
