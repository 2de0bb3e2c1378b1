#![doc = include_str!("../README.md")]

mod batch;
mod connect;
pub mod defaults;
pub mod documents;
mod error;
mod ids;
pub mod knowledge;
mod page;
pub mod personas;
mod repositories;
pub mod taskmaster;
mod validate;

/// The SeaORM this crate is built on, with the features it declares. Its API hands out
/// [`sea_orm::DatabaseConnection`] ([`Repositories::connection`]) and [`sea_orm::DbErr`]
/// (inside [`RepoError`]); a caller that runs its own queries on the pool uses this re-export
/// instead of a SeaORM dependency of its own that could differ in version or features.
pub use sea_orm;

pub use connect::{
    ACQUIRE_TIMEOUT, CONNECT_TIMEOUT, DEFAULT_DATABASE_URL, connect, database_url_from_env,
    redact_url, with_sqlite_mode,
};
pub use error::{RepoError, RepoResult};
pub use ids::{DocumentId, KnowledgeId, OrganizationId, PersonaId, TaskId};
pub use page::Page;
pub use repositories::Repositories;

#[cfg(feature = "mock")]
pub use documents::MockDocumentRepository;
pub use documents::{DocumentRepository, SeaOrmDocumentRepository, content_hash};
#[cfg(feature = "mock")]
pub use knowledge::MockKnowledgeRepository;
pub use knowledge::{KnowledgeRepository, SeaOrmKnowledgeRepository};
#[cfg(feature = "mock")]
pub use personas::MockPersonaRepository;
pub use personas::{PersonaRepository, SeaOrmPersonaRepository};

#[cfg(feature = "mock")]
pub use taskmaster::MockTaskRepository;
pub use taskmaster::{SeaOrmTaskRepository, TaskRepository};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
