//! Organizations: the tenants that own documents (and, with the enhanced schema, more).

mod sea_orm;

pub use self::sea_orm::SeaOrmOrganizationRepository;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::RepoResult;
use crate::ids::OrganizationId;
use crate::page::Page;

/// A tenant that owns documents.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    /// Its id.
    pub id: OrganizationId,
    /// Display name, unique.
    pub name: String,
    /// URL-safe key, unique: lowercase letters, digits and `-`.
    pub slug: String,
    /// Free-form JSON object.
    pub metadata: serde_json::Value,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// Input of [`OrganizationRepository::create`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewOrganization {
    /// Display name: 1 to 200 characters after trimming, with a visible character; stored
    /// trimmed and in Unicode NFC; unique.
    pub name: String,
    /// 1 to 64 of `a-z`, `0-9`, `-`, not starting with `-`; unique.
    pub slug: String,
    /// A JSON object (`{}` when there is nothing to say): no NUL in any string or key, arrays
    /// and objects nested at most 127 deep.
    pub metadata: serde_json::Value,
}

/// Changes for [`OrganizationRepository::update`]; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OrganizationUpdate {
    /// New display name.
    pub name: Option<String>,
    /// New metadata object (replaces the old one).
    pub metadata: Option<serde_json::Value>,
}

/// Organizations.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait OrganizationRepository: Send + Sync {
    /// Creates an organization.
    ///
    /// # Errors
    /// `Validation` for a bad name, slug or metadata; `Conflict` (`Duplicate`) when the name
    /// or slug is taken.
    async fn create(&self, input: NewOrganization) -> RepoResult<Organization>;

    /// The organization with this id.
    ///
    /// # Errors
    /// `NotFound` when there is none.
    async fn get(&self, id: OrganizationId) -> RepoResult<Organization>;

    /// The organization with this slug.
    ///
    /// # Errors
    /// `NotFound` when there is none; `Validation` for a slug containing NUL.
    async fn get_by_slug(&self, slug: &str) -> RepoResult<Organization>;

    /// Organizations in name order (by code point on every backend).
    ///
    /// # Errors
    /// `Db` when the query fails.
    async fn list(&self, page: Page) -> RepoResult<Vec<Organization>>;

    /// Renames an organization and/or replaces its metadata.
    ///
    /// # Errors
    /// `NotFound`, `Validation` for bad input, `Conflict` (`Duplicate`) when the new name is
    /// taken.
    async fn update(
        &self,
        id: OrganizationId,
        update: OrganizationUpdate,
    ) -> RepoResult<Organization>;

    /// Deletes an organization that owns no documents.
    ///
    /// # Errors
    /// `NotFound`; `Conflict` (`StillReferenced`) while it still owns documents.
    async fn delete(&self, id: OrganizationId) -> RepoResult<()>;
}
