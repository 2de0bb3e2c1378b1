//! Migration tracks: independent migrators, each with its own tracking table, that together make
//! up a memdb schema.
//!
//! A [`Track`] is plain data a crate can declare as a `const`: its name, its tracking table, the
//! tables it creates, the tracks it builds on, and its migrator behind the object-safe
//! [`TrackMigrator`] (sea-orm-migration's [`MigratorTrait`] has only static methods, so
//! [`MigratorTrack`] adapts any migrator type). A binary assembles the tracks it was built
//! with into [`Tracks`], which checks them and orders them dependencies first; the functions of
//! [`crate::inspect`] and [`crate::plan`] work over that list.
//!
//! ```
//! use memdb_migration::{LEGACY_TRACK, MigratorTrack, Track, Tracks};
//! # mod enhanced { pub struct Migrator; }
//! # use sea_orm_migration::prelude::*;
//! # #[async_trait::async_trait]
//! # impl MigratorTrait for enhanced::Migrator {
//! #     fn migrations() -> Vec<Box<dyn MigrationTrait>> { Vec::new() }
//! #     fn migration_table_name() -> DynIden { "memdb_enhanced_migrations".into_iden() }
//! # }
//! const ENHANCED: Track = Track {
//!     name: "enhanced",
//!     tracking_table: "memdb_enhanced_migrations",
//!     tables: &["document_embeddings"],
//!     depends_on: &["legacy"],
//!     disposable: false,
//!     migrator: &MigratorTrack::<enhanced::Migrator>::new(),
//! };
//! let tracks = Tracks::new([ENHANCED, LEGACY_TRACK]).unwrap();
//! assert_eq!(tracks.names(), ["legacy", "enhanced"]);
//! ```

mod error;
mod list;

use std::fmt;
use std::marker::PhantomData;

use sea_orm_migration::MigratorTrait;
use sea_orm_migration::async_trait::async_trait;
use sea_orm_migration::sea_orm::{DatabaseExecutor, DbBackend, DbErr};

use crate::plan::Direction;

pub use error::{FailedMigration, TrackError};
pub use list::{COPY_PROGRESS_TABLE, Tracks};

/// One migration track: a migrator with its own tracking table and the tables it creates.
#[derive(Clone, Copy)]
pub struct Track {
    /// The name operators use (`memdb migrate down --track <name>`), unique in a list.
    pub name: &'static str,
    /// The table the migrator records applied migrations in; must be the migrator's
    /// `migration_table_name` ([`Tracks::new`] checks).
    pub tracking_table: &'static str,
    /// The tables the track creates, parents first.
    pub tables: &'static [&'static str],
    /// Names of the tracks whose tables this track builds on: they are applied before it and
    /// cannot be rolled back while it is applied.
    pub depends_on: &'static [&'static str],
    /// Whether the track's tables hold only data that can be rebuilt (a cache): when `up` finds
    /// the track applied at another schema version than this build's, it drops the tables and
    /// creates them empty at this build's version instead of migrating them
    /// ([`crate::plan::Operation::Recreate`]). No track may depend on a disposable track.
    pub disposable: bool,
    /// What runs the track's migrations.
    pub migrator: &'static dyn TrackMigrator,
}

impl Track {
    /// Whether `table` is one of the track's tables, its tracking table or its checksum table.
    #[must_use]
    pub fn owns(&self, table: &str) -> bool {
        self.tracking_table == table
            || self.tables.contains(&table)
            || table == self.checksum_table()
    }

    /// The table beside the tracking table that records each applied migration's checksum:
    /// `<tracking_table>_checksums`.
    #[must_use]
    pub fn checksum_table(&self) -> String {
        format!("{}_checksums", self.tracking_table)
    }
}

impl fmt::Debug for Track {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Track")
            .field("name", &self.name)
            .field("tracking_table", &self.tracking_table)
            .field("tables", &self.tables)
            .field("depends_on", &self.depends_on)
            .field("disposable", &self.disposable)
            .finish_non_exhaustive()
    }
}

