//! `memdb init`: bring a database to the current schema of every track, with its defaults.
//! Idempotent: on an up-to-date, seeded database it only reads (and takes the deploy lock).

use anyhow::{Context as _, Result};
use memdb_migration::cli::{Context, change, print_changes};
use memdb_migration::plan::Action;
use sea_orm::DatabaseConnection;

use crate::output::outln;
use crate::{seed, status};

/// Applies every track's pending migrations under the deploy lock, dependencies first
/// (printing each), seeds the defaults, then prints the status.
pub(crate) async fn run(db: &DatabaseConnection, ctx: &Context<'_>, url: &str) -> Result<()> {
    let outcome = change(db, ctx, Action::Up { steps: None }, None, None)
        .await
        .context("applying migrations")?;
    if outcome.nothing_to_do {
        outln!("schema up to date")?;
    } else {
        print_changes(&outcome)?;
    }
    seed::run_defaults(db).await?;
    outln!()?;
    status::run(db, ctx.tracks, url).await
}
