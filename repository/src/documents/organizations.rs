//! SeaORM queries for organizations, used by [`super::SeaOrmDocumentRepository`].

use memdb_entity::organizations;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::{MAX_ORGANIZATION_NAME, NewOrganization, Organization, OrganizationUpdate};
use crate::error::{DbResultExt, RepoError, RepoResult, updated_row};
use crate::ids::OrganizationId;
use crate::page::{Page, now, utc};
use crate::validate;

const ENTITY: &str = "organization";

fn slug(value: &str) -> RepoResult<String> {
    let ok_chars = value
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if value.is_empty() || value.len() > 64 || !ok_chars || value.starts_with('-') {
        return Err(RepoError::invalid(
            "slug",
            format!("{value:?} must be 1 to 64 of a-z, 0-9 and '-', not starting with '-'"),
        ));
    }
    Ok(value.to_owned())
}

impl From<organizations::Model> for Organization {
    fn from(m: organizations::Model) -> Self {
        Self {
            id: m.id.into(),
            name: m.name,
            slug: m.slug,
            metadata: m.metadata,
            created_at: utc(m.created_at),
            updated_at: utc(m.updated_at),
        }
    }
}

pub(super) async fn create(
    db: &DatabaseConnection,
    input: NewOrganization,
) -> RepoResult<Organization> {
    let name = validate::name("name", &input.name, MAX_ORGANIZATION_NAME)?;
    let slug = slug(&input.slug)?;
    let metadata = validate::json_object("metadata", input.metadata)?;
    let at = now();
    let model = organizations::ActiveModel {
        id: Set(OrganizationId::new().into()),
        name: Set(name.clone()),
        slug: Set(slug.clone()),
        metadata: Set(metadata),
        created_at: Set(at),
        updated_at: Set(at),
    }
    .insert(db)
    .await
    .conflict_as(|| {
        format!("an organization named {name:?} or with slug {slug:?} already exists")
    })?;
    Ok(model.into())
}

pub(super) async fn get(db: &DatabaseConnection, id: OrganizationId) -> RepoResult<Organization> {
    organizations::Entity::find_by_id(id.as_uuid())
        .one(db)
        .await?
        .map(Into::into)
        .ok_or_else(|| RepoError::not_found(ENTITY, id))
}

pub(super) async fn get_by_slug(db: &DatabaseConnection, slug: &str) -> RepoResult<Organization> {
    let slug = validate::text("slug", slug)?;
    organizations::Entity::find()
        .filter(organizations::Column::Slug.eq(slug))
        .one(db)
        .await?
        .map(Into::into)
        .ok_or_else(|| RepoError::not_found(ENTITY, slug))
}

pub(super) async fn list(db: &DatabaseConnection, page: Page) -> RepoResult<Vec<Organization>> {
    Ok(organizations::Entity::find()
        .order_by_asc(organizations::Column::Name)
        .limit(page.limit())
        .offset(page.offset())
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

pub(super) async fn update(
    db: &DatabaseConnection,
    id: OrganizationId,
    update: OrganizationUpdate,
) -> RepoResult<Organization> {
    let mut model = organizations::ActiveModel {
        updated_at: Set(now()),
        ..Default::default()
    };
    if let Some(name) = &update.name {
        model.name = Set(validate::name("name", name, MAX_ORGANIZATION_NAME)?);
    }
    if let Some(metadata) = update.metadata {
        model.metadata = Set(validate::json_object("metadata", metadata)?);
    }
    let updated = organizations::Entity::update_many()
        .set(model)
        .filter(organizations::Column::Id.eq(id.as_uuid()))
        .exec_with_returning(db)
        .await
        .conflict_as(|| {
            format!(
                "an organization named {:?} already exists",
                update.name.unwrap_or_default()
            )
        })?;
    updated_row(updated, ENTITY, id)
}

pub(super) async fn delete(db: &DatabaseConnection, id: OrganizationId) -> RepoResult<()> {
    let result = organizations::Entity::delete_by_id(id.as_uuid())
        .exec(db)
        .await
        .map_err(|err| match RepoError::from(err) {
            RepoError::Validation { .. } => {
                RepoError::Conflict(format!("organization {id} still owns documents"))
            }
            other => other,
        })?;
    if result.rows_affected == 0 {
        return Err(RepoError::not_found(ENTITY, id));
    }
    Ok(())
}
