//! [`OrganizationRepository`] on SeaORM.

use async_trait::async_trait;
use memdb_entity::organizations;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};

use super::{NewOrganization, Organization, OrganizationRepository, OrganizationUpdate};
use crate::error::{ConflictKind, DbResultExt, RepoError, RepoResult, Violation};
use crate::executor::Executor;
use crate::ids::OrganizationId;
use crate::page::{Page, now, utc};
use crate::query::{fetch_page, get_by_id, one_or_not_found, removed, updated_row};
use crate::{limits, validate};

const ENTITY: &str = "organization";

crate::sea_orm_repository! {
    /// [`OrganizationRepository`] on SeaORM.
    SeaOrmOrganizationRepository
}

fn slug(value: &str) -> RepoResult<String> {
    let ok_chars = value
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if value.is_empty()
        || value.len() > limits::ORGANIZATION_SLUG
        || !ok_chars
        || value.starts_with('-')
    {
        return Err(RepoError::invalid(
            "slug",
            format!(
                "{value:?} must be 1 to {} of a-z, 0-9 and '-', not starting with '-'",
                limits::ORGANIZATION_SLUG
            ),
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

#[async_trait]
impl<C: Executor> OrganizationRepository for SeaOrmOrganizationRepository<C> {
    async fn create(&self, input: NewOrganization) -> RepoResult<Organization> {
        // JSON first: a rejected value is taken apart without recursion (see validate).
        let metadata = validate::json_object("metadata", input.metadata)?;
        let name = validate::name("name", &input.name, limits::ORGANIZATION_NAME)?;
        let slug = slug(&input.slug)?;
        let at = now();
        let model = organizations::ActiveModel {
            id: Set(OrganizationId::new().into()),
            name: Set(name.clone()),
            slug: Set(slug.clone()),
            metadata: Set(metadata),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(&self.db)
        .await
        .on_duplicate(|| {
            format!("an organization named {name:?} or with slug {slug:?} already exists")
        })?;
        Ok(model.into())
    }

    async fn get(&self, id: OrganizationId) -> RepoResult<Organization> {
        get_by_id::<organizations::Entity, _>(&self.db, ENTITY, id).await
    }

    async fn get_by_slug(&self, slug: &str) -> RepoResult<Organization> {
        let slug = validate::text("slug", slug)?;
        let select = organizations::Entity::find().filter(organizations::Column::Slug.eq(slug));
        one_or_not_found(select, &self.db, ENTITY, slug).await
    }

    async fn list(&self, page: Page) -> RepoResult<Vec<Organization>> {
        let select = organizations::Entity::find().order_by_asc(organizations::Column::Name);
        fetch_page(select, &self.db, page).await
    }

    async fn update(
        &self,
        id: OrganizationId,
        update: OrganizationUpdate,
    ) -> RepoResult<Organization> {
        let mut model = organizations::ActiveModel {
            updated_at: Set(now()),
            ..Default::default()
        };
        if let Some(metadata) = update.metadata {
            model.metadata = Set(validate::json_object("metadata", metadata)?);
        }
        let name = update
            .name
            .as_deref()
            .map(|name| validate::name("name", name, limits::ORGANIZATION_NAME))
            .transpose()?;
        if let Some(name) = &name {
            model.name = Set(name.clone());
        }
        let updated = organizations::Entity::update_many()
            .set(model)
            .filter(organizations::Column::Id.eq(id.as_uuid()))
            .exec_with_returning(&self.db)
            .await
            .on_duplicate(|| {
                format!(
                    "an organization named {:?} already exists",
                    name.unwrap_or_default()
                )
            })?;
        updated_row(updated, ENTITY, id)
    }

    async fn delete(&self, id: OrganizationId) -> RepoResult<()> {
        let result = organizations::Entity::delete_by_id(id.as_uuid())
            .exec(&self.db)
            .await
            .on_violation(|v| {
                matches!(v, Violation::ForeignKey(_)).then(|| {
                    RepoError::conflict(
                        ConflictKind::StillReferenced,
                        format!("organization {id} still owns documents"),
                    )
                })
            })?;
        removed(&result, ENTITY, id)
    }
}
