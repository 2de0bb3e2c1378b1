//! memdb repositories: one async trait per aggregate, its SeaORM implementation, mockall mocks
//! behind the `mock` feature, the domain types, and the connection setup.
//!
//! What every repository shares, legacy or enhanced, is public here too: [`RepoError`] and its
//! classification ([`DbResultExt`]), the [`Executor`] a SeaORM repository runs on (the pool or
//! a unit of work from [`Repositories::transaction`]), the [`query`] helpers, [`Page`],
//! [`limits`], and the [`db_enum!`] and [`sea_orm_repository!`] macros.

mod batch;
mod connect;
mod db_enum;
pub mod defaults;
pub mod documents;
mod error;
mod executor;
mod ids;
pub mod knowledge;
pub mod limits;
pub mod organizations;
mod page;
pub mod personas;
pub mod query;
mod repositories;
pub mod taskmaster;
mod validate;

pub use connect::{
    ACQUIRE_TIMEOUT, CONNECT_TIMEOUT, DEFAULT_DATABASE_URL, connect, database_url_from_env,
    redact_url, with_sqlite_mode,
};
pub use db_enum::{UnknownValue, stored as stored_enum};
pub use error::{ConflictKind, DbResultExt, RepoError, RepoResult, Violation, violation};
pub use executor::{Executor, SharedTransaction};
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
pub use organizations::MockOrganizationRepository;
pub use organizations::{OrganizationRepository, SeaOrmOrganizationRepository};
#[cfg(feature = "mock")]
pub use personas::MockPersonaRepository;
pub use personas::{PersonaRepository, SeaOrmPersonaRepository};
#[cfg(feature = "mock")]
pub use taskmaster::MockTaskRepository;
pub use taskmaster::{SeaOrmTaskRepository, TaskRepository};

/// SeaORM, as memdb builds it: the API exposes its `DbErr` and `DatabaseConnection`, so a
/// service can name them without depending on a matching SeaORM itself.
pub use sea_orm;

/// What the exported macros refer to; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use serde;
}

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
