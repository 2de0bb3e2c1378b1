//! Auditing for every repository, opt-in: [`Audited`] wraps a repository and writes an audit
//! entry, with the row's images before and after, in the same transaction as each change.
//!
//! Each mutating call runs as a unit of work ([`memdb_repository::unit_of_work`]) on the
//! decorator's executor: it builds the wrapped repository on that transaction
//! ([`OnTransaction`]), locks the row it changes and reads its before image where there is one,
//! makes the change, and appends the entry through the [`AuditTrail`]'s sink on the same
//! transaction. The lock (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite's write transaction
//! holds the whole database already) makes the before image the row the change replaces even
//! while others change it at the same time, so a row's entries chain: each before image is the
//! previous after image. As the before image is read first, a call naming an unknown row with
//! bad input as well reports `NotFound` where the wrapped repository would report the input. When any step
//! fails, the audit write included, nothing of the call is committed. On the pool that is a
//! transaction of its own; inside a caller's unit of work it is a savepoint, so the call's
//! change and entry also roll back with the caller's work. Read-only calls go straight to the
//! wrapped repository, without a transaction and without an entry.
//!
//! The legacy traits do not change: `Audited<R>` implements each of them (organizations,
//! documents, personas, knowledge, tasks) for any `R` implementing it, and
//! [`audited_repositories`] gives a whole audited [`Repositories`] set
//! ([`EnhancedRepositories::audited`](crate::EnhancedRepositories::audited) for the enhanced
//! set).
//!
//! ```no_run
//! # async fn demo(db: memdb_repository::sea_orm::DatabaseConnection) -> memdb_repository::RepoResult<()> {
//! use memdb_enhanced_repository::audited::{AuditTrail, Audited};
//! use memdb_repository::organizations::NewOrganization;
//! use memdb_repository::{OrganizationRepository, SeaOrmOrganizationRepository};
//!
//! let trail = AuditTrail::new("billing-service")?;
//! let organizations =
//!     Audited::new(SeaOrmOrganizationRepository::new(db.clone()), db, trail);
//! let input = NewOrganization {
//!     name: "Acme".into(),
//!     slug: "acme".into(),
//!     metadata: serde_json::json!({}),
//! };
//! organizations.create(input).await?; // the organization and its audit entry, together
//! # Ok(()) }
//! ```

mod documents;
mod knowledge;
mod organizations;
mod personas;
mod tasks;
pub(crate) mod trail;

pub use self::trail::{AuditSink, AuditTrail};

use std::future::Future;
use std::sync::Arc;

use memdb_repository::{
    Executor, RepoResult, Repositories, SeaOrmDocumentRepository, SeaOrmKnowledgeRepository,
    SeaOrmOrganizationRepository, SeaOrmPersonaRepository, SeaOrmTaskRepository, SharedTransaction,
    unit_of_work,
};
use sea_orm::sea_query::Expr;
use sea_orm::{DatabaseConnection, EntityTrait, PrimaryKeyTrait, QuerySelect};
use uuid::Uuid;

use self::trail::Change;

/// The `entity` labels audited repositories write, for looking their entries up with
/// [`AuditRepository::for_row`](crate::audit::AuditRepository::for_row) and `for_entity`.
pub mod entities {
    /// An organization; id: its id.
    pub const ORGANIZATION: &str = "organization";
    /// A document; id: its id.
    pub const DOCUMENT: &str = "document";
    /// A persona; id: its id.
    pub const PERSONA: &str = "persona";
    /// A knowledge item; id: its id.
    pub const KNOWLEDGE_ITEM: &str = "knowledge_item";
    /// An edge between knowledge items; id: `<source id>/<target id>/<relationship type>`.
    pub const KNOWLEDGE_RELATIONSHIP: &str = "knowledge_relationship";
    /// A task; id: its id.
    pub const TASK: &str = "task";
    /// A task's dependency on another task; id: `<task id>/<depends-on id>`.
    pub const TASK_DEPENDENCY: &str = "task_dependency";
    /// A memory entry; id: `<namespace>/<key>`.
    pub const MEMORY_ENTRY: &str = "memory_entry";
    /// An agent session; id: its id.
    pub const SESSION: &str = "session";
    /// Events appended to a session by one call; id: `<session id>/<first seq>-<last seq>`.
    pub const SESSION_EVENTS: &str = "session_events";
    /// A task's link to a session; id: `<session id>/<task id>`.
    pub const SESSION_TASK: &str = "session_task";
}

/// A repository that can be rebuilt on a unit of work's transaction: what [`Audited`] needs
/// to make a change and its audit entry commit together.
pub trait OnTransaction: Send + Sync {
    /// The same repository, running on a transaction.
    type Transactional: Send + Sync;

    /// The same repository, running on `tx`.
    fn on_transaction(&self, tx: SharedTransaction) -> Self::Transactional;
}

macro_rules! sea_orm_on_transaction {
    ($($repository:ident),+ $(,)?) => {
        $(
            impl<C: Executor> OnTransaction for $repository<C> {
                type Transactional = $repository<SharedTransaction>;

                fn on_transaction(&self, tx: SharedTransaction) -> Self::Transactional {
                    $repository::new(tx)
                }
            }
        )+
    };
}

