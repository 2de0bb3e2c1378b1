//! [`DocumentRepository`] on SeaORM.

use async_trait::async_trait;
use memdb_entity::documents;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QueryTrait,
};
use sha2::{Digest, Sha256};

use super::{Document, DocumentFilter, DocumentRepository, NewDocument, bulk};
use crate::error::{ConflictKind, DbResultExt, RepoError, RepoResult, Violation};
use crate::executor::Executor;
use crate::ids::{DocumentId, OrganizationId};
use crate::page::{Page, now, utc};
use crate::query::{
    delete_by_id, fetch_page, get_by_id, one_or_not_found, stored_u64, updated_row,
};
use crate::{limits, validate};

const ENTITY: &str = "document";

crate::sea_orm_repository! {
    /// [`DocumentRepository`] on SeaORM.
    SeaOrmDocumentRepository
}

/// SHA-256 of `content` as 64 lowercase hex digits.
#[must_use]
pub fn content_hash(content: &str) -> String {
    format!("{:x}", Sha256::digest(content.as_bytes()))
}

impl TryFrom<documents::Model> for Document {
    type Error = RepoError;

    fn try_from(m: documents::Model) -> RepoResult<Self> {
        Ok(Self {
            id: m.id.into(),
            organization_id: m.organization_id.into(),
            path: m.path,
            title: m.title,
            doc_type: m.doc_type,
            content: m.content,
            content_hash: m.content_hash,
            size_bytes: stored_u64("document size", m.size_bytes)?,
            metadata: m.metadata,
            created_at: utc(m.created_at),
            updated_at: utc(m.updated_at),
        })
    }
}

/// Documents of one organization (all when `None`), by organization and path.
fn in_organization(organization_id: Option<OrganizationId>) -> sea_orm::Select<documents::Entity> {
    documents::Entity::find()
        .apply_if(organization_id, |q, org| {
            q.filter(documents::Column::OrganizationId.eq(org.as_uuid()))
        })
        .order_by_asc(documents::Column::OrganizationId)
        .order_by_asc(documents::Column::Path)
}

#[async_trait]
impl<C: Executor> DocumentRepository for SeaOrmDocumentRepository<C> {
    async fn create(&self, input: NewDocument) -> RepoResult<Document> {
        let model = bulk::checked(input, now())?;
        let (organization_id, path) = (model.organization_id, model.path.clone());
        let model = model
            .into_active_model()
            .reset_all()
            .insert(&self.db)
            .await
            .on_violation(|v| {
            Some(match v {
                Violation::Unique(_) => RepoError::conflict(
                    ConflictKind::Duplicate,
                    format!(
                        "a document at {path:?} already exists in organization {organization_id}"
                    ),
                ),
                Violation::ForeignKey(_) => RepoError::invalid(
                    "organization_id",
                    format!("organization {organization_id} does not exist"),
                ),
            })
        })?;
        model.try_into()
    }

    async fn create_many(&self, inputs: Vec<NewDocument>) -> RepoResult<Vec<Document>> {
        bulk::create_many(&self.db, inputs).await
    }

    async fn get(&self, id: DocumentId) -> RepoResult<Document> {
        get_by_id::<documents::Entity, _>(&self.db, ENTITY, id).await
    }

    async fn get_by_path(
        &self,
        organization_id: OrganizationId,
        path: &str,
    ) -> RepoResult<Document> {
        let path = validate::nfc(validate::text("path", path)?);
        let select = documents::Entity::find()
            .filter(documents::Column::OrganizationId.eq(organization_id.as_uuid()))
            .filter(documents::Column::Path.eq(path.as_str()));
        one_or_not_found(
            select,
            &self.db,
            ENTITY,
            format!("{organization_id}:{path}"),
        )
        .await
    }

    async fn update_content(&self, id: DocumentId, content: String) -> RepoResult<Document> {
        validate::text("content", &content)?;
        let changes = documents::ActiveModel {
            content_hash: Set(content_hash(&content)),
            size_bytes: Set(content.len() as i64),
            content: Set(content),
            updated_at: Set(now()),
            ..Default::default()
        };
        let rows = documents::Entity::update_many()
            .set(changes)
            .filter(documents::Column::Id.eq(id.as_uuid()))
            .exec_with_returning(&self.db)
            .await?;
        updated_row(rows, ENTITY, id)
    }

    async fn list(
        &self,
        organization_id: OrganizationId,
        filter: DocumentFilter,
        page: Page,
    ) -> RepoResult<Vec<Document>> {
        let doc_type = filter
            .doc_type
            .as_deref()
            .map(|t| validate::label("doc_type", t))
            .transpose()?;
        let select = documents::Entity::find()
            .filter(documents::Column::OrganizationId.eq(organization_id.as_uuid()))
            .apply_if(doc_type, |q, t| q.filter(documents::Column::DocType.eq(t)))
            .order_by_asc(documents::Column::Path);
        fetch_page(select, &self.db, page).await
    }

    async fn find_by_hash(&self, content_hash: &str, page: Page) -> RepoResult<Vec<Document>> {
        if content_hash.len() != limits::SHA256_HEX
            || !content_hash.chars().all(|c| c.is_ascii_hexdigit())
        {
            return Err(RepoError::invalid(
                "content_hash",
                "must be 64 hexadecimal digits (SHA-256)",
            ));
        }
        let select = in_organization(None)
            .filter(documents::Column::ContentHash.eq(content_hash.to_ascii_lowercase()));
        fetch_page(select, &self.db, page).await
    }

    async fn search(
        &self,
        organization_id: Option<OrganizationId>,
        query: &str,
        page: Page,
    ) -> RepoResult<Vec<Document>> {
        let pattern = validate::contains_pattern("query", query)?;
        let select = in_organization(organization_id).filter(
            Condition::any()
                .add(validate::contains(documents::Column::Title, &pattern))
                .add(validate::contains(documents::Column::Content, &pattern)),
        );
        fetch_page(select, &self.db, page).await
    }

    async fn delete(&self, id: DocumentId) -> RepoResult<()> {
        delete_by_id::<documents::Entity>(&self.db, ENTITY, id).await
    }
}
