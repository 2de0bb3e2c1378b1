//! `memdb status`: what the database is, which migrations each track has, how full its tables
//! are, and which tracks in it this build does not know.
//!
//! Everything here only reads: the migration state comes from `memdb_migration::inspect`, which
//! never creates a tracking table and reports unknown migrations instead of failing.

use std::fmt::Write as _;

use anyhow::{Context as _, Result};
use memdb_migration::inspect::{self, MigrationState, SchemaStatus, TableRows, TrackStatus};
use memdb_migration::{Track, Tracks};
use sea_orm::DatabaseConnection;

use crate::output::{out, outln};
use crate::table;

/// Prints the whole status report: backend, redacted URL, then per track its migrations and
/// its tables' row counts, then the tracks this build does not know.
pub(crate) async fn run(db: &DatabaseConnection, tracks: &Tracks, url: &str) -> Result<()> {
    let status = read(db, tracks).await?;
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
        out!("{}", render_track(track))?;
        outln!()?;
        out!("{}", render_tables(&tables))?;
    }
    out!("{}", render_unknown_tracks(&status))?;
    Ok(())
}

/// Every track's migrations and the unknown tracks, without writing anything.
pub(crate) async fn read(db: &DatabaseConnection, tracks: &Tracks) -> Result<SchemaStatus> {
    inspect::schema_status(db, tracks)
        .await
        .context("reading the migration status")
}

/// The migrations of every track (or only of `only`), then the unknown tracks (with every
/// track only), as printed by `memdb migrate`.
pub(crate) fn render_migrations(status: &SchemaStatus, only: Option<&str>) -> String {
    let mut out = String::new();
    for (i, track) in status
        .tracks
        .iter()
        .filter(|t| only.is_none_or(|name| t.track.name == name))
        .enumerate()
    {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&render_track(track));
    }
    if only.is_none() {
        out.push_str(&render_unknown_tracks(status));
    }
    out
}

/// A track's heading and its migrations as an aligned table, with a note under it when the
/// database records migrations this build does not know.
fn render_track(status: &TrackStatus) -> String {
    let rows: Vec<Vec<String>> = status
        .migrations
        .iter()
        .map(|m| vec![m.name.clone(), m.state.to_string()])
        .collect();
    let mut out = heading(&status.track);
    out.push_str(&table::render(&["MIGRATION", "STATUS"], &rows));
    if status
        .migrations
        .iter()
        .any(|m| m.state == MigrationState::Unknown)
    {
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "{}: recorded in {} but not in this build (applied by a newer memdb build?)",
            MigrationState::Unknown,
            status.track.tracking_table
        );
    }
    out
}

/// `track <name> (tracking table <table>[, depends on <names>])`.
fn heading(track: &Track) -> String {
    let mut heading = format!(
        "track {} (tracking table {}",
        track.name, track.tracking_table
    );
    if !track.depends_on.is_empty() {
        let _ = write!(heading, ", depends on {}", track.depends_on.join(", "));
    }
    heading.push_str(")\n");
    heading
}

/// One paragraph per tracking table no known track owns, or nothing.
fn render_unknown_tracks(status: &SchemaStatus) -> String {
    let mut out = String::new();
    for unknown in &status.unknown_tracks {
        let _ = write!(
            out,
            "\nunknown track ({}, {} migrations applied) — created by a memdb build with more \
             tracks (newer, or built with more features)?\n",
            unknown.tracking_table, unknown.applied
        );
    }
    out
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
