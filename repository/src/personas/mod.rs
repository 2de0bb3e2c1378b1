//! Personas: named system prompts with traits, versioned on every content change.

mod sea_orm;

pub use self::sea_orm::SeaOrmPersonaRepository;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::RepoResult;
use crate::ids::PersonaId;
use crate::page::Page;

/// A stored persona.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Persona {
    /// Its id.
    pub id: PersonaId,
    /// Display name, unique.
    pub name: String,
    /// What the persona is for (may be empty).
    pub description: String,
    /// The system prompt it stands for.
    pub system_prompt: String,
    /// Free-form JSON object of traits.
    pub traits: serde_json::Value,
    /// Whether it is offered for use.
    pub is_active: bool,
    /// 1 when created, one more after every [`PersonaRepository::update`].
    pub version: u32,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed (content or active flag).
    pub updated_at: DateTime<Utc>,
}

/// Input of [`PersonaRepository::create`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewPersona {
    /// 1 to 200 characters after trimming, with a visible character; stored trimmed and in
    /// Unicode NFC, so "café" with a combining accent and with a precomposed `é` is one name;
    /// unique.
    pub name: String,
    /// At most 2000 characters; may be empty.
    pub description: String,
    /// 1 to 100,000 characters, not only whitespace.
    pub system_prompt: String,
    /// A JSON object (`{}` when there is nothing to say): no NUL in any string or key, arrays
    /// and objects nested at most 127 deep.
    pub traits: serde_json::Value,
    /// Whether it is offered for use from the start.
    pub is_active: bool,
}

/// Changes for [`PersonaRepository::update`]; `None` leaves a field as it is, and at least one
/// field must be set.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PersonaUpdate {
    /// New display name.
    pub name: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New system prompt.
    pub system_prompt: Option<String>,
    /// New traits object (replaces the old one).
    pub traits: Option<serde_json::Value>,
}

impl PersonaUpdate {
    /// Whether no field is set.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.description.is_none()
            && self.system_prompt.is_none()
            && self.traits.is_none()
    }
}

/// Filter of [`PersonaRepository::list`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonaFilter {
    /// Only active personas.
    pub active_only: bool,
}

/// Personas.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait PersonaRepository: Send + Sync {
    /// Stores a persona at version 1.
    ///
    /// # Errors
    /// `Validation` for a bad name, description, system prompt or traits (a NUL character in
    /// any of them is bad); `Conflict` when the name is taken.
    async fn create(&self, input: NewPersona) -> RepoResult<Persona>;

    /// The persona with this id.
    ///
    /// # Errors
    /// `NotFound` when there is none.
    async fn get(&self, id: PersonaId) -> RepoResult<Persona>;

    /// The persona with this name (surrounding whitespace ignored and compared in Unicode NFC,
    /// as names are stored).
    ///
    /// # Errors
    /// `NotFound` when there is none; `Validation` for a name containing NUL.
    async fn get_by_name(&self, name: &str) -> RepoResult<Persona>;

    /// Personas in name order, optionally only the active ones.
    ///
    /// # Errors
    /// `Db` when the query fails.
    async fn list(&self, filter: PersonaFilter, page: Page) -> RepoResult<Vec<Persona>>;

    /// Changes a persona's content and raises its version by exactly one, atomically, so
    /// concurrent updates each count.
    ///
    /// # Errors
    /// `Validation` for bad input or an update that sets nothing; `NotFound`; `Conflict` when
    /// the new name is taken.
    async fn update(&self, id: PersonaId, update: PersonaUpdate) -> RepoResult<Persona>;

    /// Activates or deactivates a persona. The version stays as it is: availability is not
    /// content.
    ///
    /// # Errors
    /// `NotFound` when there is none.
    async fn set_active(&self, id: PersonaId, active: bool) -> RepoResult<Persona>;

    /// Deletes a persona.
    ///
    /// # Errors
    /// `NotFound` when there is none.
    async fn delete(&self, id: PersonaId) -> RepoResult<()>;
}
