//! Documents, each owned by an organization.

mod bulk;
mod sea_orm;

pub use self::sea_orm::{SeaOrmDocumentRepository, content_hash};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::RepoResult;
use crate::ids::{DocumentId, OrganizationId};
use crate::page::Page;

/// A stored document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Its id.
    pub id: DocumentId,
    /// The owning organization.
    pub organization_id: OrganizationId,
    /// Path, unique within the organization.
    pub path: String,
    /// Title.
    pub title: String,
    /// Kind of document, e.g. `markdown`.
    pub doc_type: String,
    /// The text.
    pub content: String,
    /// SHA-256 of `content` as 64 lowercase hex digits, computed by the repository.
    pub content_hash: String,
    /// Length of `content` in bytes (UTF-8).
    pub size_bytes: u64,
    /// Free-form JSON object.
    pub metadata: serde_json::Value,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// Input of [`DocumentRepository::create`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewDocument {
    /// The owning organization; must exist.
    pub organization_id: OrganizationId,
    /// 1 to 512 characters, not blank, stored in Unicode NFC (so a path typed with combining
    /// accents finds the same document); unique within the organization.
    pub path: String,
    /// 1 to 500 characters after trimming, with a visible character; stored trimmed and in NFC.
    pub title: String,
    /// A label: 1 to 64 of lowercase letters, digits, `_ - . :`.
    pub doc_type: String,
    /// The text (may be empty, must not contain NUL).
    pub content: String,
    /// A JSON object: no NUL in any string or key, arrays and objects nested at most 127 deep.
    pub metadata: serde_json::Value,
}

/// Filter of [`DocumentRepository::list`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentFilter {
    /// Only documents of this type.
    pub doc_type: Option<String>,
}

/// Documents and organizations.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait DocumentRepository: Send + Sync {
    /// Stores a document, computing its content hash and size.
    ///
    /// # Errors
    /// `Validation` for bad input (including a NUL character in any text or in the metadata) or
    /// an unknown organization (field `organization_id`); `Conflict` (`Duplicate`) when the path
    /// already exists in the organization.
    async fn create(&self, input: NewDocument) -> RepoResult<Document>;

    /// Stores many documents at once, all or none, in one transaction with multi-row inserts,
    /// and returns them in input order (as [`get`](Self::get) would return them). Each input
    /// follows the rules of [`create`](Self::create); every input is checked before anything
    /// is written. Empty input returns an empty list without touching the database.
    ///
    /// # Errors
    /// `Validation` for the first bad input, its reason starting with `input <index>:`, or
    /// naming the first input whose organization does not exist (field `organization_id`);
    /// `Conflict` (`Duplicate`) when two inputs share an organization and path, or a path
    /// already exists in its organization. Nothing is written then.
    async fn create_many(&self, inputs: Vec<NewDocument>) -> RepoResult<Vec<Document>>;

    /// The document with this id.
    ///
    /// # Errors
    /// `NotFound` when there is none.
    async fn get(&self, id: DocumentId) -> RepoResult<Document>;

    /// The document at `path` in an organization (`path` compared in Unicode NFC).
    ///
    /// # Errors
    /// `NotFound` when there is none; `Validation` for a path containing NUL.
    async fn get_by_path(
        &self,
        organization_id: OrganizationId,
        path: &str,
    ) -> RepoResult<Document>;

    /// Replaces a document's content, recomputing hash and size.
    ///
    /// # Errors
    /// `Validation` for content containing NUL; `NotFound` when there is no such document.
    async fn update_content(&self, id: DocumentId, content: String) -> RepoResult<Document>;

    /// An organization's documents in path order.
    ///
    /// # Errors
    /// `Validation` for a bad `doc_type` filter.
    async fn list(
        &self,
        organization_id: OrganizationId,
        filter: DocumentFilter,
        page: Page,
    ) -> RepoResult<Vec<Document>>;

    /// The documents whose content has this SHA-256 (64 hex digits), by organization and path.
    ///
    /// # Errors
    /// `Validation` when `content_hash` is not 64 hex digits.
    async fn find_by_hash(&self, content_hash: &str, page: Page) -> RepoResult<Vec<Document>>;

    /// Documents whose title or content contains `query`, optionally within one organization,
    /// in path order. `%` and `_` match themselves. Matching is case-insensitive for ASCII on
    /// SQLite and for all of Unicode on PostgreSQL (both sides go through the database's
    /// `LOWER`, which on PostgreSQL follows the database's `LC_CTYPE`, normally a UTF-8
    /// locale), so on SQLite non-ASCII letters must match in case.
    ///
    /// # Errors
    /// `Validation` for an empty query.
    async fn search(
        &self,
        organization_id: Option<OrganizationId>,
        query: &str,
        page: Page,
    ) -> RepoResult<Vec<Document>>;

    /// Deletes a document.
    ///
    /// # Errors
    /// `NotFound` when there is none.
    async fn delete(&self, id: DocumentId) -> RepoResult<()>;
}
