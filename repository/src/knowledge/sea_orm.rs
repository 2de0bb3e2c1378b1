//! [`KnowledgeRepository`] on `SeaORM`.

use async_trait::async_trait;
use memdb_entity::knowledge_items;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Select,
};

use super::{
    KnowledgeItem, KnowledgeQuery, KnowledgeRepository, MAX_CONTENT, MAX_SOURCE, Neighbour,
    NeighbourQuery, NewKnowledge, NewRelationship, Relationship, ScoreUpdate, relationships,
};
use crate::error::{RepoError, RepoResult, updated_row};
use crate::ids::KnowledgeId;
use crate::page::{Page, now, utc};
use crate::validate;

const ENTITY: &str = "knowledge item";

/// [`KnowledgeRepository`] backed by a `SeaORM` connection pool.
#[derive(Clone, Debug)]
pub struct SeaOrmKnowledgeRepository {
    db: DatabaseConnection,
}

impl SeaOrmKnowledgeRepository {
    /// A repository on this connection pool.
    #[must_use]
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

impl From<knowledge_items::Model> for KnowledgeItem {
    fn from(m: knowledge_items::Model) -> Self {
        Self {
            id: m.id.into(),
            content: m.content,
            source: m.source,
            knowledge_type: m.knowledge_type,
            confidence_score: m.confidence_score,
            retention_score: m.retention_score,
            // A CHECK constraint keeps the count non-negative.
            access_count: u64::try_from(m.access_count).unwrap_or_default(),
            last_accessed: m.last_accessed.map(utc),
            metadata: m.metadata,
            created_at: utc(m.created_at),
            updated_at: utc(m.updated_at),
        }
    }
}

fn into_items(models: Vec<knowledge_items::Model>) -> Vec<KnowledgeItem> {
    models.into_iter().map(Into::into).collect()
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
impl KnowledgeRepository for SeaOrmKnowledgeRepository {
    async fn add(&self, input: NewKnowledge) -> RepoResult<KnowledgeItem> {
        validate::non_empty("content", &input.content, MAX_CONTENT)?;
        let source = validate::name("source", &input.source, MAX_SOURCE)?;
        let knowledge_type = validate::label("knowledge_type", &input.knowledge_type)?;
        let confidence = validate::unit_score("confidence_score", input.confidence_score)?;
        let retention = validate::unit_score("retention_score", input.retention_score)?;
        let metadata = validate::json_object("metadata", input.metadata)?;
        let at = now();
        let model = knowledge_items::ActiveModel {
            id: Set(KnowledgeId::new().into()),
            content: Set(input.content),
            source: Set(source),
            knowledge_type: Set(knowledge_type),
            confidence_score: Set(confidence),
            retention_score: Set(retention),
            access_count: Set(0),
            last_accessed: Set(None),
            metadata: Set(metadata),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(&self.db)
        .await?;
        Ok(model.into())
    }

    async fn get(&self, id: KnowledgeId) -> RepoResult<KnowledgeItem> {
        // One UPDATE ... RETURNING: the increment happens in the database, so concurrent reads
        // of the same item never lose a count, and the caller sees the recorded access.
        let rows = knowledge_items::Entity::update_many()
            .col_expr(
                knowledge_items::Column::AccessCount,
                Expr::col(knowledge_items::Column::AccessCount).add(1),
            )
            .col_expr(knowledge_items::Column::LastAccessed, Expr::value(now()))
            .filter(knowledge_items::Column::Id.eq(id.as_uuid()))
            .exec_with_returning(&self.db)
            .await?;
        updated_row(rows, ENTITY, id)
    }

    async fn peek(&self, id: KnowledgeId) -> RepoResult<KnowledgeItem> {
        knowledge_items::Entity::find_by_id(id.as_uuid())
            .one(&self.db)
            .await?
            .map(Into::into)
            .ok_or_else(|| RepoError::not_found(ENTITY, id))
    }

    async fn search(&self, query: KnowledgeQuery, page: Page) -> RepoResult<Vec<KnowledgeItem>> {
        let pattern = query
            .text
            .as_deref()
            .map(|text| validate::contains_pattern("text", text))
            .transpose()?;
        let knowledge_type = type_filter(query.knowledge_type.as_deref())?;
        let models = ranked(knowledge_type)
            .apply_if(pattern, |q, p| {
                q.filter(validate::contains(knowledge_items::Column::Content, &p))
            })
            .limit(page.limit())
            .offset(page.offset())
            .all(&self.db)
            .await?;
        Ok(into_items(models))
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
        let models = ranked(knowledge_type).limit(n).all(&self.db).await?;
        Ok(into_items(models))
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

    async fn neighbours(
        &self,
        id: KnowledgeId,
        query: NeighbourQuery,
    ) -> RepoResult<Vec<Neighbour>> {
        relationships::neighbours(&self.db, id, query).await
    }

    async fn delete(&self, id: KnowledgeId) -> RepoResult<()> {
        // Edges from and to the item go with it: both foreign keys are ON DELETE CASCADE.
        let result = knowledge_items::Entity::delete_by_id(id.as_uuid())
            .exec(&self.db)
            .await?;
        if result.rows_affected == 0 {
            return Err(RepoError::not_found(ENTITY, id));
        }
        Ok(())
    }
}
