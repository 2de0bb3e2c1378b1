//! The rows a fresh memdb database starts with: a default organization and a default persona.
//!
//! [`seed_defaults`] is idempotent and safe to run from several processes at once: it looks each
//! row up first, creates it only when missing, and treats losing a creation race as success.

use crate::error::{RepoError, RepoResult};
use crate::organizations::NewOrganization;
use crate::personas::NewPersona;
use crate::repositories::Repositories;

/// Display name of the default organization.
pub const DEFAULT_ORGANIZATION_NAME: &str = "Default";
/// Slug of the default organization, the key it is looked up by.
pub const DEFAULT_ORGANIZATION_SLUG: &str = "default";
/// Name of the default persona, the key it is looked up by.
pub const DEFAULT_PERSONA_NAME: &str = "default";
/// Description of the default persona.
pub const DEFAULT_PERSONA_DESCRIPTION: &str = "General-purpose assistant";
/// System prompt of the default persona.
pub const DEFAULT_PERSONA_SYSTEM_PROMPT: &str = "You are a helpful assistant.";

/// What [`seed_defaults`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    /// Whether the default organization was created by this call (false: it was already there).
    pub organization_created: bool,
    /// Whether the default persona was created by this call (false: it was already there).
    pub persona_created: bool,
}

impl SeedReport {
    /// Whether this call created anything.
    #[must_use]
    pub fn created_any(&self) -> bool {
        self.organization_created || self.persona_created
    }
}

/// Makes sure the default organization (slug `default`) and the default persona (name
/// `default`) exist, creating whichever is missing. Existing rows are left untouched, even when
/// they differ from the defaults.
///
/// # Errors
/// `Db` when a query fails (for example because the schema has not been migrated);
/// `Conflict` when another organization already holds the default organization's name under a
/// different slug.
pub async fn seed_defaults(repos: &Repositories) -> RepoResult<SeedReport> {
    Ok(SeedReport {
        organization_created: seed_organization(repos).await?,
        persona_created: seed_persona(repos).await?,
    })
}

/// Creates the default organization when no organization has its slug; true when created.
async fn seed_organization(repos: &Repositories) -> RepoResult<bool> {
    let organizations = &repos.organizations;
    match organizations.get_by_slug(DEFAULT_ORGANIZATION_SLUG).await {
        Ok(_) => return Ok(false),
        Err(RepoError::NotFound { .. }) => {}
        Err(err) => return Err(err),
    }
    let input = NewOrganization {
        name: DEFAULT_ORGANIZATION_NAME.to_owned(),
        slug: DEFAULT_ORGANIZATION_SLUG.to_owned(),
        metadata: serde_json::json!({}),
    };
    match organizations.create(input).await {
        Ok(_) => Ok(true),
        // A concurrent seeder won the race: the row is there now. The conflict may also be an
        // unrelated organization named "Default", which must not pass for the default one.
        Err(conflict @ RepoError::Conflict { .. }) => {
            match organizations.get_by_slug(DEFAULT_ORGANIZATION_SLUG).await {
                Ok(_) => Ok(false),
                Err(RepoError::NotFound { .. }) => Err(conflict),
                Err(err) => Err(err),
            }
        }
        Err(err) => Err(err),
    }
}

/// Creates the default persona when no persona has its name; true when created.
async fn seed_persona(repos: &Repositories) -> RepoResult<bool> {
    let personas = &repos.personas;
    match personas.get_by_name(DEFAULT_PERSONA_NAME).await {
        Ok(_) => return Ok(false),
        Err(RepoError::NotFound { .. }) => {}
        Err(err) => return Err(err),
    }
    let input = NewPersona {
        name: DEFAULT_PERSONA_NAME.to_owned(),
        description: DEFAULT_PERSONA_DESCRIPTION.to_owned(),
        system_prompt: DEFAULT_PERSONA_SYSTEM_PROMPT.to_owned(),
        traits: serde_json::json!({}),
        is_active: true,
    };
    match personas.create(input).await {
        Ok(_) => Ok(true),
        // The name is the persona's only unique key: a conflict means a concurrent seeder
        // created it.
        Err(RepoError::Conflict { .. }) => Ok(false),
        Err(err) => Err(err),
    }
}
