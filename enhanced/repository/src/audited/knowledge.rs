//! [`KnowledgeRepository`] audited.
//!
//! `get` records an access (a count and a time) but is a read to its caller: it is not audited.
//! Deleting an item also deletes its edges; the entry holds the item's image.

use async_trait::async_trait;
use memdb_repository::knowledge::{
    KnowledgeItem, KnowledgeQuery, Neighbour, NeighbourQuery, NewKnowledge, NewRelationship,
    Relationship, ScoreUpdate,
};
use memdb_repository::{Executor, KnowledgeId, KnowledgeRepository, Page, RepoResult};

use super::entities::{KNOWLEDGE_ITEM, KNOWLEDGE_RELATIONSHIP};
use memdb_entity::knowledge_items;

use super::{Audited, Change, OnTransaction, lock_row};

/// The entry of a created edge, keyed `<source id>/<target id>/<relationship type>`.
fn edge_created(edge: &Relationship) -> RepoResult<Change> {
    let key = format!(
        "{}/{}/{}",
        edge.source_id, edge.target_id, edge.relationship_type
    );
    Change::created(KNOWLEDGE_RELATIONSHIP, key, edge)
}

#[async_trait]
impl<R, C> KnowledgeRepository for Audited<R, C>
where
    R: KnowledgeRepository + OnTransaction,
    R::Transactional: KnowledgeRepository,
    C: Executor,
{
    async fn add(&self, input: NewKnowledge) -> RepoResult<KnowledgeItem> {
        self.change(|repo, _tx| async move {
            let added = repo.add(input).await?;
            let change = Change::created(KNOWLEDGE_ITEM, added.id, &added)?;
            Ok((added, change))
        })
        .await
    }

    async fn add_many(&self, inputs: Vec<NewKnowledge>) -> RepoResult<Vec<KnowledgeItem>> {
        self.changes(|repo, _tx| async move {
            let added = repo.add_many(inputs).await?;
            let changes = added
                .iter()
                .map(|item| Change::created(KNOWLEDGE_ITEM, item.id, item))
                .collect::<RepoResult<_>>()?;
            Ok((added, changes))
        })
        .await
    }

    async fn get(&self, id: KnowledgeId) -> RepoResult<KnowledgeItem> {
        self.inner.get(id).await
    }

    async fn peek(&self, id: KnowledgeId) -> RepoResult<KnowledgeItem> {
        self.inner.peek(id).await
    }

    async fn search(&self, query: KnowledgeQuery, page: Page) -> RepoResult<Vec<KnowledgeItem>> {
        self.inner.search(query, page).await
    }

    async fn top_by_retention(
        &self,
        n: u64,
        knowledge_type: Option<String>,
    ) -> RepoResult<Vec<KnowledgeItem>> {
        self.inner.top_by_retention(n, knowledge_type).await
    }

    async fn update_scores(
        &self,
        id: KnowledgeId,
        update: ScoreUpdate,
    ) -> RepoResult<KnowledgeItem> {
        self.change(|repo, tx| async move {
            // `peek`, not `get`: reading the before image is no access.
            lock_row::<knowledge_items::Entity>(&tx, id).await?;
            let before = repo.peek(id).await?;
            let after = repo.update_scores(id, update).await?;
            let change = Change::updated(KNOWLEDGE_ITEM, id, &before, &after)?;
            Ok((after, change))
        })
        .await
    }

    async fn relate(&self, input: NewRelationship) -> RepoResult<Relationship> {
        self.change(|repo, _tx| async move {
            let edge = repo.relate(input).await?;
            let change = edge_created(&edge)?;
            Ok((edge, change))
        })
        .await
    }

    async fn relate_many(&self, inputs: Vec<NewRelationship>) -> RepoResult<Vec<Relationship>> {
        self.changes(|repo, _tx| async move {
            let edges = repo.relate_many(inputs).await?;
            let changes = edges.iter().map(edge_created).collect::<RepoResult<_>>()?;
            Ok((edges, changes))
        })
        .await
    }

    async fn neighbours(
        &self,
        id: KnowledgeId,
        query: NeighbourQuery,
        page: Page,
    ) -> RepoResult<Vec<Neighbour>> {
        self.inner.neighbours(id, query, page).await
    }

    async fn delete(&self, id: KnowledgeId) -> RepoResult<()> {
        self.change(|repo, tx| async move {
            lock_row::<knowledge_items::Entity>(&tx, id).await?;
            let before = repo.peek(id).await?;
            repo.delete(id).await?;
            Ok(((), Change::deleted(KNOWLEDGE_ITEM, id, &before)?))
        })
        .await
    }
}
