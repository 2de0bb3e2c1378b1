//! Every organization call. They live on `DocumentRepository` today; kept together here so they
//! move as one when organizations get a repository of their own.

use anyhow::ensure;
use memdb_repository::documents::{NewOrganization, OrganizationUpdate};
use memdb_repository::{OrganizationId, Page, Repositories};
use serde_json::json;

use crate::check::{Call as _, not_found};

/// Creates this run's organization and reads it back every way there is.
pub(crate) async fn create(repos: &Repositories, run: &str) -> anyhow::Result<OrganizationId> {
    let docs = &repos.documents;
    let slug = format!("sibling-{run}");
    let created = docs
        .create_organization(NewOrganization {
            name: format!("Sibling {run}"),
            slug: slug.clone(),
            metadata: json!({ "run": run }),
        })
        .await
        .call("documents.create_organization")?;
    let id = created.id;
    let by_id = docs
        .get_organization(id)
        .await
        .call("documents.get_organization")?;
    ensure!(
        by_id == created,
        "get_organization returned {by_id:?}, created {created:?}"
    );
    let by_slug = docs
        .get_organization_by_slug(&slug)
        .await
        .call("documents.get_organization_by_slug")?;
    ensure!(
        by_slug.id == id,
        "get_organization_by_slug found {by_slug:?}"
    );
    let listed = docs
        .list_organizations(Page::new(Page::MAX_LIMIT, 0)?)
        .await
        .call("documents.list_organizations")?;
    ensure!(
        listed.iter().any(|o| o.id == id),
        "list_organizations misses {id}"
    );
    let renamed = docs
        .update_organization(
            id,
            OrganizationUpdate {
                name: Some(format!("Sibling {run} renamed")),
                metadata: None,
            },
        )
        .await
        .call("documents.update_organization")?;
    ensure!(
        renamed.name.ends_with("renamed") && renamed.slug == slug && renamed.metadata["run"] == run,
        "update_organization returned {renamed:?}"
    );
    Ok(id)
}

/// Deletes the organization (its documents must be gone) and checks that it is.
pub(crate) async fn delete(repos: &Repositories, id: OrganizationId) -> anyhow::Result<()> {
    let docs = &repos.documents;
    docs.delete_organization(id)
        .await
        .call("documents.delete_organization")?;
    not_found(
        "documents.get_organization after delete",
        docs.get_organization(id).await,
    )
}
