//! [`OrganizationRepository`] audited.

use async_trait::async_trait;
use memdb_repository::organizations::{NewOrganization, Organization, OrganizationUpdate};
use memdb_repository::{Executor, OrganizationId, OrganizationRepository, Page, RepoResult};

use super::entities::ORGANIZATION;
use memdb_entity::organizations;

use super::{Audited, Change, OnTransaction, lock_row};

#[async_trait]
impl<R, C> OrganizationRepository for Audited<R, C>
where
    R: OrganizationRepository + OnTransaction,
    R::Transactional: OrganizationRepository,
    C: Executor,
{
    async fn create(&self, input: NewOrganization) -> RepoResult<Organization> {
        self.change(|repo, _tx| async move {
            let created = repo.create(input).await?;
            let change = Change::created(ORGANIZATION, created.id, &created)?;
            Ok((created, change))
        })
        .await
    }

    async fn get(&self, id: OrganizationId) -> RepoResult<Organization> {
        self.inner.get(id).await
    }

    async fn get_by_slug(&self, slug: &str) -> RepoResult<Organization> {
        self.inner.get_by_slug(slug).await
    }

    async fn list(&self, page: Page) -> RepoResult<Vec<Organization>> {
        self.inner.list(page).await
    }

    async fn update(
        &self,
        id: OrganizationId,
        update: OrganizationUpdate,
    ) -> RepoResult<Organization> {
        self.change(|repo, tx| async move {
            lock_row::<organizations::Entity>(&tx, id).await?;
            let before = repo.get(id).await?;
            let after = repo.update(id, update).await?;
            let change = Change::updated(ORGANIZATION, id, &before, &after)?;
            Ok((after, change))
        })
        .await
    }

    async fn delete(&self, id: OrganizationId) -> RepoResult<()> {
        self.change(|repo, tx| async move {
            lock_row::<organizations::Entity>(&tx, id).await?;
            let before = repo.get(id).await?;
            repo.delete(id).await?;
            Ok(((), Change::deleted(ORGANIZATION, id, &before)?))
        })
        .await
    }
}
