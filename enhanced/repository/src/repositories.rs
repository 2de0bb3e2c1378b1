//! [`EnhancedRepositories`]: the legacy repositories and every enhanced one on one executor.

use std::future::Future;
use std::sync::Arc;

use memdb_repository::{Executor, RepoResult, Repositories, SharedTransaction, unit_of_work};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::graph::{GraphRepository, SeaOrmGraphRepository};

/// Every memdb repository, legacy and enhanced, sharing one executor: the pool
/// (`EnhancedRepositories`, the default) or a unit of work (handed out by
/// [`EnhancedRepositories::transaction`]). Clone it freely: clones share the pool or the
/// transaction.
///
/// The schema must exist with both tracks applied: `memdb init` from a `memdb` built with the
/// `enhanced` feature, or `memdb_enhanced_migration`'s tracks in process.
#[derive(Clone)]
pub struct EnhancedRepositories<C = DatabaseConnection> {
    /// The legacy repositories, on the same executor.
    pub legacy: Repositories<C>,
    /// Graph nodes and edges, and traversals over them.
    pub graph: Arc<dyn GraphRepository>,
    db: C,
}

impl EnhancedRepositories {
    /// Opens `url` with memdb's settings ([`memdb_repository::connect`]) and builds every
    /// repository on it.
    ///
    /// # Errors
    /// As [`memdb_repository::connect`]: `Validation` for an unsupported URL, `Connect` when the
    /// database cannot be opened.
    pub async fn connect(url: &str) -> RepoResult<Self> {
        Ok(Self::from_connection(memdb_repository::connect(url).await?))
    }
}

impl<C: Executor> EnhancedRepositories<C> {
    /// Builds every repository on an existing pool (or transaction).
    #[must_use]
    pub fn from_connection(db: C) -> Self {
        Self {
            legacy: Repositories::from_connection(db.clone()),
            graph: Arc::new(SeaOrmGraphRepository::new(db.clone())),
            db,
        }
    }

    /// The executor the repositories share.
    #[must_use]
    pub fn connection(&self) -> &C {
        &self.db
    }

    /// Runs `work` as one unit of work over every repository, legacy and enhanced: committed
    /// when it returns `Ok`, rolled back on `Err` or panic (see
    /// [`Repositories::transaction`]).
    ///
    /// # Errors
    /// As [`Repositories::transaction`].
    pub async fn transaction<T, F, Fut>(&self, work: F) -> RepoResult<T>
    where
        F: FnOnce(EnhancedRepositories<SharedTransaction>) -> Fut,
        Fut: Future<Output = RepoResult<T>>,
    {
        unit_of_work(&self.db, |tx| {
            work(EnhancedRepositories::from_connection(tx))
        })
        .await
    }
}

impl<C: ConnectionTrait> std::fmt::Debug for EnhancedRepositories<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnhancedRepositories")
            .field("backend", &self.db.get_database_backend())
            .finish_non_exhaustive()
    }
}
