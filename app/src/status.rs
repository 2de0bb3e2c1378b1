//! `memdb status`: what the database is, which migrations each track has, how full its tables
//! are, and which tracks in it this build does not know.
//!
//! Everything here only reads: the migration state comes from `memdb_migration::inspect`, which
//! never creates a tracking table and reports unknown migrations instead of failing.

use anyhow::{Context as _, Result};
use memdb_migration::Tracks;
use memdb_migration::cli::{checksums, render, table};
use memdb_migration::inspect::{self, SchemaStatus, TableRows};
use sea_orm::DatabaseConnection;

use crate::output::{out, outln};

/// Prints the whole status report: backend, redacted URL, then per track its migrations and
/// its tables' row counts, then the tracks this build does not know.
pub(crate) async fn run(db: &DatabaseConnection, tracks: &Tracks, url: &str) -> Result<()> {
    let status = read(db, tracks).await?;
    let checksums = checksums::recorded(db, &status)
        .await
        .context("reading the migration checksums")?;
    outln!(
        "backend:  {}",
        memdb_migration::dialect::backend_name(db.get_database_backend())
    )?;
    outln!("database: {}", memdb_repository::redact_url(url))?;
    for track in &status.tracks {
        let tables = inspect::row_counts(db, track.track.tables)
            .await
            .with_context(|| format!("counting the rows of track {}", track.track.name))?;
        outln!()?;
        out!("{}", render::track_migrations(track, &checksums))?;
        outln!()?;
        out!("{}", render_tables(&tables))?;
    }
    out!("{}", render::unknown_tracks(&status))?;
    Ok(())
}

/// Every track's migrations and the unknown tracks, without writing anything.
pub(crate) async fn read(db: &DatabaseConnection, tracks: &Tracks) -> Result<SchemaStatus> {
    inspect::schema_status(db, tracks)
        .await
        .context("reading the migration status")
}

/// The tables as an aligned two-column table; missing tables say `missing`.
fn render_tables(tables: &[TableRows]) -> String {
    let rows: Vec<Vec<String>> = tables
        .iter()
        .map(|t| {
            let rows = t
                .rows
                .map_or_else(|| "missing".to_owned(), |n| n.to_string());
            vec![t.name.to_owned(), rows]
        })
        .collect();
    table::render(&["TABLE", "ROWS"], &rows)
}
