//! [`PersonaRepository`] on `SeaORM`.

use async_trait::async_trait;
use memdb_entity::personas;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    QueryTrait,
};

use super::{NewPersona, Persona, PersonaFilter, PersonaRepository, PersonaUpdate};
use crate::error::{DbResultExt, RepoError, RepoResult};
use crate::executor::Executor;
use crate::ids::PersonaId;
use crate::page::{Page, now, utc};
use crate::query::{
    delete_by_id, fetch_page, get_by_id, one_or_not_found, stored_u32, updated_row,
};
use crate::{limits, validate};

const ENTITY: &str = "persona";

crate::sea_orm_repository! {
    /// [`PersonaRepository`] on SeaORM.
    SeaOrmPersonaRepository
}

impl TryFrom<personas::Model> for Persona {
    type Error = RepoError;

    fn try_from(m: personas::Model) -> RepoResult<Self> {
        // The CHECK constraint keeps versions at 1 or more; anything else is corruption.
        let version = stored_u32("persona version", m.version)?;
        Ok(Self {
            id: m.id.into(),
            name: m.name,
            description: m.description,
            system_prompt: m.system_prompt,
            traits: m.traits,
            is_active: m.is_active,
            version,
            created_at: utc(m.created_at),
            updated_at: utc(m.updated_at),
        })
    }
}

fn name_taken(name: &str) -> String {
    format!("a persona named {name:?} already exists")
}

#[async_trait]
impl<C: Executor> PersonaRepository for SeaOrmPersonaRepository<C> {
    async fn create(&self, input: NewPersona) -> RepoResult<Persona> {
        // JSON first: a rejected value is taken apart without recursion (see validate).
        let traits = validate::json_object("traits", input.traits)?;
        let name = validate::name("name", &input.name, limits::PERSONA_NAME)?;
        let description = validate::bounded(
            "description",
            &input.description,
            limits::PERSONA_DESCRIPTION,
        )?;
        let system_prompt = validate::non_empty(
            "system_prompt",
            &input.system_prompt,
            limits::PERSONA_SYSTEM_PROMPT,
        )?;
        let at = now();
        personas::ActiveModel {
            id: Set(PersonaId::new().into()),
            name: Set(name.clone()),
            description: Set(description.to_owned()),
            system_prompt: Set(system_prompt.to_owned()),
            traits: Set(traits),
            is_active: Set(input.is_active),
            version: Set(1),
            created_at: Set(at),
            updated_at: Set(at),
        }
        .insert(&self.db)
        .await
        .on_duplicate(|| name_taken(&name))?
        .try_into()
    }

    async fn get(&self, id: PersonaId) -> RepoResult<Persona> {
        get_by_id::<personas::Entity, _>(&self.db, ENTITY, id).await
    }

    async fn get_by_name(&self, name: &str) -> RepoResult<Persona> {
        let name = validate::nfc(validate::text("name", name.trim())?);
        let select = personas::Entity::find().filter(personas::Column::Name.eq(name.as_str()));
        one_or_not_found(select, &self.db, ENTITY, name).await
    }

    async fn list(&self, filter: PersonaFilter, page: Page) -> RepoResult<Vec<Persona>> {
        // With `active_only`, `ix_personas_active_name (is_active, name)` serves both the
        // filter and the order; otherwise the unique index on `name` does.
        let select = personas::Entity::find()
            .apply_if(filter.active_only.then_some(true), |q, active| {
                q.filter(personas::Column::IsActive.eq(active))
            })
            .order_by_asc(personas::Column::Name);
        fetch_page(select, &self.db, page).await
    }

    async fn update(&self, id: PersonaId, update: PersonaUpdate) -> RepoResult<Persona> {
        if update.is_empty() {
            return Err(RepoError::invalid("update", "nothing to update"));
        }
        let mut changes = personas::ActiveModel {
            updated_at: Set(now()),
            ..Default::default()
        };
        // JSON first: a rejected value is taken apart without recursion (see validate).
        if let Some(traits) = update.traits {
            changes.traits = Set(validate::json_object("traits", traits)?);
        }
        let mut new_name = None;
        if let Some(name) = &update.name {
            let name = validate::name("name", name, limits::PERSONA_NAME)?;
            changes.name = Set(name.clone());
            new_name = Some(name);
        }
        if let Some(description) = &update.description {
            let description =
                validate::bounded("description", description, limits::PERSONA_DESCRIPTION)?;
            changes.description = Set(description.to_owned());
        }
        if let Some(prompt) = &update.system_prompt {
            let prompt =
                validate::non_empty("system_prompt", prompt, limits::PERSONA_SYSTEM_PROMPT)?;
            changes.system_prompt = Set(prompt.to_owned());
        }
        // The increment happens in the UPDATE itself, so concurrent updates never lose a
        // version and no read-modify-write transaction is needed.
        let rows = personas::Entity::update_many()
            .set(changes)
            .col_expr(
                personas::Column::Version,
                Expr::col(personas::Column::Version).add(1),
            )
            .filter(personas::Column::Id.eq(id.as_uuid()))
            .exec_with_returning(&self.db)
            .await
            .on_duplicate(|| name_taken(new_name.as_deref().unwrap_or_default()))?;
        updated_row(rows, ENTITY, id)
    }

    async fn set_active(&self, id: PersonaId, active: bool) -> RepoResult<Persona> {
        let changes = personas::ActiveModel {
            is_active: Set(active),
            updated_at: Set(now()),
            ..Default::default()
        };
        let rows = personas::Entity::update_many()
            .set(changes)
            .filter(personas::Column::Id.eq(id.as_uuid()))
            .exec_with_returning(&self.db)
            .await?;
        updated_row(rows, ENTITY, id)
    }

    async fn delete(&self, id: PersonaId) -> RepoResult<()> {
        delete_by_id::<personas::Entity>(&self.db, ENTITY, id).await
    }
}
