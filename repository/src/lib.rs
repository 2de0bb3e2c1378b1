//! memdb repositories: one async trait per aggregate, its SeaORM implementation, mockall mocks
//! behind the `mock` feature, the domain types, and the connection setup.

mod connect;
pub mod documents;
mod error;
mod ids;
mod page;
mod validate;

pub use connect::{DEFAULT_DATABASE_URL, connect, database_url_from_env, redact_url};
pub use error::{RepoError, RepoResult};
pub use ids::{DocumentId, KnowledgeId, OrganizationId, PersonaId, TaskId};
pub use page::Page;

#[cfg(feature = "mock")]
pub use documents::MockDocumentRepository;
pub use documents::{DocumentRepository, SeaOrmDocumentRepository, content_hash};
