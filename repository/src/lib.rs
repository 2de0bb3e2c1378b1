//! memdb repositories: one async trait per aggregate, its SeaORM implementation, mockall mocks
//! behind the `mock` feature, the domain types, and the connection setup.

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
