//! [`PersonaRepository`] on `SeaORM`.

use async_trait::async_trait;
use memdb_entity::personas;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait,
};

use super::{
    MAX_DESCRIPTION, MAX_NAME, MAX_SYSTEM_PROMPT, NewPersona, Persona, PersonaFilter,
    PersonaRepository, PersonaUpdate,
};
use crate::error::{DbResultExt, RepoError, RepoResult, corrupt, updated_row};
use crate::ids::PersonaId;
use crate::page::{Page, now, utc};
use crate::validate;

const ENTITY: &str = "persona";

/// [`PersonaRepository`] backed by a `SeaORM` connection pool.
#[derive(Clone, Debug)]
pub struct SeaOrmPersonaRepository {
    db: DatabaseConnection,
}

impl SeaOrmPersonaRepository {
    /// A repository on this connection pool.
    #[must_use]
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

impl TryFrom<personas::Model> for Persona {
    type Error = RepoError;

    fn try_from(m: personas::Model) -> RepoResult<Self> {
        // The CHECK constraint keeps versions at 1 or more; anything else is corruption.
        let version = u32::try_from(m.version)
            .map_err(|_| corrupt("persona version", &m.version.to_string()))?;
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
impl PersonaRepository for SeaOrmPersonaRepository {
    async fn create(&self, input: NewPersona) -> RepoResult<Persona> {
        let name = validate::name("name", &input.name, MAX_NAME)?;
        let description = validate::bounded("description", &input.description, MAX_DESCRIPTION)?;
        let system_prompt =
            validate::non_empty("system_prompt", &input.system_prompt, MAX_SYSTEM_PROMPT)?;
        let traits = validate::json_object("traits", input.traits)?;
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
        .conflict_as(|| name_taken(&name))?
        .try_into()
    }

    async fn get(&self, id: PersonaId) -> RepoResult<Persona> {
        personas::Entity::find_by_id(id.as_uuid())
            .one(&self.db)
            .await?
            .ok_or_else(|| RepoError::not_found(ENTITY, id))?
            .try_into()
    }

    async fn get_by_name(&self, name: &str) -> RepoResult<Persona> {
        let name = validate::text("name", name.trim())?;
        personas::Entity::find()
            .filter(personas::Column::Name.eq(name))
            .one(&self.db)
            .await?
            .ok_or_else(|| RepoError::not_found(ENTITY, name))?
            .try_into()
    }

    async fn list(&self, filter: PersonaFilter, page: Page) -> RepoResult<Vec<Persona>> {
        // With `active_only`, `ix_personas_active_name (is_active, name)` serves both the
        // filter and the order; otherwise the unique index on `name` does.
        personas::Entity::find()
            .apply_if(filter.active_only.then_some(true), |q, active| {
                q.filter(personas::Column::IsActive.eq(active))
            })
            .order_by_asc(personas::Column::Name)
            .limit(page.limit())
            .offset(page.offset())
            .all(&self.db)
            .await?
            .into_iter()
            .map(Persona::try_from)
            .collect()
    }

    async fn update(&self, id: PersonaId, update: PersonaUpdate) -> RepoResult<Persona> {
        if update.is_empty() {
            return Err(RepoError::invalid("update", "nothing to update"));
        }
        let mut changes = personas::ActiveModel {
            updated_at: Set(now()),
            ..Default::default()
        };
        let mut new_name = None;
        if let Some(name) = &update.name {
            let name = validate::name("name", name, MAX_NAME)?;
            changes.name = Set(name.clone());
            new_name = Some(name);
        }
        if let Some(description) = &update.description {
            changes.description =
                Set(validate::bounded("description", description, MAX_DESCRIPTION)?.to_owned());
        }
        if let Some(prompt) = &update.system_prompt {
            changes.system_prompt =
                Set(validate::non_empty("system_prompt", prompt, MAX_SYSTEM_PROMPT)?.to_owned());
        }
        if let Some(traits) = update.traits {
            changes.traits = Set(validate::json_object("traits", traits)?);
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
            .conflict_as(|| name_taken(new_name.as_deref().unwrap_or_default()))?;
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
        let result = personas::Entity::delete_by_id(id.as_uuid())
            .exec(&self.db)
            .await?;
        if result.rows_affected == 0 {
            return Err(RepoError::not_found(ENTITY, id));
        }
        Ok(())
    }
}
