//! [`KnowledgeRepository`] on `SeaORM`.

use async_trait::async_trait;
use memdb_entity::knowledge_items;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Select,
};

use super::{
    KnowledgeItem, KnowledgeQuery, KnowledgeRepository, Neighbour, NeighbourQuery, NewKnowledge,
    NewRelationship, Relationship, ScoreUpdate, access, bulk, relationships,
};
use crate::error::{RepoError, RepoResult};
use crate::executor::Executor;
use crate::ids::KnowledgeId;
use crate::page::{Page, now, utc};
use crate::query::{delete_by_id, fetch_all, fetch_page, get_by_id, stored_u64, updated_row};
use crate::validate;

const ENTITY: &str = "knowledge item";

crate::sea_orm_repository! {
    /// [`KnowledgeRepository`] on SeaORM.
    SeaOrmKnowledgeRepository
}

impl TryFrom<knowledge_items::Model> for KnowledgeItem {
    type Error = RepoError;

    fn try_from(m: knowledge_items::Model) -> RepoResult<Self> {
        Ok(Self {
            id: m.id.into(),
            content: m.content,
            source: m.source,
            knowledge_type: m.knowledge_type,
            confidence_score: m.confidence_score,
            retention_score: m.retention_score,
            access_count: stored_u64("knowledge access count", m.access_count)?,
            last_accessed: m.last_accessed.map(utc),
            metadata: m.metadata,
            created_at: utc(m.created_at),
            updated_at: utc(m.updated_at),
        })
    }
}

/// A validated optional type filter.
fn type_filter(knowledge_type: Option<&str>) -> RepoResult<Option<String>> {
    knowledge_type
        .map(|t| validate::label("knowledge_type", t))
        .transpose()
}

/// Items of `knowledge_type` (all when `None`), highest retention first, ties in id order so
/// pages never overlap.
fn ranked(knowledge_type: Option<String>) -> Select<knowledge_items::Entity> {
    knowledge_items::Entity::find()
        .apply_if(knowledge_type, |q, t| {
            q.filter(knowledge_items::Column::KnowledgeType.eq(t))
        })
        .order_by_desc(knowledge_items::Column::RetentionScore)
        .order_by_asc(knowledge_items::Column::Id)
}

#[async_trait]
impl<C: Executor> KnowledgeRepository for SeaOrmKnowledgeRepository<C> {
    async fn add(&self, input: NewKnowledge) -> RepoResult<KnowledgeItem> {
        let model = bulk::checked_item(input, now())?
            .into_active_model()
            .reset_all()
            .insert(&self.db)
            .await?;
        model.try_into()
    }

    async fn add_many(&self, inputs: Vec<NewKnowledge>) -> RepoResult<Vec<KnowledgeItem>> {
        bulk::add_many(&self.db, inputs).await
    }

    async fn get(&self, id: KnowledgeId) -> RepoResult<KnowledgeItem> {
        access::record_access(&self.db, id).await
    }

    async fn peek(&self, id: KnowledgeId) -> RepoResult<KnowledgeItem> {
        get_by_id::<knowledge_items::Entity, _>(&self.db, ENTITY, id).await
    }

    async fn search(&self, query: KnowledgeQuery, page: Page) -> RepoResult<Vec<KnowledgeItem>> {
        let pattern = query
            .text
            .as_deref()
            .map(|text| validate::contains_pattern("text", text))
            .transpose()?;
        let knowledge_type = type_filter(query.knowledge_type.as_deref())?;
        let select = ranked(knowledge_type).apply_if(pattern, |q, p| {
            q.filter(validate::contains(knowledge_items::Column::Content, &p))
        });
        fetch_page(select, &self.db, page).await
    }

    async fn top_by_retention(
        &self,
        n: u64,
        knowledge_type: Option<String>,
    ) -> RepoResult<Vec<KnowledgeItem>> {
        if n == 0 || n > Page::MAX_LIMIT {
            return Err(RepoError::invalid(
                "n",
                format!("must be 1 to {}, got {n}", Page::MAX_LIMIT),
            ));
        }
        let knowledge_type = type_filter(knowledge_type.as_deref())?;
        fetch_all(ranked(knowledge_type).limit(n), &self.db).await
    }

    async fn update_scores(
        &self,
        id: KnowledgeId,
        update: ScoreUpdate,
    ) -> RepoResult<KnowledgeItem> {
        let mut changes = knowledge_items::ActiveModel {
            updated_at: Set(now()),
            ..Default::default()
        };
        if let Some(score) = update.confidence_score {
            changes.confidence_score = Set(validate::unit_score("confidence_score", score)?);
        }
        if let Some(score) = update.retention_score {
            changes.retention_score = Set(validate::unit_score("retention_score", score)?);
        }
        let rows = knowledge_items::Entity::update_many()
            .set(changes)
            .filter(knowledge_items::Column::Id.eq(id.as_uuid()))
            .exec_with_returning(&self.db)
            .await?;
        updated_row(rows, ENTITY, id)
    }

    async fn relate(&self, input: NewRelationship) -> RepoResult<Relationship> {
        relationships::relate(&self.db, input).await
    }

    async fn relate_many(&self, inputs: Vec<NewRelationship>) -> RepoResult<Vec<Relationship>> {
        bulk::relate_many(&self.db, inputs).await
    }

    async fn neighbours(
        &self,
        id: KnowledgeId,
        query: NeighbourQuery,
        page: Page,
    ) -> RepoResult<Vec<Neighbour>> {
        relationships::neighbours(&self.db, id, query, page).await
    }

    async fn delete(&self, id: KnowledgeId) -> RepoResult<()> {
        // Edges from and to the item go with it: both foreign keys are ON DELETE CASCADE.
        delete_by_id::<knowledge_items::Entity>(&self.db, ENTITY, id).await
    }
}
