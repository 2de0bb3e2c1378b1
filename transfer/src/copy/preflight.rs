//! The checks before anything is written, and preparing the target: which tracks and tables
//! the copy covers, then the target migrated to every track the source has, under the deploy
//! lock.

use std::time::Duration;

use memdb_migration::cli::{Context, DatabaseUrl};
use memdb_migration::plan::Action;
use memdb_migration::{Tracks, inspect};
use sea_orm::DatabaseConnection;

use super::endpoint::Endpoint;
use super::error::{CopyError, db_err};
use super::record::PROGRESS_TABLE;
use super::references::references;
use super::sql::is_plain_identifier;

/// What a copy covers.
#[derive(Debug)]
pub(crate) struct Scope {
    /// The tracks the source has, dependencies first.
    pub(crate) tracks: Tracks,
    /// The tables to copy, parents first.
    pub(crate) tables: Vec<&'static str>,
    /// Disposable tracks at another version in the source: their tables are left out, the
    /// target gets this build's version of them.
    pub(crate) left_out: Vec<&'static str>,
}

/// Checks the source (a memdb database whose every track this build has, at this build's
/// version), the `wanted` tables (plain names of the source's tracks' tables, their parent
/// tables selected too), and the target (no tables that are not memdb's); only reads.
pub(crate) async fn check(
    source: &DatabaseConnection,
    target: &DatabaseConnection,
    tracks: &Tracks,
    wanted: Option<&[String]>,
) -> Result<Scope, CopyError> {
    if let Some(names) = wanted
        && let Some(bad) = names.iter().find(|n| !is_plain_identifier(n))
    {
        return Err(CopyError::InvalidTableName { name: bad.clone() });
    }
    let status = inspect::schema_status(source, tracks)
        .await
        .map_err(db_err("reading the source's migrations"))?;
    if let Some(unknown) = status.unknown_tracks.first() {
        return Err(CopyError::UnknownSourceTrack {
            tracking_table: unknown.tracking_table.clone(),
        });
    }
    let mut present = Vec::new();
    let mut left_out = Vec::new();
    for track in &status.tracks {
        if !track.has_tracking_table || track.applied_count() == 0 {
            continue;
        }
        let unknown = track.unknown_versions();
        if (track.pending_count() > 0 || !unknown.is_empty()) && track.track.disposable {
            left_out.push(track.track.name);
        } else if track.pending_count() > 0 || !unknown.is_empty() {
            return Err(CopyError::SourceVersion {
                track: track.track.name.to_owned(),
                pending: track.pending_count(),
                unknown: unknown.join(", "),
            });
        }
        present.push(track.track);
    }
    if present.is_empty() {
        return Err(CopyError::NotMemdb);
    }
    let all: Vec<&'static str> = present
        .iter()
        .filter(|t| !left_out.contains(&t.name))
        .flat_map(|t| t.tables.iter().copied())
        .collect();
    let tables = match wanted {
        None => all,
        Some(names) => {
            if let Some(missing) = names.iter().find(|n| !all.contains(&n.as_str())) {
                return Err(CopyError::UnknownTable {
                    name: missing.clone(),
                    known: all.join(", "),
                });
            }
            let selected: Vec<&'static str> = all
                .into_iter()
                .filter(|t| names.iter().any(|n| n == t))
                .collect();
            check_parents(source, &selected).await?;
            selected
        }
    };
    let foreign: Vec<String> = inspect::foreign_tables(target, tracks)
        .await
        .map_err(db_err("reading the target's tables"))?
        .into_iter()
        .filter(|t| t != PROGRESS_TABLE)
        .collect();
    if !foreign.is_empty() {
        return Err(CopyError::TargetHasOtherData {
            tables: foreign.join(", "),
        });
    }
    let tracks = Tracks::new(present).map_err(|err| CopyError::Migrate(Box::new(err.into())))?;
    Ok(Scope {
        tracks,
        tables,
        left_out,
    })
}

/// Refuses a selection with a table whose referenced tables (other than itself) are not
/// selected: its rows would fail their foreign keys after the migrations were written.
async fn check_parents(source: &DatabaseConnection, selected: &[&str]) -> Result<(), CopyError> {
    for table in selected {
        let mut missing: Vec<String> = references(source, table)
            .await?
            .into_iter()
            .map(|r| r.parent)
            .filter(|p| p != table && !selected.contains(&p.as_str()))
            .collect();
        missing.sort();
        missing.dedup();
        if !missing.is_empty() {
            return Err(CopyError::MissingParentTables {
                table: (*table).to_owned(),
                parents: missing.join(", "),
            });
        }
    }
    Ok(())
}

/// Applies every pending migration of the scope's tracks to the target under the deploy lock
/// (as `memdb migrate up` does); returns the migrations applied.
pub(crate) async fn migrate_target(
    target: &DatabaseConnection,
    endpoint: &Endpoint,
    scope: &Scope,
    lock_timeout: Duration,
) -> Result<Vec<String>, CopyError> {
    let ctx = Context {
        tracks: &scope.tracks,
        database: endpoint.redacted(),
        url: DatabaseUrl::new(endpoint.url().to_owned()),
        lock_timeout,
    };
    let outcome =
        memdb_migration::cli::change(target, &ctx, Action::Up { steps: None }, None, None)
            .await
            .map_err(|err| CopyError::Migrate(Box::new(err)))?;
    Ok(outcome
        .after
        .into_iter()
        .filter(|m| !outcome.before.contains(m))
        .collect())
}
