//! Every organization call, through `repos.organizations`.

use anyhow::ensure;
use memdb_repository::organizations::{NewOrganization, OrganizationUpdate};
use memdb_repository::{OrganizationId, Page, Repositories};
use serde_json::json;

use crate::check::{Call as _, not_found};

/// Creates this run's organization and reads it back every way there is.
pub(crate) async fn create(repos: &Repositories, run: &str) -> anyhow::Result<OrganizationId> {
    let organizations = &repos.organizations;
    let slug = format!("sibling-{run}");
    let created = organizations
        .create(NewOrganization {
            name: format!("Sibling {run}"),
            slug: slug.clone(),
            metadata: json!({ "run": run }),
        })
        .await
        .call("organizations.create")?;
    let id = created.id;
    let by_id = organizations.get(id).await.call("organizations.get")?;
    ensure!(
        by_id == created,
        "get_organization returned {by_id:?}, created {created:?}"
    );
    let by_slug = organizations
        .get_by_slug(&slug)
        .await
        .call("organizations.get_by_slug")?;
    ensure!(
        by_slug.id == id,
        "get_organization_by_slug found {by_slug:?}"
    );
    let listed = organizations
        .list(Page::new(Page::MAX_LIMIT, 0)?)
        .await
        .call("organizations.list")?;
    ensure!(
        listed.iter().any(|o| o.id == id),
        "list_organizations misses {id}"
    );
    let renamed = organizations
        .update(
            id,
            OrganizationUpdate {
                name: Some(format!("Sibling {run} renamed")),
                metadata: None,
            },
        )
        .await
        .call("organizations.update")?;
    ensure!(
        renamed.name.ends_with("renamed") && renamed.slug == slug && renamed.metadata["run"] == run,
        "update_organization returned {renamed:?}"
    );
    Ok(id)
}

/// Deletes the organization (its documents must be gone) and checks that it is.
pub(crate) async fn delete(repos: &Repositories, id: OrganizationId) -> anyhow::Result<()> {
    let organizations = &repos.organizations;
    organizations
        .delete(id)
        .await
        .call("organizations.delete")?;
    not_found(
        "organizations.get after delete",
        organizations.get(id).await,
    )
}

/// A unit of work that fails half-way leaves nothing behind; one that succeeds commits both
/// of its writes.
pub(crate) async fn unit_of_work(repos: &Repositories, run: &str) -> anyhow::Result<()> {
    let slug = format!("unit-{run}");
    let input = || NewOrganization {
        name: format!("Unit {run}"),
        slug: slug.clone(),
        metadata: json!({}),
    };
    let failed = repos
        .transaction(|tx| async move {
            tx.organizations.create(input()).await?;
            Err::<(), _>(memdb_repository::RepoError::invalid("plan", "abandoned"))
        })
        .await;
    ensure!(failed.is_err(), "the failing unit of work succeeded");
    not_found(
        "organizations.get_by_slug after a rolled-back unit of work",
        repos.organizations.get_by_slug(&slug).await,
    )?;
    let id = repos
        .transaction(|tx| async move {
            let org = tx.organizations.create(input()).await?;
            tx.organizations
                .update(
                    org.id,
                    OrganizationUpdate {
                        name: None,
                        metadata: Some(json!({ "committed": true })),
                    },
                )
                .await?;
            Ok(org.id)
        })
        .await
        .call("Repositories::transaction")?;
    let committed = repos
        .organizations
        .get(id)
        .await
        .call("organizations.get after a unit of work")?;
    ensure!(
        committed.metadata["committed"] == true,
        "the unit of work's update is missing: {committed:?}"
    );
    delete(repos, id).await
}