sea_orm_on_transaction!(
    SeaOrmOrganizationRepository,
    SeaOrmDocumentRepository,
    SeaOrmPersonaRepository,
    SeaOrmKnowledgeRepository,
    SeaOrmTaskRepository,
);

/// A repository whose every change is audited (see the [module docs](self)).
///
/// It implements the same legacy trait as the repository it wraps.
#[derive(Clone, Debug)]
pub struct Audited<R, C = DatabaseConnection> {
    inner: R,
    db: C,
    trail: AuditTrail,
}

/// Audited organizations on SeaORM.
pub type AuditedOrganizations<C = DatabaseConnection> = Audited<SeaOrmOrganizationRepository<C>, C>;
/// Audited documents on SeaORM.
pub type AuditedDocuments<C = DatabaseConnection> = Audited<SeaOrmDocumentRepository<C>, C>;
/// Audited personas on SeaORM.
pub type AuditedPersonas<C = DatabaseConnection> = Audited<SeaOrmPersonaRepository<C>, C>;
/// Audited knowledge on SeaORM.
pub type AuditedKnowledge<C = DatabaseConnection> = Audited<SeaOrmKnowledgeRepository<C>, C>;
/// Audited tasks on SeaORM.
pub type AuditedTasks<C = DatabaseConnection> = Audited<SeaOrmTaskRepository<C>, C>;

impl<R: OnTransaction, C: Executor> Audited<R, C> {
    /// `inner` audited under `trail`. `db` is the executor `inner` runs on (the pool, or a
    /// caller's unit of work): each change runs in a transaction begun on it.
    #[must_use]
    pub fn new(inner: R, db: C, trail: AuditTrail) -> Self {
        Self { inner, db, trail }
    }

    /// The trail the entries are written to.
    #[must_use]
    pub fn trail(&self) -> &AuditTrail {
        &self.trail
    }

    /// Runs `work` on the wrapped repository rebuilt on a new transaction (a savepoint inside
    /// a unit of work), which `work` is handed too, and appends the one change it reports,
    /// committing both or neither.
    async fn change<T, F, Fut>(&self, work: F) -> RepoResult<T>
    where
        T: Send,
        F: FnOnce(R::Transactional, SharedTransaction) -> Fut + Send,
        Fut: Future<Output = RepoResult<(T, Change)>> + Send,
    {
        self.changes(|repo, tx| async move {
            let (value, change) = work(repo, tx).await?;
            Ok((value, vec![change]))
        })
        .await
    }

    /// As [`Audited::change`], for a call that changes several rows: their entries reach the
    /// sink in one call ([`AuditRepository::append_many`](crate::audit::AuditRepository::append_many)).
    async fn changes<T, F, Fut>(&self, work: F) -> RepoResult<T>
    where
        T: Send,
        F: FnOnce(R::Transactional, SharedTransaction) -> Fut + Send,
        Fut: Future<Output = RepoResult<(T, Vec<Change>)>> + Send,
    {
        unit_of_work(&self.db, |tx| async move {
            let repo = self.inner.on_transaction(tx.clone());
            let (value, changes) = work(repo, tx.clone()).await?;
            self.trail.record(tx, changes).await?;
            Ok(value)
        })
        .await
    }
}

/// Locks the row `id` of `E` until `tx` ends, so that no one else changes it between the read
/// of an audited call's before image and its change. A missing row locks nothing (the before
/// image's read then reports it).
async fn lock_row<E>(tx: &SharedTransaction, id: impl Into<Uuid>) -> RepoResult<()>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
{
    E::find_by_id(id.into())
        .select_only()
        .expr(Expr::cust("1"))
        .lock_exclusive()
        .into_tuple::<i32>()
        .one(tx)
        .await?;
    Ok(())
}

/// Every legacy repository on `db`, each audited under `trail`.
///
/// The set's own [`Repositories::transaction`] hands out plain repositories; for units of work
/// whose calls are audited too, use
/// [`EnhancedRepositories::transaction`](crate::EnhancedRepositories::transaction) on an
/// audited set.
#[must_use]
pub fn audited_repositories<C: Executor>(db: &C, trail: &AuditTrail) -> Repositories<C> {
    fn audit<R: OnTransaction, C: Executor>(
        build: impl FnOnce(C) -> R,
        db: &C,
        trail: &AuditTrail,
    ) -> Audited<R, C> {
        Audited::new(build(db.clone()), db.clone(), trail.clone())
    }
    let mut set = Repositories::from_connection(db.clone());
    set.organizations = Arc::new(audit(SeaOrmOrganizationRepository::new, db, trail));
    set.documents = Arc::new(audit(SeaOrmDocumentRepository::new, db, trail));
    set.personas = Arc::new(audit(SeaOrmPersonaRepository::new, db, trail));
    set.knowledge = Arc::new(audit(SeaOrmKnowledgeRepository::new, db, trail));
    set.tasks = Arc::new(audit(SeaOrmTaskRepository::new, db, trail));
    set
}
