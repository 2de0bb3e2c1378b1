//! [`Repositories`]: every repository on one connection pool, as trait objects.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::connect::connect;
use crate::documents::{DocumentRepository, SeaOrmDocumentRepository};
use crate::error::RepoResult;
use crate::knowledge::{KnowledgeRepository, SeaOrmKnowledgeRepository};
use crate::personas::{PersonaRepository, SeaOrmPersonaRepository};
use crate::taskmaster::{SeaOrmTaskRepository, TaskRepository};

/// All memdb repositories sharing one pool. Clone it freely: clones share the pool.
///
/// The schema must exist: run `memdb init` (or `memdb_migration::Migrator::up`) first.
#[derive(Clone)]
pub struct Repositories {
    /// Documents and organizations.
    pub documents: Arc<dyn DocumentRepository>,
    /// Knowledge items and their relationships.
    pub knowledge: Arc<dyn KnowledgeRepository>,
    /// The task queue.
    pub tasks: Arc<dyn TaskRepository>,
    /// Personas.
    pub personas: Arc<dyn PersonaRepository>,
    db: DatabaseConnection,
}

impl Repositories {
    /// Opens `url` with [`connect`]'s settings and builds every repository on it.
    ///
    /// # Errors
    /// As [`connect`]: `Validation` for an unsupported URL, `Connect` when the database cannot
    /// be opened.
    pub async fn connect(url: &str) -> RepoResult<Self> {
        Ok(Self::from_connection(connect(url).await?))
    }

    /// Builds every repository on an existing pool.
    #[must_use]
    pub fn from_connection(db: DatabaseConnection) -> Self {
        Self {
            documents: Arc::new(SeaOrmDocumentRepository::new(db.clone())),
            knowledge: Arc::new(SeaOrmKnowledgeRepository::new(db.clone())),
            tasks: Arc::new(SeaOrmTaskRepository::new(db.clone())),
            personas: Arc::new(SeaOrmPersonaRepository::new(db.clone())),
            db,
        }
    }

    /// The pool the repositories share (for migrations or a caller's own queries).
    #[must_use]
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }
}

impl std::fmt::Debug for Repositories {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Repositories")
            .field("backend", &self.db.get_database_backend())
            .finish_non_exhaustive()
    }
}
