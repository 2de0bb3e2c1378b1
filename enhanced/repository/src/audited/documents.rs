//! [`DocumentRepository`] audited.

use async_trait::async_trait;
use memdb_repository::documents::{Document, DocumentFilter, NewDocument};
use memdb_repository::{
    DocumentId, DocumentRepository, Executor, OrganizationId, Page, RepoResult,
};

use super::entities::DOCUMENT;
use memdb_entity::documents;

use super::{Audited, Change, OnTransaction, lock_row};

#[async_trait]
impl<R, C> DocumentRepository for Audited<R, C>
where
    R: DocumentRepository + OnTransaction,
    R::Transactional: DocumentRepository,
    C: Executor,
{
    async fn create(&self, input: NewDocument) -> RepoResult<Document> {
        self.change(|repo, _tx| async move {
            let created = repo.create(input).await?;
            let change = Change::created(DOCUMENT, created.id, &created)?;
            Ok((created, change))
        })
        .await
    }

    async fn create_many(&self, inputs: Vec<NewDocument>) -> RepoResult<Vec<Document>> {
        self.changes(|repo, _tx| async move {
            let created = repo.create_many(inputs).await?;
            let changes = created
                .iter()
                .map(|document| Change::created(DOCUMENT, document.id, document))
                .collect::<RepoResult<_>>()?;
            Ok((created, changes))
        })
        .await
    }

    async fn get(&self, id: DocumentId) -> RepoResult<Document> {
        self.inner.get(id).await
    }

    async fn get_by_path(
        &self,
        organization_id: OrganizationId,
        path: &str,
    ) -> RepoResult<Document> {
        self.inner.get_by_path(organization_id, path).await
    }

    async fn update_content(&self, id: DocumentId, content: String) -> RepoResult<Document> {
        self.change(|repo, tx| async move {
            lock_row::<documents::Entity>(&tx, id).await?;
            let before = repo.get(id).await?;
            let after = repo.update_content(id, content).await?;
            let change = Change::updated(DOCUMENT, id, &before, &after)?;
            Ok((after, change))
        })
        .await
    }

    async fn list(
        &self,
        organization_id: OrganizationId,
        filter: DocumentFilter,
        page: Page,
    ) -> RepoResult<Vec<Document>> {
        self.inner.list(organization_id, filter, page).await
    }

    async fn find_by_hash(&self, content_hash: &str, page: Page) -> RepoResult<Vec<Document>> {
        self.inner.find_by_hash(content_hash, page).await
    }

    async fn search(
        &self,
        organization_id: Option<OrganizationId>,
        query: &str,
        page: Page,
    ) -> RepoResult<Vec<Document>> {
        self.inner.search(organization_id, query, page).await
    }

    async fn delete(&self, id: DocumentId) -> RepoResult<()> {
        self.change(|repo, tx| async move {
            lock_row::<documents::Entity>(&tx, id).await?;
            let before = repo.get(id).await?;
            repo.delete(id).await?;
            Ok(((), Change::deleted(DOCUMENT, id, &before)?))
        })
        .await
    }
}
