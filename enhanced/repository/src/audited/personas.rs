//! [`PersonaRepository`] audited. Activation changes are audited like content changes.

use async_trait::async_trait;
use memdb_repository::personas::{NewPersona, Persona, PersonaFilter, PersonaUpdate};
use memdb_repository::{Executor, Page, PersonaId, PersonaRepository, RepoResult};

use super::entities::PERSONA;
use memdb_entity::personas;

use super::{Audited, Change, OnTransaction, lock_row};

#[async_trait]
impl<R, C> PersonaRepository for Audited<R, C>
where
    R: PersonaRepository + OnTransaction,
    R::Transactional: PersonaRepository,
    C: Executor,
{
    async fn create(&self, input: NewPersona) -> RepoResult<Persona> {
        self.change(|repo, _tx| async move {
            let created = repo.create(input).await?;
            let change = Change::created(PERSONA, created.id, &created)?;
            Ok((created, change))
        })
        .await
    }

    async fn get(&self, id: PersonaId) -> RepoResult<Persona> {
        self.inner.get(id).await
    }

    async fn get_by_name(&self, name: &str) -> RepoResult<Persona> {
        self.inner.get_by_name(name).await
    }

    async fn list(&self, filter: PersonaFilter, page: Page) -> RepoResult<Vec<Persona>> {
        self.inner.list(filter, page).await
    }

    async fn update(&self, id: PersonaId, update: PersonaUpdate) -> RepoResult<Persona> {
        self.change(|repo, tx| async move {
            lock_row::<personas::Entity>(&tx, id).await?;
            let before = repo.get(id).await?;
            let after = repo.update(id, update).await?;
            let change = Change::updated(PERSONA, id, &before, &after)?;
            Ok((after, change))
        })
        .await
    }

    async fn set_active(&self, id: PersonaId, active: bool) -> RepoResult<Persona> {
        self.change(|repo, tx| async move {
            lock_row::<personas::Entity>(&tx, id).await?;
            let before = repo.get(id).await?;
            let after = repo.set_active(id, active).await?;
            let change = Change::updated(PERSONA, id, &before, &after)?;
            Ok((after, change))
        })
        .await
    }

    async fn delete(&self, id: PersonaId) -> RepoResult<()> {
        self.change(|repo, tx| async move {
            lock_row::<personas::Entity>(&tx, id).await?;
            let before = repo.get(id).await?;
            repo.delete(id).await?;
            Ok(((), Change::deleted(PERSONA, id, &before)?))
        })
        .await
    }
}
