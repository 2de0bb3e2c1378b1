#![doc = include_str!("../README.md")]
//!
//! ## Tracks
//!
//! [`Migrator`] is the legacy track ([`LEGACY_TRACK`]): the production tables every memdb build
//! relies on (`organizations`, `documents`, `knowledge_items`, `knowledge_relationships`,
//! `tasks`, `task_dependencies`, `personas`), recorded in `seaql_migrations`. Each migration runs
//! in a transaction on SQLite and PostgreSQL and has a real `down`.
//!
//! Other crates declare further tracks ([`Track`]), each with its own tracking table; a binary
//! puts the tracks it is built with in a [`Tracks`] list, reads their state with [`inspect`] and
//! moves them with [`plan`]:
//!
//! ```no_run
//! # async fn run(db: &sea_orm_migration::sea_orm::DatabaseConnection) -> Result<(), memdb_migration::TrackError> {
//! use memdb_migration::plan::{Action, execute, plan};
//! use memdb_migration::{Tracks, tracks};
//! let tracks = Tracks::new(tracks().iter().copied())?;
//! execute(db, &plan(db, &tracks, Action::Up { steps: None }, None).await?).await?;
//! # Ok(()) }
//! ```
//!
//! The legacy migrator can also be used on its own:
//!
//! ```no_run
//! # async fn run(db: &sea_orm_migration::sea_orm::DatabaseConnection) -> Result<(), sea_orm_migration::DbErr> {
//! use memdb_migration::{Migrator, MigratorTrait};
//! Migrator::up(db, None).await?;
//! # Ok(()) }
//! ```

// Migrations follow sea-orm-migration's idiom of glob-importing its prelude and schema helpers,
// and a table's whole definition reads best as one function.
#![allow(clippy::wildcard_imports, clippy::too_many_lines)]

#[cfg(feature = "cli")]
pub mod cli;
pub mod dialect;
pub mod drift;
pub mod inspect;
mod legacy;
pub mod plan;
pub mod sql;
mod track;

pub use sea_orm_migration::{MigrationStatus, MigratorTrait};
pub use track::{
    COPY_PROGRESS_TABLE, FailedMigration, MigratorTrack, Track, TrackError, TrackMigrator, Tracks,
};

use sea_orm_migration::prelude::*;

/// The legacy track's migrator, recorded in `seaql_migrations` (sea-orm-migration's default
/// tracking table, which production databases already have: never rename it).
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        legacy::migrations()
    }
}

/// Names of the tables the legacy track creates, in dependency order (parents first).
pub const LEGACY_TABLES: [&str; 7] = [
    "organizations",
    "documents",
    "knowledge_items",
    "knowledge_relationships",
    "tasks",
    "task_dependencies",
    "personas",
];

/// The legacy track: every memdb build has it, and every other track depends on it.
pub const LEGACY_TRACK: Track = Track {
    name: "legacy",
    tracking_table: "seaql_migrations",
    tables: &LEGACY_TABLES,
    depends_on: &[],
    disposable: false,
    migrator: &MigratorTrack::<Migrator>::new(),
};

/// The tracks this crate defines, dependencies first. A binary adds the tracks of the other
/// migration crates it is built with and checks the whole list with [`Tracks::new`].
#[must_use]
pub fn tracks() -> &'static [Track] {
    &[LEGACY_TRACK]
}
