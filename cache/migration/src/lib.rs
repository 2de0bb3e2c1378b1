#![doc = include_str!("../README.md")]
//!
//! ```no_run
//! # async fn run(db: &sea_orm_migration::sea_orm::DatabaseConnection) -> Result<(), memdb_migration::TrackError> {
//! use memdb_migration::plan::{Action, execute, plan};
//! use memdb_migration::Tracks;
//! let tracks = Tracks::new(memdb_cache_migration::tracks().iter().copied())?;
//! for recreated in execute(db, &plan(db, &tracks, Action::Up { steps: None }, None).await?).await? {
//!     println!("recreated {}: {:?}", recreated.track, recreated.dropped);
//! }
//! # Ok(()) }
//! ```

// Migrations follow sea-orm-migration's idiom of glob-importing its prelude and schema helpers,
// and a table's whole definition reads best as one function.
#![allow(clippy::wildcard_imports, clippy::too_many_lines)]

mod schema;

pub use memdb_migration::MigratorTrait;

use memdb_migration::{LEGACY_TRACK, MigratorTrack, Track};
use sea_orm_migration::prelude::*;

/// The cache track's tracking table.
pub const CACHE_TRACKING_TABLE: &str = "memdb_cache_migrations";

/// The cache track's migrator.
pub struct CacheMigrator;

#[async_trait::async_trait]
impl MigratorTrait for CacheMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        schema::migrations()
    }

    fn migration_table_name() -> DynIden {
        CACHE_TRACKING_TABLE.into_iden()
    }
}

/// Names of the tables the cache track creates, parents first.
pub const CACHE_TABLES: &[&str] = schema::TABLES;

/// The cache track: disposable, applied after the legacy track (it references none of its
/// tables; the order only keeps every build's status listing legacy first).
pub const CACHE_TRACK: Track = Track {
    name: "cache",
    tracking_table: CACHE_TRACKING_TABLE,
    tables: CACHE_TABLES,
    depends_on: &["legacy"],
    disposable: true,
    migrator: &MigratorTrack::<CacheMigrator>::new(),
};

/// The tracks a build with the cache has, dependencies first: legacy, then cache.
#[must_use]
pub fn tracks() -> &'static [Track] {
    &[LEGACY_TRACK, CACHE_TRACK]
}
