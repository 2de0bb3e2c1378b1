//! `memdb init`: bring a database to the current schema of every track, with its defaults.
//! Idempotent: on an up-to-date, seeded database it only reads.

use anyhow::{Context as _, Result};
use memdb_migration::Tracks;
use memdb_migration::plan::{self, Action};
use sea_orm::DatabaseConnection;

use crate::output::outln;
use crate::{migrate, seed, status};

/// Applies every track's pending migrations, dependencies first (printing each), seeds the
/// defaults, then prints the status.
pub(crate) async fn run(db: &DatabaseConnection, tracks: &Tracks, url: &str) -> Result<()> {
    // Planning only reads: an up-to-date database is not written to, not even the tracking
    // tables a migrator would create.
    let plan = plan::plan(db, tracks, Action::Up { steps: None }, None).await?;
    if plan.is_empty() {
        outln!("schema up to date")?;
    } else {
        let before = status::read(db, tracks).await?.applied_names();
        plan::execute(db, &plan)
            .await
            .context("applying migrations")?;
        migrate::print_changes(&before, &status::read(db, tracks).await?.applied_names())?;
    }
    seed::run(db).await?;
    outln!()?;
    status::run(db, tracks, url).await
}
