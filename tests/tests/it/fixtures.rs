//! Rows that several test files need as a starting point.

use memdb_repository::OrganizationRepository;
use memdb_repository::organizations::{NewOrganization, Organization};
use serde_json::json;

/// An organization named "Acme" with slug `acme` and empty metadata.
pub(crate) async fn acme(repo: &dyn OrganizationRepository) -> Organization {
    repo.create(NewOrganization {
        name: "Acme".into(),
        slug: "acme".into(),
        metadata: json!({}),
    })
    .await
    .expect("create organization acme")
}
