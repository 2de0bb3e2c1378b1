//! Rows that several test files need as a starting point.

use memdb_repository::DocumentRepository;
use memdb_repository::documents::{NewOrganization, Organization};
use serde_json::json;

/// An organization named "Acme" with slug `acme` and empty metadata.
pub(crate) async fn acme(repo: &dyn DocumentRepository) -> Organization {
    repo.create_organization(NewOrganization {
        name: "Acme".into(),
        slug: "acme".into(),
        metadata: json!({}),
    })
    .await
    .expect("create organization acme")
}
