#![doc = include_str!("../README.md")]
//!
//! ## Layout
//!
//! One module per aggregate, as in memdb-repository: `<aggregate>/mod.rs` holds the trait (with
//! its mockall mock behind the `mock` feature) and the domain types, `<aggregate>/sea_orm.rs`
//! the SeaORM implementation, generic over memdb-repository's [`Executor`] so it runs on the
//! pool or inside a unit of work. Errors, paging, limits, typed enum columns and the query
//! helpers are memdb-repository's own ([`RepoError`], [`Page`], `db_enum!`, `query`).
//! [`audited`] holds the auditing decorator every legacy repository can be wrapped in.

pub mod audit;
pub mod audited;
pub mod health_metrics;
mod ids;
pub mod limits;
mod repositories;
mod window;

pub use ids::{AuditEntryId, HealthMetricId};
pub use memdb_repository::{Executor, Page, RepoError, RepoResult, SharedTransaction};
pub use repositories::EnhancedRepositories;
pub use window::TimeWindow;

#[cfg(feature = "mock")]
pub use audit::MockAuditRepository;
pub use audit::{AuditRepository, SeaOrmAuditRepository};
pub use audited::{AuditTrail, Audited};
#[cfg(feature = "mock")]
pub use health_metrics::MockHealthMetricRepository;
pub use health_metrics::{HealthMetricRepository, SeaOrmHealthMetricRepository};
