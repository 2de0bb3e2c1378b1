#![doc = include_str!("../README.md")]
//!
//! ## What the crates beside this one build on
//!
//! What every repository shares, legacy or enhanced, is public here too: [`RepoError`] and its
//! classification ([`DbResultExt`]), the [`Executor`] a SeaORM repository runs on (the pool or
//! a unit of work from [`Repositories::transaction`]), the [`query`] helpers, [`Page`],
//! [`now`], [`limits`], the input checks of [`validate`], and the [`db_enum!`], [`id_type!`]
//! and [`sea_orm_repository!`] macros.

pub mod backend;
mod batch;
pub mod bulk;
mod connect;
mod connect_builder;
mod db_enum;
pub mod defaults;
pub mod documents;
mod error;
mod executor;
mod ids;
pub mod knowledge;
pub mod limits;
mod literal_limit;
pub mod organizations;
mod page;
pub mod personas;
mod prerendered;
pub mod query;
mod repositories;
mod statement_template;
pub mod taskmaster;
pub mod validate;

/// The SeaORM this crate is built on, with the features it declares. Its API hands out
/// [`sea_orm::DatabaseConnection`] ([`Repositories::connection`]) and [`sea_orm::DbErr`]
/// (inside [`RepoError`]); a caller that runs its own queries on the pool uses this re-export
/// instead of a SeaORM dependency of its own that could differ in version or features.
pub use sea_orm;

pub use connect::{
    ACQUIRE_TIMEOUT, CONNECT_TIMEOUT, DEFAULT_DATABASE_URL, PING_IF_IDLE_FOR, RANDOM_PAGE_COST,
    Section, connect, custom_plans_statement, database_url_from_env, enter_section,
    enter_section_shared, redact_url, with_sqlite_mode,
};
pub use connect_builder::{ConnectBuilder, IDLE_TIMEOUT, MAX_LIFETIME};
pub use db_enum::{UnknownValue, stored as stored_enum};
pub use error::{
    ConflictKind, DbResultExt, RepoError, RepoResult, RetryReason, Violation, violation,
};
pub use executor::{Executor, SharedTransaction};
pub use ids::{DocumentId, KnowledgeId, OrganizationId, PersonaId, TaskId};
pub use page::{Page, now, utc};
pub use repositories::{Repositories, unit_of_work};

#[cfg(feature = "mock")]
pub use documents::MockDocumentRepository;
pub use documents::{DocumentRepository, SeaOrmDocumentRepository, content_hash};
#[cfg(feature = "mock")]
pub use knowledge::MockKnowledgeRepository;
pub use knowledge::{KnowledgeRepository, SeaOrmKnowledgeRepository};
#[cfg(feature = "mock")]
pub use organizations::MockOrganizationRepository;
pub use organizations::{OrganizationRepository, SeaOrmOrganizationRepository};
#[cfg(feature = "mock")]
pub use personas::MockPersonaRepository;
pub use personas::{PersonaRepository, SeaOrmPersonaRepository};
#[cfg(feature = "mock")]
pub use taskmaster::MockTaskRepository;
pub use taskmaster::{SeaOrmTaskRepository, TaskRepository};

/// What the exported macros refer to; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use serde;
    pub use uuid;
}
