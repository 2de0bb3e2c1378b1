//! [`DocumentIndexRepository`] on SeaORM: reads, embedding writes and the work list; the upsert
//! is in `upsert`, the search in `nearest`.

use async_trait::async_trait;
use memdb_enhanced_entity::document_index::{self, Column, Entity};
use memdb_repository::query::{
    convert_all, delete_by_id, get_by_id, one_or_not_found, stored_u32, updated_row,
};
use memdb_repository::{Executor, Page, RepoError, RepoResult, now, stored_enum, utc, validate};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};

use super::dimension::embedding_transaction;
use super::vector::{self, checked};
use super::{
    DocumentIndexRepository, DocumentKey, DocumentPage, Embedding, IndexDocument, IndexedDocument,
    NearestOptions, Neighbour, SyncStatus, Upserted,
};
use crate::ids::DocumentIndexId;
use crate::{input, limits};

pub(super) const ENTITY: &str = "indexed document";

memdb_repository::sea_orm_repository! {
    /// [`DocumentIndexRepository`] on SeaORM.
    SeaOrmDocumentIndexRepository
}

impl TryFrom<document_index::Model> for IndexedDocument {
    type Error = RepoError;

    fn try_from(m: document_index::Model) -> RepoResult<Self> {
        let embedding = match (m.embedding_model, m.embedding_dims, m.embedding) {
            (Some(model), Some(dims), Some(bytes)) => {
                let vector = vector::from_bytes(&bytes)
                    .filter(|v| i32::try_from(v.len()).is_ok_and(|n| n == dims))
                    .ok_or_else(|| RepoError::corrupt("embedding length", bytes.len()))?;
                Some(Embedding { model, vector })
            }
            (None, None, None) => None,
            (model, _, _) => {
                return Err(RepoError::corrupt(
                    "embedding",
                    format!("model {model:?} without a complete vector"),
                ));
            }
        };
        Ok(Self {
            id: m.id.into(),
            file_path: m.file_path,
            title: m.title,
            document_type: m.document_type,
            content_hash: m.content_hash,
            chunk_count: stored_u32("chunk count", m.chunk_count)?,
            embedding,
            metadata: m.metadata,
            sync_status: stored_enum("sync status", &m.sync_status)?,
            last_synced_at: m.last_synced_at.map(utc),
            created_at: utc(m.created_at),
            updated_at: utc(m.updated_at),
        })
    }
}

/// A model name: not blank, no NUL, at most [`limits::EMBEDDING_MODEL`] characters, in NFC.
pub(super) fn model_name(model: &str) -> RepoResult<String> {
    validate::key("model", model, limits::EMBEDDING_MODEL)
}

/// The condition selecting the row `key` names, and the key as text for a `NotFound`.
fn target(key: &DocumentKey) -> RepoResult<(SimpleExpr, String)> {
    Ok(match key {
        DocumentKey::Id(id) => (Column::Id.eq(id.as_uuid()), id.to_string()),
        DocumentKey::Path(path) => {
            let path = input::file_path("path", path)?;
            (Column::FilePath.eq(path.as_str()), path)
        }
    })
}

/// `input` checked, as the row a first upsert of its path inserts.
pub(super) fn new_row(input: IndexDocument) -> RepoResult<document_index::Model> {
    let chunk_count = i32::try_from(input.chunk_count).map_err(|_| {
        RepoError::invalid(
            "chunk_count",
            format!("must be at most {}, got {}", i32::MAX, input.chunk_count),
        )
    })?;
    let at = now();
    Ok(document_index::Model {
        id: DocumentIndexId::new().into(),
        file_path: input::file_path("file_path", &input.file_path)?,
        title: validate::name("title", &input.title, limits::DOCUMENT_TITLE)?,
        document_type: input
            .document_type
            .as_deref()
            .map(|t| validate::label("document_type", t))
            .transpose()?,
        content_hash: input::sha256("content_hash", &input.content_hash)?,
        chunk_count,
        embedding_model: None,
        embedding_dims: None,
        embedding: None,
        metadata: validate::json_object("metadata", input.metadata)?,
        sync_status: SyncStatus::Pending.as_str().to_owned(),
        last_synced_at: None,
        created_at: at,
        updated_at: at,
    })
}

