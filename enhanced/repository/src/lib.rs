#![doc = include_str!("../README.md")]
//!
//! ## Layout
//!
//! One module per aggregate, as in memdb-repository: `<aggregate>/mod.rs` holds the trait (with
//! its mockall mock behind the `mock` feature) and the domain types, `<aggregate>/sea_orm.rs`
//! the SeaORM implementation, generic over memdb-repository's [`Executor`] so it runs on the
//! pool or inside a unit of work. Errors, paging, input checks, typed enum columns and the
//! query helpers are memdb-repository's own ([`RepoError`], [`Page`], `validate`, `db_enum!`,
//! `query`); the limits of the enhanced inputs are in [`limits`], one place. [`audited`] holds
//! the auditing decorator every legacy repository can be wrapped in.

pub mod agents;
pub mod audit;
pub mod audited;
pub mod checkpoints;
pub mod document_index;
pub mod file_hashes;
pub mod filters;
pub mod git_operations;
pub mod graph;
pub mod health_metrics;
pub mod ids;
mod input;
pub mod limits;
pub mod memory;
mod owners;
pub mod policies;
mod repositories;
pub mod sessions;
pub mod tags;
pub mod tiered;
pub mod violations;
mod window;

pub use agents::{AgentRepository, SeaOrmAgentRepository};
pub use audit::{AuditRepository, SeaOrmAuditRepository};
pub use audited::{AuditTrail, Audited};
pub use checkpoints::{CheckpointRepository, SeaOrmCheckpointRepository};
pub use document_index::{DocumentIndexRepository, SeaOrmDocumentIndexRepository};
pub use file_hashes::{FileHashRepository, SeaOrmFileHashRepository};
pub use filters::{CompareOp, JsonColumn, KeyPath, MetadataFilter, Scalar, metadata_condition};
pub use git_operations::{GitOperationRepository, SeaOrmGitOperationRepository};
pub use graph::{GraphRepository, SeaOrmGraphRepository};
pub use health_metrics::{HealthMetricRepository, SeaOrmHealthMetricRepository};
pub use ids::{
    AgentId, AuditEntryId, CheckpointId, DocumentIndexId, FileHashId, GitOperationId, GraphEdgeId,
    GraphNodeId, HealthMetricId, MemoryClusterId, MemoryEntryId, SessionId, TieredMemoryId,
    ViolationId,
};
pub use memdb_repository::{Executor, Page, RepoError, RepoResult, SharedTransaction};
pub use memory::{MemoryRepository, ScopedMemory, SeaOrmMemoryRepository};
pub use repositories::EnhancedRepositories;
pub use sessions::{SeaOrmSessionRepository, SessionRepository};
pub use tags::{SeaOrmTagRepository, TagRepository};
pub use tiered::{SeaOrmTieredMemoryRepository, TieredMemoryRepository};
pub use violations::{SeaOrmViolationRepository, ViolationRepository};
pub use window::TimeWindow;

#[cfg(feature = "mock")]
pub use agents::MockAgentRepository;
#[cfg(feature = "mock")]
pub use audit::MockAuditRepository;
#[cfg(feature = "mock")]
pub use checkpoints::MockCheckpointRepository;
#[cfg(feature = "mock")]
pub use document_index::MockDocumentIndexRepository;
#[cfg(feature = "mock")]
pub use file_hashes::MockFileHashRepository;
#[cfg(feature = "mock")]
pub use git_operations::MockGitOperationRepository;
#[cfg(feature = "mock")]
pub use graph::MockGraphRepository;
#[cfg(feature = "mock")]
pub use health_metrics::MockHealthMetricRepository;
#[cfg(feature = "mock")]
pub use memory::MockMemoryRepository;
#[cfg(feature = "mock")]
pub use sessions::MockSessionRepository;
#[cfg(feature = "mock")]
pub use tags::MockTagRepository;
#[cfg(feature = "mock")]
pub use tiered::MockTieredMemoryRepository;
#[cfg(feature = "mock")]
pub use violations::MockViolationRepository;