/// The migrator operations a track needs, callable through a trait object.
///
/// Reading a track's state is not among them: [`crate::inspect`] reads the tracking table
/// itself, so an applied migration this build does not know is reported instead of failing.
#[async_trait]
pub trait TrackMigrator: Send + Sync {
    /// The migrations' names, oldest first.
    fn migration_names(&self) -> Vec<String>;

    /// The name of the table the migrator records applied migrations in.
    fn tracking_table(&self) -> String;

    /// Creates the tracking table if it does not exist (as the migrator itself would).
    ///
    /// # Errors
    /// The database's error.
    async fn install(&self, db: DatabaseExecutor<'_>) -> Result<(), DbErr>;

    /// Applies the next `steps` pending migrations, creating the tracking table if needed.
    /// `db` is a connection, or a transaction the caller commits (memdb runs each migration in
    /// one, so a failed migration leaves the version before it).
    ///
    /// # Errors
    /// The migrator's error; a migration that failed is not recorded.
    async fn up(&self, db: DatabaseExecutor<'_>, steps: u32) -> Result<(), DbErr>;

    /// Rolls back the `steps` most recently applied migrations.
    ///
    /// # Errors
    /// The migrator's error.
    async fn down(&self, db: DatabaseExecutor<'_>, steps: u32) -> Result<(), DbErr>;

    /// Rolls back every applied migration and drops the tracking table.
    ///
    /// # Errors
    /// The migrator's error.
    async fn reset(&self, db: DatabaseExecutor<'_>) -> Result<(), DbErr>;

    /// Drops every table in the schema (every track's and any other), then applies every
    /// migration of this track.
    ///
    /// # Errors
    /// The migrator's error.
    async fn fresh(&self, db: DatabaseExecutor<'_>) -> Result<(), DbErr>;

    /// The SQL migration `name` runs in `direction` on an empty `backend` database, without a
    /// database ([`crate::sql::render`]).
    ///
    /// # Errors
    /// `DbErr::Migration` for a name the migrator does not have; the migration's error.
    async fn render(
        &self,
        name: &str,
        direction: Direction,
        backend: DbBackend,
    ) -> Result<Vec<String>, DbErr>;
}

/// [`TrackMigrator`] for any sea-orm-migration migrator type `M`.
pub struct MigratorTrack<M>(PhantomData<fn() -> M>);

impl<M> MigratorTrack<M> {
    /// The adapter; `const`, so a [`Track`] can hold `&MigratorTrack::<M>::new()`.
    #[must_use]
    pub const fn new() -> Self {
        Self(PhantomData)
    }
}

impl<M> Default for MigratorTrack<M> {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl<M: MigratorTrait> TrackMigrator for MigratorTrack<M> {
    fn migration_names(&self) -> Vec<String> {
        M::migrations()
            .iter()
            .map(|migration| migration.name().to_owned())
            .collect()
    }

    fn tracking_table(&self) -> String {
        M::migration_table_name().to_string()
    }

    async fn install(&self, db: DatabaseExecutor<'_>) -> Result<(), DbErr> {
        M::install(&db).await
    }

    async fn up(&self, db: DatabaseExecutor<'_>, steps: u32) -> Result<(), DbErr> {
        M::up(db, Some(steps)).await
    }

    async fn down(&self, db: DatabaseExecutor<'_>, steps: u32) -> Result<(), DbErr> {
        M::down(db, Some(steps)).await
    }

    async fn reset(&self, db: DatabaseExecutor<'_>) -> Result<(), DbErr> {
        M::reset(db).await
    }

    async fn fresh(&self, db: DatabaseExecutor<'_>) -> Result<(), DbErr> {
        M::fresh(db).await
    }

    async fn render(
        &self,
        name: &str,
        direction: Direction,
        backend: DbBackend,
    ) -> Result<Vec<String>, DbErr> {
        let migration = M::migrations()
            .into_iter()
            .find(|m| m.name() == name)
            .ok_or_else(|| DbErr::Migration(format!("no migration named {name}")))?;
        crate::sql::render(migration.as_ref(), direction, backend).await
    }
}
