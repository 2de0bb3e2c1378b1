//! memdb's opt-in enhanced schema on a migration track of its own.
//!
//! [`EnhancedMigrator`] records its migrations in `memdb_enhanced_migrations`, apart from the
//! legacy track's `seaql_migrations`, and [`ENHANCED_TRACK`] registers it with memdb-migration's
//! track machinery: it depends on the legacy track, is applied after it, and the legacy track
//! cannot be rolled back while it is applied. Its migrations only add tables and indexes (never
//! a change to a legacy table), adopt tables a hand-made setup left when they have the right
//! shape, and roll back to exactly the legacy schema.
//!
//! ```no_run
//! # async fn run(db: &sea_orm_migration::sea_orm::DatabaseConnection) -> Result<(), memdb_migration::TrackError> {
//! use memdb_migration::plan::{Action, execute, plan};
//! use memdb_migration::Tracks;
//! let tracks = Tracks::new(memdb_enhanced_migration::tracks().iter().copied())?;
//! execute(db, &plan(db, &tracks, Action::Up { steps: None }, None).await?).await?;
//! # Ok(()) }
//! ```

// Migrations follow sea-orm-migration's idiom of glob-importing its prelude and schema helpers,
// and a table's whole definition reads best as one function.
#![allow(clippy::wildcard_imports, clippy::too_many_lines)]

mod adopt;
mod references;
mod schema;

pub use memdb_migration::MigratorTrait;

use memdb_migration::{LEGACY_TRACK, MigratorTrack, Track};
use sea_orm_migration::prelude::*;

/// The enhanced track's tracking table.
pub const ENHANCED_TRACKING_TABLE: &str = "memdb_enhanced_migrations";

/// The enhanced track's migrator.
pub struct EnhancedMigrator;

#[async_trait::async_trait]
impl MigratorTrait for EnhancedMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        schema::migrations()
    }

    fn migration_table_name() -> DynIden {
        ENHANCED_TRACKING_TABLE.into_iden()
    }
}

/// Names of the tables the enhanced track creates, parents first.
pub const ENHANCED_TABLES: &[&str] = schema::TABLES;

/// The enhanced track: depends on the legacy track.
pub const ENHANCED_TRACK: Track = Track {
    name: "enhanced",
    tracking_table: ENHANCED_TRACKING_TABLE,
    tables: ENHANCED_TABLES,
    depends_on: &["legacy"],
    disposable: false,
    migrator: &MigratorTrack::<EnhancedMigrator>::new(),
};

/// The tracks a build with the enhanced schema has, dependencies first: legacy, then enhanced.
#[must_use]
pub fn tracks() -> &'static [Track] {
    &[LEGACY_TRACK, ENHANCED_TRACK]
}
