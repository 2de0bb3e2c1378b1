//! The document index's domain types: rows, inputs, outcomes and search options.

use chrono::{DateTime, Utc};
use memdb_repository::{RepoError, RepoResult};
use serde::{Deserialize, Serialize};

use crate::filters::MetadataFilter;
use crate::ids::DocumentIndexId;
use crate::limits;

memdb_repository::db_enum! {
    /// Where a row's embedding stands against its content.
    pub enum SyncStatus: "sync status" {
        /// Not embedded yet.
        Pending => "pending",
        /// The embedding describes the current content.
        Synced => "synced",
        /// The last attempt to embed it failed.
        Failed => "failed",
        /// The content changed since it was embedded: the embedding is out of date.
        Stale => "stale",
    }
}

/// An embedding: the model that made it and its vector.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Embedding {
    /// The model's name, as given when it was stored.
    pub model: String,
    /// The vector (its length is the model's dimension).
    pub vector: Vec<f32>,
}

impl Embedding {
    /// The dimension: the vector's length.
    #[must_use]
    pub fn dims(&self) -> usize {
        self.vector.len()
    }
}

/// A row of the document index.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndexedDocument {
    /// Its id.
    pub id: DocumentIndexId,
    /// The file's path, as given.
    pub file_path: String,
    /// Its title.
    pub title: String,
    /// Its kind (a label), if known.
    pub document_type: Option<String>,
    /// SHA-256 of its content, lowercase hex.
    pub content_hash: String,
    /// How many chunks it was split into.
    pub chunk_count: u32,
    /// Its embedding, once stored (in [`nearest`](super::DocumentIndexRepository::nearest)'s
    /// results only when [`NearestOptions::with_vectors`] asked for it).
    pub embedding: Option<Embedding>,
    /// Free-form metadata (a JSON object).
    pub metadata: serde_json::Value,
    /// Where its embedding stands.
    pub sync_status: SyncStatus,
    /// When an embedding was last stored.
    pub last_synced_at: Option<DateTime<Utc>>,
    /// When it was first indexed.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// Input of [`upsert`](super::DocumentIndexRepository::upsert).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexDocument {
    /// Not blank, no NUL, at most [`FILE_PATH`](crate::limits::FILE_PATH) characters and
    /// [`FILE_PATH_BYTES`](crate::limits::FILE_PATH_BYTES) bytes; kept as given.
    pub file_path: String,
    /// At most [`DOCUMENT_TITLE`](crate::limits::DOCUMENT_TITLE) characters with a visible
    /// one; stored trimmed, in Unicode NFC.
    pub title: String,
    /// A label (lowercase ASCII letters, digits, `_ - . :`), if known.
    pub document_type: Option<String>,
    /// SHA-256 of the content: 64 hex digits in either case, stored lowercase.
    pub content_hash: String,
    /// At most `i32::MAX`.
    pub chunk_count: u32,
    /// A JSON object, without NUL and nested at most 127 deep.
    pub metadata: serde_json::Value,
}

/// What [`upsert`](super::DocumentIndexRepository::upsert) did, with the row as it now is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Upserted {
    /// The path was new: a [`SyncStatus::Pending`] row.
    Inserted(IndexedDocument),
    /// The row already said all this: nothing was written.
    Unchanged(IndexedDocument),
    /// Same content hash, other descriptive fields: updated, status kept.
    Updated(IndexedDocument),
    /// Another content hash: updated and made [`SyncStatus::Stale`].
    MadeStale(IndexedDocument),
}

impl Upserted {
    /// The row as it now is.
    #[must_use]
    pub fn document(&self) -> &IndexedDocument {
        match self {
            Self::Inserted(d) | Self::Unchanged(d) | Self::Updated(d) | Self::MadeStale(d) => d,
        }
    }

    /// The row as it now is, owned.
    #[must_use]
    pub fn into_document(self) -> IndexedDocument {
        match self {
            Self::Inserted(d) | Self::Unchanged(d) | Self::Updated(d) | Self::MadeStale(d) => d,
        }
    }
}

/// Which row a write names: its id or its path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DocumentKey {
    /// The row with this id.
    Id(DocumentIndexId),
    /// The row of this path.
    Path(String),
}

impl From<DocumentIndexId> for DocumentKey {
    fn from(id: DocumentIndexId) -> Self {
        Self::Id(id)
    }
}

/// One page of [`by_status`](super::DocumentIndexRepository::by_status).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocumentPage {
    /// The rows, by id (oldest first).
    pub documents: Vec<IndexedDocument>,
    /// The id to pass as `after` for the next page, when this one is full.
    pub next: Option<DocumentIndexId>,
}

/// One result of [`nearest`](super::DocumentIndexRepository::nearest).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Neighbour {
    /// Cosine similarity to the query, in `-1.0..=1.0` (computed in `f64`).
    pub similarity: f64,
    /// The row (its embedding only when asked for).
    pub document: IndexedDocument,
}

/// How [`nearest`](super::DocumentIndexRepository::nearest) searches.
///
/// A metadata pre-filter ([`NearestOptions::with_filter`]) is compiled to SQL and added as one
/// more condition of the batch query: the database skips the rows it excludes, which are never
/// read, scored or held.
#[derive(Clone, Debug, PartialEq)]
pub struct NearestOptions {
    batch_size: u32,
    with_vectors: bool,
    filter: Option<MetadataFilter>,
}

impl Default for NearestOptions {
    /// Batches of [`NEAREST_BATCH`](crate::limits::NEAREST_BATCH) rows, results without their
    /// vectors.
    fn default() -> Self {
        Self {
            batch_size: limits::NEAREST_BATCH,
            with_vectors: false,
            filter: None,
        }
    }
}

impl NearestOptions {
    /// Reads the candidates `rows` at a time: 1 to
    /// [`NEAREST_BATCH_MAX`](crate::limits::NEAREST_BATCH_MAX). Larger batches mean fewer
    /// round trips and more memory.
    ///
    /// # Errors
    /// `Validation` (field `batch_size`) out of range.
    pub fn batch_size(self, rows: u32) -> RepoResult<Self> {
        if rows == 0 || rows > limits::NEAREST_BATCH_MAX {
            return Err(RepoError::invalid(
                "batch_size",
                format!("must be 1 to {}, got {rows}", limits::NEAREST_BATCH_MAX),
            ));
        }
        Ok(Self {
            batch_size: rows,
            ..self
        })
    }

    /// Returns the results with their embeddings.
    #[must_use]
    pub fn with_vectors(self) -> Self {
        Self {
            with_vectors: true,
            ..self
        }
    }

    /// Only documents whose metadata matches `filter` are candidates (see
    /// [`filters`](crate::filters)); an invalid filter makes the search a `Validation` error of
    /// `filter` before anything is read.
    #[must_use]
    pub fn with_filter(self, filter: MetadataFilter) -> Self {
        Self {
            filter: Some(filter),
            ..self
        }
    }

    /// The metadata pre-filter, if any.
    #[must_use]
    pub fn filter(&self) -> Option<&MetadataFilter> {
        self.filter.as_ref()
    }

    /// Rows read per batch.
    #[must_use]
    pub fn rows_per_batch(&self) -> u32 {
        self.batch_size
    }

    /// Whether results carry their embeddings.
    #[must_use]
    pub fn vectors(&self) -> bool {
        self.with_vectors
    }
}
