//! Versioned memory entries: JSON values stored under a namespace and a key, every write a new
//! version.
//!
//! ## Versions
//! Each write of an entry (put, restore, delete, undelete) adds a row with the next version
//! number, 1 for the first; the row with the highest version is the entry's current state and
//! older rows are its history. A put may name the version it expects to replace
//! (compare-and-set): when another write came first it fails with a
//! [`ConflictKind::StaleVersion`](memdb_repository::ConflictKind) conflict and writes nothing.
//! Writes that race without naming a version each get their own version number: the unique
//! `(namespace, key, version)` index refuses a second row with the same number and the losing
//! write is tried again on the new latest version (a few times, then it reports a
//! [`ConflictKind::Duplicate`](memdb_repository::ConflictKind) conflict). No version is ever
//! written twice and no write is lost silently.
//!
//! ## Deleting
//! [`MemoryRepository::delete`] is a soft delete recorded **as a new version** flagged
//! `is_deleted` (it keeps the value it hides), so the history shows when and by whom an entry
//! was deleted; [`MemoryRepository::undelete`] adds a live version with that value again. A
//! deleted entry is invisible to [`MemoryRepository::get`] and to listings; its history and
//! versions stay readable. [`MemoryRepository::purge`] removes every version for good.
//!
//! ## Expiry
//! A put may give the entry a time to live: the new version's `expires_at`. Restores, deletes
//! and undeletes keep the expiry of the version they follow; a put without one makes the entry
//! permanent again. Once the latest version's `expires_at` has passed, the entry is invisible to
//! every read (its history and versions included) on both backends: reads compare against the
//! current time taken by memdb and sent as a bound value, never the database's clock.
//! [`MemoryRepository::sweep_expired`] removes expired entries, every version, in bounded
//! batches. A put on an expired entry starts it afresh (as a create) and continues its
//! version numbers until a sweep removed them.
//!
//! ## Namespaces and keys
//! See [`namespace`] for the rules: `:`-separated segments of printable ASCII, bounded
//! lengths. Listings by prefix are segment-safe: prefix `user:al` lists `user:al` and
//! `user:al:*`, never `user:alice`, and no character is a wildcard.
//!
//! ## Audit
//! Every write (put, `put_many`, restore, delete, undelete, purge) appends an entry per entry
//! written to the audit log
//! (entity [`entities::MEMORY_ENTRY`](crate::audited::entities::MEMORY_ENTRY), id
//! `<namespace>/<key>`) in the same transaction: when either fails, neither is written. Sweeps
//! of expired entries are maintenance and are not audited.
//!
//! ## Defaults
//! [`defaults`] holds the entries a fresh database starts with and
//! [`defaults::seed_memory_defaults`], which writes those that are missing (`memdb init`).
//!
//! ## Access scope
//! [`ScopedMemory`] is a handle for one user: it reads and writes `user:<id>` and
//! `user:<id>:*` only, and reads `app` and `app:*` too.

mod bulk;
pub mod defaults;
pub mod namespace;
mod scoped;
mod sea_orm;
mod write;

pub use self::scoped::{APP_ROOT, ScopedMemory, USER_ROOT};
pub(crate) use self::sea_orm::LATEST;
pub use self::sea_orm::SeaOrmMemoryRepository;

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use memdb_repository::{Page, RepoResult};
use serde::{Deserialize, Serialize};

use crate::ids::MemoryEntryId;

memdb_repository::db_enum! {
    /// What kind of memory an entry holds.
    pub enum MemoryType: "memory type" {
        /// Facts and knowledge.
        Semantic => "semantic",
        /// Things that happened.
        Episodic => "episodic",
        /// How to do things: workflows, policies.
        Procedural => "procedural",
    }
}

/// One version of a memory entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemoryEntry {
    /// The id of this version's row.
    pub id: MemoryEntryId,
    /// The namespace.
    pub namespace: String,
    /// The key within the namespace.
    pub key: String,
    /// The value.
    pub value: serde_json::Value,
    /// What kind of memory it is.
    pub memory_type: MemoryType,
    /// This version's number, from 1.
    pub version: u32,
    /// Whether this version is a soft delete.
    pub is_deleted: bool,
    /// A JSON object of the caller's.
    pub metadata: serde_json::Value,
    /// Who wrote the entry's first version.
    pub created_by: String,
    /// Who wrote this version.
    pub updated_by: String,
    /// When the entry's first version was written.
    pub created_at: DateTime<Utc>,
    /// When this version was written.
    pub updated_at: DateTime<Utc>,
    /// When the entry expires, if it does.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Input of [`MemoryRepository::put`].
#[derive(Clone, Debug, PartialEq)]
pub struct PutMemory {
    /// See [`namespace`] for the rules.
    pub namespace: String,
    /// 1 to [`MEMORY_KEY`](crate::limits::MEMORY_KEY) characters, not blank, no NUL; stored in
    /// Unicode NFC.
    pub key: String,
    /// Any JSON value without NUL, nested at most 127 deep.
    pub value: serde_json::Value,
    /// What kind of memory it is.
    pub memory_type: MemoryType,
    /// A JSON object.
    pub metadata: serde_json::Value,
    /// How long the entry lives from now: 1 millisecond to 100 years. `None`: for ever.
    pub ttl: Option<Duration>,
    /// The version the put replaces (0: the entry must have no version yet); `None` writes
    /// whatever the latest version is.
    pub expected_version: Option<u32>,
}

