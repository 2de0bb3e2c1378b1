//! [`DocumentRepository`] on SeaORM.

use async_trait::async_trait;
use memdb_entity::documents;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use sha2::{Digest, Sha256};

use super::{
    Document, DocumentFilter, DocumentRepository, MAX_PATH, MAX_TITLE, NewDocument,
    NewOrganization, Organization, OrganizationUpdate, organizations,
};
use crate::error::{DbResultExt, RepoError, RepoResult, updated_row};
use crate::ids::{DocumentId, OrganizationId};
use crate::page::{Page, now, utc};
use crate::validate;

const ENTITY: &str = "document";

/// [`DocumentRepository`] backed by a SeaORM connection pool.
#[derive(Clone, Debug)]
pub struct SeaOrmDocumentRepository {
    db: DatabaseConnection,
}

impl SeaOrmDocumentRepository {
    /// A repository on this connection pool.
    #[must_use]
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// SHA-256 of `content` as 64 lowercase hex digits.
#[must_use]
pub fn content_hash(content: &str) -> String {
    format!("{:x}", Sha256::digest(content.as_bytes()))
}

impl From<documents::Model> for Document {
    fn from(m: documents::Model) -> Self {
        Self {
            id: m.id.into(),
            organization_id: m.organization_id.into(),
            path: m.path,
            title: m.title,
            doc_type: m.doc_type,
            content: m.content,
            content_hash: m.content_hash,
            size_bytes: u64::try_from(m.size_bytes).unwrap_or_default(),
            metadata: m.metadata,
            created_at: utc(m.created_at),
            updated_at: utc(m.updated_at),
        }
    }
}

fn into_documents(models: Vec<documents::Model>) -> Vec<Document> {
    models.into_iter().map(Into::into).collect()
}

#[async_trait]
impl DocumentRepository for SeaOrmDocumentRepository {
    async fn create_organization(&self, input: NewOrganization) -> RepoResult<Organization> {
        organizations::create(&self.db, input).await
    }

    async fn get_organization(&self, id: OrganizationId) -> RepoResult<Organization> {
        organizations::get(&self.db, id).await
    }

    async fn get_organization_by_slug(&self, slug: &str) -> RepoResult<Organization> {
        organizations::get_by_slug(&self.db, slug).await
    }

    async fn list_organizations(&self, page: Page) -> RepoResult<Vec<Organization>> {
        organizations::list(&self.db, page).await
    }

    async fn update_organization(
        &self,
        id: OrganizationId,
        update: OrganizationUpdate,
    ) -> RepoResult<Organization> {
        organizations::update(&self.db, id, update).await
    }

    async fn delete_organization(&self, id: OrganizationId) -> RepoResult<()> {
        organizations::delete(&self.db, id).await
    }

    async fn create(&self, input: NewDocument) -> RepoResult<Document> {
        let path = validate::non_empty("path", &input.path, MAX_PATH)?.to_owned();
        let title = validate::name("title", &input.title, MAX_TITLE)?;
        let doc_type = validate::label("doc_type", &input.doc_type)?;
        let content = validate::text("content", &input.content)?.to_owned();
        let metadata = validate::json_object("metadata", input.metadata)?;
        let at = now();
        let model = documents::ActiveModel {
            id: Set(DocumentId::new().into()),
            organization_id: Set(input.organization_id.into()),
            path: Set(path.clone()),
            title: Set(title),
            doc_type: Set(doc_type),
            content_hash: Set(content_hash(&content)),
            size_bytes: Set(content.len() as i64),
            content: Set(content),
            metadata: Set(metadata),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(&self.db)
        .await
        .conflict_as(|| {
            format!(
                "a document at {path:?} already exists in organization {}",
                input.organization_id
            )
        })
        .map_err(|err| match err {
            RepoError::Validation {
                field: "reference", ..
            } => RepoError::invalid(
                "organization_id",
                format!("organization {} does not exist", input.organization_id),
            ),
            other => other,
        })?;
        Ok(model.into())
    }

    async fn get(&self, id: DocumentId) -> RepoResult<Document> {
        documents::Entity::find_by_id(id.as_uuid())
            .one(&self.db)
            .await?
            .map(Into::into)
            .ok_or_else(|| RepoError::not_found(ENTITY, id))
    }

    async fn get_by_path(
        &self,
        organization_id: OrganizationId,
        path: &str,
    ) -> RepoResult<Document> {
        let path = validate::text("path", path)?;
        documents::Entity::find()
            .filter(documents::Column::OrganizationId.eq(organization_id.as_uuid()))
            .filter(documents::Column::Path.eq(path))
            .one(&self.db)
            .await?
            .map(Into::into)
            .ok_or_else(|| RepoError::not_found(ENTITY, format!("{organization_id}:{path}")))
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
        let models = documents::Entity::find()
            .filter(documents::Column::OrganizationId.eq(organization_id.as_uuid()))
            .apply_if(doc_type, |q, t| q.filter(documents::Column::DocType.eq(t)))
            .order_by_asc(documents::Column::Path)
            .limit(page.limit())
            .offset(page.offset())
            .all(&self.db)
            .await?;
        Ok(into_documents(models))
    }

    async fn find_by_hash(&self, content_hash: &str) -> RepoResult<Vec<Document>> {
        if content_hash.len() != 64 || !content_hash.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(RepoError::invalid(
                "content_hash",
                "must be 64 hexadecimal digits (SHA-256)",
            ));
        }
        let models = documents::Entity::find()
            .filter(documents::Column::ContentHash.eq(content_hash.to_ascii_lowercase()))
            .order_by_asc(documents::Column::OrganizationId)
            .order_by_asc(documents::Column::Path)
            .all(&self.db)
            .await?;
        Ok(into_documents(models))
    }

    async fn search(
        &self,
        organization_id: Option<OrganizationId>,
        query: &str,
        page: Page,
    ) -> RepoResult<Vec<Document>> {
        let pattern = validate::contains_pattern("query", query)?;
        let models = documents::Entity::find()
            .apply_if(organization_id, |q, org| {
                q.filter(documents::Column::OrganizationId.eq(org.as_uuid()))
            })
            .filter(
                Condition::any()
                    .add(validate::contains(documents::Column::Title, &pattern))
                    .add(validate::contains(documents::Column::Content, &pattern)),
            )
            .order_by_asc(documents::Column::OrganizationId)
            .order_by_asc(documents::Column::Path)
            .limit(page.limit())
            .offset(page.offset())
            .all(&self.db)
            .await?;
        Ok(into_documents(models))
    }

    async fn delete(&self, id: DocumentId) -> RepoResult<()> {
        let result = documents::Entity::delete_by_id(id.as_uuid())
            .exec(&self.db)
            .await?;
        if result.rows_affected == 0 {
            return Err(RepoError::not_found(ENTITY, id));
        }
        Ok(())
    }
}
