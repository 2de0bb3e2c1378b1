//! The doctor's checks, each one row of its report. Everything here only reads the live
//! database (the expected schema is built in a scratch database, [`crate::dialect::scratch`]).

use sea_orm_migration::sea_orm::DatabaseConnection;

use super::{Check, EntitySet};
use crate::cli::checksums;
use crate::cli::error::CliError;
use crate::dialect::catalog::{self, Catalog};
use crate::dialect::{health, scratch};
use crate::drift::{self, Extras, entity};
use crate::inspect::{self, MigrationState, SchemaStatus, TrackStatus};
use crate::track::Tracks;

/// Runs every check: the backend's own, then per track its migrations and schema drift, the
/// tasks' counts of dependents, the unknown tracks, then each entity set against the live
/// schema.
pub(super) async fn run(
    db: &DatabaseConnection,
    tracks: &Tracks,
    entities: &[EntitySet],
) -> Result<Vec<Check>, CliError> {
    let mut checks: Vec<Check> = health::health_checks(db)
        .await?
        .into_iter()
        .map(|h| Check::new(h.name.to_owned(), h.findings, "no finding"))
        .collect();
    let status = inspect::schema_status(db, tracks).await?;
    let changed = checksums::changed(db, &status).await?;
    let live = catalog::read_catalog(db).await?;
    let expected = expected_catalog(db, tracks, &status).await?;
    for track in &status.tracks {
        let name = track.track.name;
        checks.push(pending(track));
        checks.push(Check::new(
            format!("unknown migrations ({name})"),
            track.unknown_versions(),
            "none",
        ));
        let mismatched = changed
            .iter()
            .filter(|c| c.track == name)
            .map(|c| {
                format!(
                    "{} recorded {}, this build {}",
                    c.version,
                    &c.recorded[..12.min(c.recorded.len())],
                    &c.current[..12.min(c.current.len())]
                )
            })
            .collect();
        checks.push(Check::new(
            format!("checksums ({name})"),
            mismatched,
            "every recorded checksum matches",
        ));
        let drift = drift::compare(&expected, &live, track.track.tables, Extras::Report);
        checks.push(Check::new(
            format!("schema drift ({name})"),
            drift.iter().map(ToString::to_string).collect(),
            &format!(
                "tables, columns and indexes match the {} applied migration(s)",
                applied_known(track)
            ),
        ));
    }
    checks.extend(super::task_counts::check(db).await?);
    checks.push(Check::new(
        "unknown tracks".to_owned(),
        status
            .unknown_tracks
            .iter()
            .map(|u| {
                format!(
                    "{} ({} migration(s) applied by a build with more tracks)",
                    u.tracking_table, u.applied
                )
            })
            .collect(),
        "none",
    ));
    for set in entities {
        let drift = entity::compare_entities(&set.entities, &live);
        checks.push(Check::new(
            format!("entity drift ({})", set.name),
            drift.iter().map(ToString::to_string).collect(),
            &format!("{} entities match the live tables", set.entities.len()),
        ));
    }
    Ok(checks)
}

/// The schema the applied migrations of every track create.
async fn expected_catalog(
    db: &DatabaseConnection,
    tracks: &Tracks,
    status: &SchemaStatus,
) -> Result<Catalog, CliError> {
    let counts: Vec<(&'static str, usize)> = status
        .tracks
        .iter()
        .map(|t| (t.track.name, applied_known(t)))
        .collect();
    Ok(scratch::migrated_catalog(db, tracks, &counts).await?)
}

fn applied_known(track: &TrackStatus) -> usize {
    track
        .migrations
        .iter()
        .filter(|m| m.state == MigrationState::Applied)
        .count()
}

fn pending(track: &TrackStatus) -> Check {
    let pending = track.pending_names();
    Check::new(
        format!("pending migrations ({})", track.track.name),
        pending,
        &format!("{} applied, none pending", applied_known(track)),
    )
}
