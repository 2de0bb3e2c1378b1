//! Every document call, on one document of this run's organization.

use anyhow::ensure;
use memdb_repository::documents::{DocumentFilter, NewDocument};
use memdb_repository::{OrganizationId, Page, Repositories, content_hash};
use serde_json::json;

use crate::check::{Call as _, not_found};

/// Creates, reads, finds, changes and deletes a document.
pub(crate) async fn exercise(
    repos: &Repositories,
    organization_id: OrganizationId,
    run: &str,
) -> anyhow::Result<()> {
    let docs = &repos.documents;
    let path = format!("notes/{run}.md");
    let created = docs
        .create(NewDocument {
            organization_id,
            path: path.clone(),
            title: "Sibling notes".to_owned(),
            doc_type: "markdown".to_owned(),
            content: format!("first draft {run}"),
            metadata: json!({ "tags": ["sibling"] }),
        })
        .await
        .call("documents.create")?;
    let id = created.id;
    ensure!(
        created.content_hash == content_hash(&created.content)
            && created.size_bytes == created.content.len() as u64,
        "documents.create stored hash/size {} / {}",
        created.content_hash,
        created.size_bytes
    );
    ensure!(
        docs.get(id).await.call("documents.get")? == created,
        "documents.get differs"
    );
    let at_path = docs
        .get_by_path(organization_id, &path)
        .await
        .call("documents.get_by_path")?;
    ensure!(at_path.id == id, "documents.get_by_path found {at_path:?}");

    let updated = docs
        .update_content(id, format!("second draft {run}"))
        .await
        .call("documents.update_content")?;
    ensure!(
        updated.content_hash == content_hash(&updated.content)
            && updated.content_hash != created.content_hash,
        "documents.update_content kept hash {}",
        updated.content_hash
    );
    let filter = DocumentFilter {
        doc_type: Some("markdown".to_owned()),
    };
    let listed = docs
        .list(organization_id, filter, Page::default())
        .await
        .call("documents.list")?;
    ensure!(
        listed == [updated.clone()],
        "documents.list returned {listed:?}"
    );
    let same_hash = docs
        .find_by_hash(&updated.content_hash, Page::default())
        .await
        .call("documents.find_by_hash")?;
    ensure!(
        same_hash.iter().any(|d| d.id == id),
        "documents.find_by_hash misses {id}"
    );
    let found = docs
        .search(
            Some(organization_id),
            &format!("SECOND DRAFT {run}"),
            Page::default(),
        )
        .await
        .call("documents.search")?;
    ensure!(
        found.len() == 1 && found[0].id == id,
        "documents.search returned {found:?}"
    );

    docs.delete(id).await.call("documents.delete")?;
    not_found("documents.get after delete", docs.get(id).await)
}
