//! `memdb init`: bring a database to the current schema with its defaults. Idempotent: on an
//! up-to-date, seeded database it only reads.

use anyhow::{Context as _, Result};
use memdb_migration::{Migrator, MigratorTrait};
use sea_orm::DatabaseConnection;

use crate::output::outln;
use crate::{migrate, seed, status};

/// Applies pending migrations (printing each), seeds the defaults, then prints the status.
pub(crate) async fn run(db: &DatabaseConnection, url: &str) -> Result<()> {
    // The read-only check: an up-to-date database is not written to, not even the tracking
    // table `Migrator::up` would create.
    let pending = Migrator::get_pending_migrations_read_only(db)
        .await
        .context("reading the migration status")?;
    if pending.is_empty() {
        outln!("schema up to date")?;
    } else {
        let before = status::applied(db).await?;
        Migrator::up(db, None)
            .await
            .context("applying migrations")?;
        migrate::print_changes(&before, &status::applied(db).await?)?;
    }
    seed::run(db).await?;
    outln!()?;
    status::run(db, url).await
}
