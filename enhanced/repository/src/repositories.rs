//! [`EnhancedRepositories`]: the legacy repositories and every enhanced one on one executor.

use std::future::Future;
use std::sync::Arc;

use memdb_repository::{Executor, RepoResult, Repositories, SharedTransaction, unit_of_work};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::agents::{AgentRepository, SeaOrmAgentRepository};
use crate::audit::{AuditRepository, SeaOrmAuditRepository};
use crate::audited::{AuditTrail, audited_repositories};
use crate::checkpoints::{CheckpointRepository, SeaOrmCheckpointRepository};
use crate::document_index::{DocumentIndexRepository, SeaOrmDocumentIndexRepository};
use crate::file_hashes::{FileHashRepository, SeaOrmFileHashRepository};
use crate::git_operations::{GitOperationRepository, SeaOrmGitOperationRepository};
use crate::graph::{GraphRepository, SeaOrmGraphRepository};
use crate::health_metrics::{HealthMetricRepository, SeaOrmHealthMetricRepository};
use crate::tags::{SeaOrmTagRepository, TagRepository};
use crate::tiered::{SeaOrmTieredMemoryRepository, TieredMemoryRepository};
use crate::violations::{SeaOrmViolationRepository, ViolationRepository};

/// Every memdb repository, legacy and enhanced, sharing one executor: the pool
/// (`EnhancedRepositories`, the default) or a unit of work (handed out by
/// [`EnhancedRepositories::transaction`]). Clone it freely: clones share the pool or the
/// transaction.
///
/// The schema must exist with both tracks applied: `memdb init` from a `memdb` built with the
/// `enhanced` feature, or `memdb_enhanced_migration`'s tracks in process.
#[derive(Clone)]
pub struct EnhancedRepositories<C = DatabaseConnection> {
    /// The legacy repositories, on the same executor; audited in a set from
    /// [`EnhancedRepositories::audited`].
    pub legacy: Repositories<C>,
    /// The hash history of file paths.
    pub file_hashes: Arc<dyn FileHashRepository>,
    /// Git operations and the paths they touched.
    pub git_operations: Arc<dyn GitOperationRepository>,
    /// Tag definitions and the tags on files.
    pub tags: Arc<dyn TagRepository>,
    /// Violations of rules in files.
    pub violations: Arc<dyn ViolationRepository>,
    /// The audit log.
    pub audit: Arc<dyn AuditRepository>,
    /// Health metrics.
    pub health_metrics: Arc<dyn HealthMetricRepository>,
    trail: Option<AuditTrail>,
    /// Graph nodes and edges, and traversals over them.
    pub graph: Arc<dyn GraphRepository>,
    /// Agents and their state transitions.
    pub agents: Arc<dyn AgentRepository>,
    /// Checkpoints of tasks.
    pub checkpoints: Arc<dyn CheckpointRepository>,
    /// Tiered memories and their clusters.
    pub tiered: Arc<dyn TieredMemoryRepository>,
    /// The document index and its nearest-neighbour search.
    pub document_index: Arc<dyn DocumentIndexRepository>,
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
            file_hashes: Arc::new(SeaOrmFileHashRepository::new(db.clone())),
            git_operations: Arc::new(SeaOrmGitOperationRepository::new(db.clone())),
            tags: Arc::new(SeaOrmTagRepository::new(db.clone())),
            violations: Arc::new(SeaOrmViolationRepository::new(db.clone())),
            audit: Arc::new(SeaOrmAuditRepository::new(db.clone())),
            health_metrics: Arc::new(SeaOrmHealthMetricRepository::new(db.clone())),
            trail: None,
            graph: Arc::new(SeaOrmGraphRepository::new(db.clone())),
            agents: Arc::new(SeaOrmAgentRepository::new(db.clone())),
            checkpoints: Arc::new(SeaOrmCheckpointRepository::new(db.clone())),
            tiered: Arc::new(SeaOrmTieredMemoryRepository::new(db.clone())),
            document_index: Arc::new(SeaOrmDocumentIndexRepository::new(db.clone())),
            db,
        }
    }

    /// The same repositories, with every change through the legacy ones audited as `actor`:
    /// each writes its audit entry, with the row's before and after images, in the change's own
    /// transaction, and a failed audit write rolls the change back (see
    /// [`audited`](crate::audited)). Units of work from [`transaction`](Self::transaction) on
    /// the returned set are audited too. The enhanced repositories are not audited.
    ///
    /// ```no_run
    /// # async fn demo(repos: memdb_enhanced_repository::EnhancedRepositories) -> memdb_repository::RepoResult<()> {
    /// use memdb_repository::personas::NewPersona;
    /// let audited = repos.audited("alice")?;
    /// let input = NewPersona {
    ///     name: "Reviewer".into(),
    ///     description: String::new(),
    ///     system_prompt: "You review.".into(),
    ///     traits: serde_json::json!({}),
    ///     is_active: true,
    /// };
    /// audited.legacy.personas.create(input).await?; // and an audit entry naming alice
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// `Validation` (field `actor`) for a bad actor name (see [`AuditTrail::new`]).
    pub fn audited(&self, actor: &str) -> RepoResult<Self> {
        Ok(self.audited_by(AuditTrail::new(actor)?))
    }

    /// As [`audited`](Self::audited), with entries written as `trail` says (its actor, its
    /// sink).
    #[must_use]
    pub fn audited_by(&self, trail: AuditTrail) -> Self {
        Self {
            legacy: audited_repositories(&self.db, &trail),
            trail: Some(trail),
            ..self.clone()
        }
    }

    /// The trail changes are audited to, when this set is audited.
    #[must_use]
    pub fn audit_trail(&self) -> Option<&AuditTrail> {
        self.trail.as_ref()
    }

    /// The executor the repositories share.
    #[must_use]
    pub fn connection(&self) -> &C {
        &self.db
    }

    /// Runs `work` as one unit of work over every repository, legacy and enhanced: committed
    /// when it returns `Ok`, rolled back on `Err` or panic (see
    /// [`Repositories::transaction`]). On an audited set, the handed repositories are audited
    /// by the same trail, each audited call a savepoint inside the unit of work.
    ///
    /// # Errors
    /// As [`Repositories::transaction`].
    pub async fn transaction<T, F, Fut>(&self, work: F) -> RepoResult<T>
    where
        F: FnOnce(EnhancedRepositories<SharedTransaction>) -> Fut,
        Fut: Future<Output = RepoResult<T>>,
    {
        let trail = self.trail.clone();
        unit_of_work(&self.db, |tx| {
            let repos = EnhancedRepositories::from_connection(tx);
            work(match trail {
                Some(trail) => repos.audited_by(trail),
                None => repos,
            })
        })
        .await
    }
}

impl<C: ConnectionTrait> std::fmt::Debug for EnhancedRepositories<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnhancedRepositories")
            .field("backend", &self.db.get_database_backend())
            .field("audited_as", &self.trail.as_ref().map(AuditTrail::actor))
            .finish_non_exhaustive()
    }
}
