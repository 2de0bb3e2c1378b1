//! The audit log: who created, changed or deleted which row, when, with the row's images before
//! and after the change.
//!
//! Every listing is **oldest first** (by time, ids breaking ties). The log only grows at its
//! end, so with offset pages oldest first a page once read keeps its rows while entries are
//! appended; newest first, every append would shift every page by one. For the recent past,
//! list a [`TimeWindow`] that ends now.

mod sea_orm;

pub use self::sea_orm::SeaOrmAuditRepository;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use memdb_repository::{Page, RepoResult};
use serde::{Deserialize, Serialize};

use crate::ids::AuditEntryId;
use crate::window::TimeWindow;

memdb_repository::db_enum! {
    /// What an audited change did to its row.
    pub enum AuditAction: "audit action" {
        /// The row was created: there is an after image and no before image.
        Create => "create",
        /// The row was changed: there is an after image, and a before image unless the caller
        /// could not see the row before the change (a task claim).
        Update => "update",
        /// The row was deleted: there is a before image and no after image.
        Delete => "delete",
    }
}

/// One entry of the audit log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Its id.
    pub id: AuditEntryId,
    /// Who made the change.
    pub actor: String,
    /// What the change did.
    pub action: AuditAction,
    /// The kind of row, a label such as `organization` (see [`crate::audited::entities`]).
    pub entity: String,
    /// The row's id or key, as text.
    pub entity_id: String,
    /// The row before the change, as JSON.
    pub before: Option<serde_json::Value>,
    /// The row after the change, as JSON.
    pub after: Option<serde_json::Value>,
    /// When the entry was appended (the change's transaction was running then).
    pub at: DateTime<Utc>,
}

/// Input of [`AuditRepository::append`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewAuditEntry {
    /// 1 to 200 characters after trimming, with a visible character; stored trimmed and in
    /// Unicode NFC.
    pub actor: String,
    /// What the change did; decides which images must be present (see [`AuditAction`]).
    pub action: AuditAction,
    /// A label: 1 to 64 of lowercase letters, digits, `_ - . :`.
    pub entity: String,
    /// 1 to 200 characters, not blank, stored in Unicode NFC.
    pub entity_id: String,
    /// Any JSON value without NUL, nested at most 127 deep.
    pub before: Option<serde_json::Value>,
    /// Any JSON value without NUL, nested at most 127 deep.
    pub after: Option<serde_json::Value>,
}

/// The audit log.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait AuditRepository: Send + Sync {
    /// Appends an entry stamped with the current time.
    ///
    /// # Errors
    /// `Validation` for a bad actor, entity or entity id, an image that is not storable JSON,
    /// or images that do not fit the action (field `before` or `after`: a create with a before
    /// image, a delete with an after image, a create or update without an after image, a
    /// delete without a before image).
    async fn append(&self, entry: NewAuditEntry) -> RepoResult<AuditEntry>;

    /// Appends every entry, in order, each stamped with the current time: all of them or none.
    /// Every entry is checked before anything is written, and the rows go in as few multi-row
    /// inserts as the backend's bound-parameter limit allows, in one transaction (a savepoint
    /// inside a unit of work). An empty batch writes nothing.
    ///
    /// # Errors
    /// `Validation` for the first entry [`AuditRepository::append`] would refuse, its reason
    /// starting with `input <index>: `; `Db` when the insert fails (nothing is written then).
    async fn append_many(&self, entries: Vec<NewAuditEntry>) -> RepoResult<Vec<AuditEntry>>;

    /// The entries of one row, oldest first.
    ///
    /// # Errors
    /// `Validation` for a bad entity label or entity id.
    async fn for_row(
        &self,
        entity: &str,
        entity_id: &str,
        page: Page,
    ) -> RepoResult<Vec<AuditEntry>>;

    /// The entries of every row of one kind, row by row (by entity id, in the database's
    /// collation) and oldest first within each row.
    ///
    /// # Errors
    /// `Validation` for a bad entity label.
    async fn for_entity(&self, entity: &str, page: Page) -> RepoResult<Vec<AuditEntry>>;

    /// The entries of one actor (compared trimmed and in Unicode NFC, as stored), oldest first.
    ///
    /// # Errors
    /// `Validation` for a bad actor name.
    async fn by_actor(&self, actor: &str, page: Page) -> RepoResult<Vec<AuditEntry>>;

    /// The entries appended within `window`, oldest first.
    ///
    /// # Errors
    /// `Db` when the query fails.
    async fn in_window(&self, window: TimeWindow, page: Page) -> RepoResult<Vec<AuditEntry>>;
}
