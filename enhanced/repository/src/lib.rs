#![doc = include_str!("../README.md")]
//!
//! ## Layout
//!
//! One module per aggregate, as in memdb-repository: `<aggregate>/mod.rs` holds the trait (with
//! its mockall mock behind the `mock` feature) and the domain types, `<aggregate>/sea_orm.rs`
//! the SeaORM implementation, generic over memdb-repository's [`Executor`] so it runs on the
//! pool or inside a unit of work. Errors, paging, limits, typed enum columns and the query
//! helpers are memdb-repository's own ([`RepoError`], [`Page`], `db_enum!`, `query`).

pub mod graph;
mod ids;
pub mod limits;
mod repositories;

#[cfg(feature = "mock")]
pub use graph::MockGraphRepository;
pub use graph::{GraphRepository, SeaOrmGraphRepository};
pub use ids::{GraphEdgeId, GraphNodeId};
pub use memdb_repository::{Executor, Page, RepoError, RepoResult, SharedTransaction};
pub use repositories::EnhancedRepositories;
