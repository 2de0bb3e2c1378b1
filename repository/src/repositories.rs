//! [`Repositories`]: every repository on one executor, as trait objects, and the unit of work
//! that runs several repository calls in one transaction.

use std::future::Future;
use std::sync::Arc;

use sea_orm::{ConnectionTrait, DatabaseConnection};

use crate::connect::connect;
use crate::documents::{DocumentRepository, SeaOrmDocumentRepository};
use crate::error::{RepoError, RepoResult};
use crate::executor::{Executor, SharedTransaction};
use crate::knowledge::{KnowledgeRepository, SeaOrmKnowledgeRepository};
use crate::organizations::{OrganizationRepository, SeaOrmOrganizationRepository};
use crate::personas::{PersonaRepository, SeaOrmPersonaRepository};
use crate::taskmaster::{SeaOrmTaskRepository, TaskRepository};

/// All memdb repositories sharing one executor: the pool (`Repositories`, the default) or a
/// unit of work (`Repositories<SharedTransaction>`, handed out by
/// [`Repositories::transaction`]). Clone it freely: clones share the pool or the transaction.
///
/// The schema must exist: run `memdb init` (or `memdb_migration::Migrator::up`) first.
#[derive(Clone)]
pub struct Repositories<C = DatabaseConnection> {
    /// Organizations, the tenants that own documents.
    pub organizations: Arc<dyn OrganizationRepository>,
    /// Documents.
    pub documents: Arc<dyn DocumentRepository>,
    /// Knowledge items and their relationships.
    pub knowledge: Arc<dyn KnowledgeRepository>,
    /// The task queue.
    pub tasks: Arc<dyn TaskRepository>,
    /// Personas.
    pub personas: Arc<dyn PersonaRepository>,
    db: C,
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
}

impl<C: Executor> Repositories<C> {
    /// Builds every repository on an existing pool (or transaction).
    #[must_use]
    pub fn from_connection(db: C) -> Self {
        Self {
            organizations: Arc::new(SeaOrmOrganizationRepository::new(db.clone())),
            documents: Arc::new(SeaOrmDocumentRepository::new(db.clone())),
            knowledge: Arc::new(SeaOrmKnowledgeRepository::new(db.clone())),
            tasks: Arc::new(SeaOrmTaskRepository::new(db.clone())),
            personas: Arc::new(SeaOrmPersonaRepository::new(db.clone())),
            db,
        }
    }

    /// The executor the repositories share (for migrations or a caller's own queries).
    #[must_use]
    pub fn connection(&self) -> &C {
        &self.db
    }

    /// Runs `work` as one unit of work: every repository call it makes through the
    /// [`Repositories`] it is handed runs in one transaction, committed when `work` returns
    /// `Ok` and rolled back when it returns `Err` or panics. Nothing `work` wrote is visible to
    /// others before the commit.
    ///
    /// On SQLite the transaction begins `IMMEDIATE`: it holds the database's write lock from
    /// the start, so keep units of work short, and make every call inside through the handed
    /// repositories (a call through the pool would wait for the lock this one holds). Called
    /// on a unit of work's own repositories, `transaction` nests as a savepoint. When a call
    /// inside fails, return its error from `work`: on PostgreSQL a failed statement aborts the
    /// whole transaction, so the unit of work can only be rolled back. The rows a call locks
    /// (a task that gains a dependent, a task being completed) stay locked until the unit of
    /// work ends: two units that lock the same rows in opposite orders can deadlock, and
    /// PostgreSQL then fails one of them with [`RepoError::Retryable`](crate::RepoError::Retryable).
    ///
    /// ```no_run
    /// # async fn demo(repos: memdb_repository::Repositories) -> memdb_repository::RepoResult<()> {
    /// use memdb_repository::taskmaster::NewTask;
    /// let task = repos
    ///     .transaction(|tx| async move {
    ///         let first = tx.tasks.submit(NewTask::new("draft")).await?;
    ///         tx.tasks.submit(NewTask::new("review")).await?;
    ///         Ok(first)
    ///     })
    ///     .await?;
    /// # let _ = task; Ok(()) }
    /// ```
    ///
    /// # Errors
    /// `work`'s own error (after the rollback); `Db` when the transaction cannot begin, commit
    /// or roll back; `Validation` (field `transaction`) when `work` kept a clone of the handed
    /// repositories beyond its end, which would let it write after the commit: nothing is
    /// committed then.
    pub async fn transaction<T, F, Fut>(&self, work: F) -> RepoResult<T>
    where
        F: FnOnce(Repositories<SharedTransaction>) -> Fut,
        Fut: Future<Output = RepoResult<T>>,
    {
        unit_of_work(&self.db, |tx| work(Repositories::from_connection(tx))).await
    }
}

/// Runs `work` on a transaction begun on `db` (a savepoint when `db` is itself a unit of work):
/// committed when `work` returns `Ok`, rolled back when it returns `Err` or panics. The building
/// block of [`Repositories::transaction`], for sets of repositories of other crates (the enhanced
/// ones) to offer the same unit of work.
///
/// # Errors
/// As [`Repositories::transaction`].
pub async fn unit_of_work<C, T, F, Fut>(db: &C, work: F) -> RepoResult<T>
where
    C: Executor,
    F: FnOnce(SharedTransaction) -> Fut,
    Fut: Future<Output = RepoResult<T>>,
{
    let txn = SharedTransaction::new(db.begin_write().await?);
    let outcome = work(txn.clone()).await;
    // A panic in `work` unwinds past this point: dropping the last handle rolls back.
    let Some(txn) = txn.into_inner() else {
        return Err(RepoError::invalid(
            "transaction",
            "a unit of work's repositories were kept beyond its end; nothing was committed",
        ));
    };
    match outcome {
        Ok(value) => {
            txn.commit().await?;
            Ok(value)
        }
        Err(err) => {
            txn.rollback().await?;
            Err(err)
        }
    }
}

impl<C: ConnectionTrait> std::fmt::Debug for Repositories<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Repositories")
            .field("backend", &self.db.get_database_backend())
            .finish_non_exhaustive()
    }
}