#[async_trait]
impl<C: Executor> DocumentIndexRepository for SeaOrmDocumentIndexRepository<C> {
    async fn upsert(&self, input: IndexDocument) -> RepoResult<Upserted> {
        super::upsert::upsert(&self.db, new_row(input)?).await
    }

    async fn get(&self, id: DocumentIndexId) -> RepoResult<IndexedDocument> {
        get_by_id::<Entity, _>(&self.db, ENTITY, id).await
    }

    async fn get_by_path(&self, path: &str) -> RepoResult<IndexedDocument> {
        let path = input::file_path("path", path)?;
        let select = Entity::find().filter(Column::FilePath.eq(path.as_str()));
        one_or_not_found(select, &self.db, ENTITY, path).await
    }

    async fn set_embedding(
        &self,
        document: DocumentKey,
        model: &str,
        embedding: &[f32],
    ) -> RepoResult<IndexedDocument> {
        let model = model_name(model)?;
        checked("embedding", embedding)?;
        // At most EMBEDDING_DIMS (checked), so it fits.
        let dims = i32::try_from(embedding.len()).unwrap_or(i32::MAX);
        let (condition, key) = target(&document)?;
        let txn = embedding_transaction(&self.db, &model, dims).await?;
        let at = now();
        let rows = Entity::update_many()
            .col_expr(Column::EmbeddingModel, Expr::val(model))
            .col_expr(Column::EmbeddingDims, Expr::val(dims))
            .col_expr(Column::Embedding, Expr::val(vector::to_bytes(embedding)))
            .col_expr(Column::SyncStatus, Expr::val(SyncStatus::Synced))
            .col_expr(Column::LastSyncedAt, Expr::val(at))
            .col_expr(Column::UpdatedAt, Expr::val(at))
            .filter(condition)
            .exec_with_returning(&txn)
            .await?;
        let row = updated_row(rows, ENTITY, key)?;
        txn.commit().await?;
        Ok(row)
    }

    async fn mark_failed(&self, document: DocumentKey) -> RepoResult<IndexedDocument> {
        let (condition, key) = target(&document)?;
        let rows = Entity::update_many()
            .col_expr(Column::SyncStatus, Expr::val(SyncStatus::Failed))
            .col_expr(Column::UpdatedAt, Expr::val(now()))
            .filter(condition)
            .exec_with_returning(&self.db)
            .await?;
        updated_row(rows, ENTITY, key)
    }

    async fn delete(&self, id: DocumentIndexId) -> RepoResult<()> {
        delete_by_id::<Entity>(&self.db, ENTITY, id).await
    }

    async fn by_status(
        &self,
        status: SyncStatus,
        after: Option<DocumentIndexId>,
        limit: u64,
    ) -> RepoResult<DocumentPage> {
        // Checked like a page's limit.
        let limit = Page::new(limit, 0)?.limit();
        // A range of the (sync_status, id) index, in its order.
        let rows = Entity::find()
            .filter(Column::SyncStatus.eq(status))
            .apply_if(after, |q, after| q.filter(Column::Id.gt(after.as_uuid())))
            .order_by_asc(Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        let documents: Vec<IndexedDocument> = convert_all(rows)?;
        let full = u64::try_from(documents.len()).is_ok_and(|n| n == limit);
        let next = documents.last().filter(|_| full).map(|last| last.id);
        Ok(DocumentPage { documents, next })
    }

    async fn nearest(
        &self,
        model: &str,
        query: &[f32],
        k: usize,
        options: NearestOptions,
    ) -> RepoResult<Vec<Neighbour>> {
        super::nearest::nearest(&self.db, model, query, k, options).await
    }
}