impl PutMemory {
    /// A put of `value` under `namespace` and `key`, with empty metadata, no expiry and no
    /// expected version.
    #[must_use]
    pub fn new(
        namespace: impl Into<String>,
        key: impl Into<String>,
        memory_type: MemoryType,
        value: serde_json::Value,
    ) -> Self {
        Self {
            namespace: namespace.into(),
            key: key.into(),
            value,
            memory_type,
            metadata: serde_json::json!({}),
            ttl: None,
            expected_version: None,
        }
    }
}

/// Where a listing page ends: the namespace and key of its last entry. The next page starts
/// after it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryCursor {
    /// The last entry's namespace.
    pub namespace: String,
    /// The last entry's key.
    pub key: String,
}

/// One page of a listing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemoryPage {
    /// The latest versions of live entries, by namespace then key (bytewise).
    pub entries: Vec<MemoryEntry>,
    /// Where to continue, when the page is full.
    pub next: Option<MemoryCursor>,
}

/// Versioned memory entries (see the [module docs](self)).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait MemoryRepository: Send + Sync {
    /// Writes a new version of the entry (version 1 when it has none).
    ///
    /// # Errors
    /// `Validation` for a bad namespace, key, value, metadata or ttl; `Conflict` of kind
    /// `StaleVersion` when `expected_version` is not the latest version, of kind `Duplicate`
    /// when racing writers kept taking the next version first.
    async fn put(&self, input: PutMemory) -> RepoResult<MemoryEntry>;

    /// Writes the first version of every entry of `inputs`, none of which may have a version
    /// yet (an expired entry that no sweep removed has one), in one transaction: multi-row
    /// inserts sized under the backend's parameter limit, and one `Create` audit entry per
    /// entry, written together. Returns the entries in input order. An input's
    /// `expected_version` may be `None` or `Some(0)`. Every input is checked before anything
    /// is written; on any error nothing is.
    ///
    /// # Errors
    /// `Validation` as for [`MemoryRepository::put`], and for an `expected_version` above 0,
    /// its reason naming the input (`input 3: ...`); `Conflict` of kind `Duplicate` naming the
    /// input when the batch holds an entry twice or an entry has a version already.
    async fn put_many(&self, inputs: Vec<PutMemory>) -> RepoResult<Vec<MemoryEntry>>;

    /// The latest version of a live, unexpired entry; `None` for an entry that is missing,
    /// deleted or expired.
    ///
    /// # Errors
    /// `Validation` for a bad namespace or key.
    async fn get(&self, namespace: &str, key: &str) -> RepoResult<Option<MemoryEntry>>;

    /// Version `version` of an unexpired entry (a deleted one included).
    ///
    /// # Errors
    /// `Validation` for a bad namespace or key.
    async fn get_version(
        &self,
        namespace: &str,
        key: &str,
        version: u32,
    ) -> RepoResult<Option<MemoryEntry>>;

    /// The versions of an unexpired entry, newest first; empty for an expired or missing one.
    ///
    /// # Errors
    /// `Validation` for a bad namespace or key.
    async fn history(&self, namespace: &str, key: &str, page: Page)
    -> RepoResult<Vec<MemoryEntry>>;

    /// Writes version `version`'s value, type and metadata as a new live version.
    ///
    /// # Errors
    /// `Validation` for a bad namespace or key; `NotFound` for an unknown (or expired) entry
    /// or version; `Conflict` as for [`MemoryRepository::put`].
    async fn restore(&self, namespace: &str, key: &str, version: u32) -> RepoResult<MemoryEntry>;

    /// Soft-deletes the entry: a new version flagged deleted, returned.
    ///
    /// # Errors
    /// `Validation` for a bad namespace or key; `NotFound` for an unknown or expired entry;
    /// `Conflict` of kind `WrongState` when it is deleted already.
    async fn delete(&self, namespace: &str, key: &str) -> RepoResult<MemoryEntry>;

    /// Brings a soft-deleted entry back: a new live version with the value it had.
    ///
    /// # Errors
    /// `Validation` for a bad namespace or key; `NotFound` for an unknown or expired entry;
    /// `Conflict` of kind `WrongState` when it is not deleted.
    async fn undelete(&self, namespace: &str, key: &str) -> RepoResult<MemoryEntry>;

    /// Removes every version of the entry for good (expired or deleted ones too); returns how
    /// many versions went.
    ///
    /// # Errors
    /// `Validation` for a bad namespace or key; `NotFound` when it has no version.
    async fn purge(&self, namespace: &str, key: &str) -> RepoResult<u64>;

    /// The latest versions of live, unexpired entries in namespace `prefix` and the namespaces
    /// below it, by namespace then key, `limit` at most (1 to 1000), after `after`.
    ///
    /// # Errors
    /// `Validation` for a bad prefix, cursor or limit.
    async fn list(
        &self,
        prefix: &str,
        after: Option<MemoryCursor>,
        limit: u64,
    ) -> RepoResult<MemoryPage>;

    /// Removes up to `batch` expired entries (1 to
    /// [`MEMORY_SWEEP_BATCH`](crate::limits::MEMORY_SWEEP_BATCH)), every version of each, the
    /// longest expired first; returns how many versions went. Call again until it returns 0.
    ///
    /// # Errors
    /// `Validation` for a batch out of range.
    async fn sweep_expired(&self, batch: u64) -> RepoResult<u64>;
}
