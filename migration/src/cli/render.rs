//! What the read-only commands print: migration status, current versions and history, as
//! tables for people or JSON for scripts.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::checksums::Checksums;
use super::table;
use crate::inspect::{AppliedMigration, MigrationState, SchemaStatus, TrackStatus};
use crate::track::Track;

/// How a migration's state reads in `status`.
#[must_use]
pub fn state_label(state: MigrationState) -> &'static str {
    match state {
        MigrationState::Applied => "Applied",
        MigrationState::Pending => "Pending",
        MigrationState::Unknown => "applied, unknown to this build",
    }
}

/// The tracks `only` selects (every track for `None`).
fn selected<'a>(
    status: &'a SchemaStatus,
    only: Option<&'a str>,
) -> impl Iterator<Item = &'a TrackStatus> {
    status
        .tracks
        .iter()
        .filter(move |t| only.is_none_or(|name| t.track.name == name))
}

/// The migrations of every track (or only of `only`), then the unknown tracks (with every
/// track only).
#[must_use]
pub fn migrations(status: &SchemaStatus, checksums: &Checksums, only: Option<&str>) -> String {
    let mut out = String::new();
    for (i, track) in selected(status, only).enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&track_migrations(track, checksums));
    }
    if only.is_none() {
        out.push_str(&unknown_tracks(status));
    }
    out
}

/// [`migrations`] as JSON: `{"tracks": [{"name", "tracking_table", "migrations": [{"name",
/// "state", "checksum"}]}], "unknown_tracks": [{"tracking_table", "applied"}]}`, states
/// `applied`, `pending` or `unknown`, `checksum` the recorded one or null.
#[must_use]
pub fn migrations_json(status: &SchemaStatus, checksums: &Checksums, only: Option<&str>) -> Value {
    let tracks: Vec<Value> = selected(status, only)
        .map(|t| {
            let migrations: Vec<Value> = t
                .migrations
                .iter()
                .map(|m| {
                    json!({
                        "name": m.name,
                        "state": m.state.to_string().to_lowercase(),
                        "checksum": recorded(checksums, t.track.name, &m.name),
                    })
                })
                .collect();
            json!({
                "name": t.track.name,
                "tracking_table": t.track.tracking_table,
                "disposable": t.track.disposable,
                "migrations": migrations,
            })
        })
        .collect();
    let unknown: Vec<Value> = status
        .unknown_tracks
        .iter()
        .map(|u| json!({"tracking_table": u.tracking_table, "applied": u.applied}))
        .collect();
    json!({"tracks": tracks, "unknown_tracks": unknown})
}

/// A track's heading and its migrations as an aligned table, with a note under it when the
/// database records migrations this build does not know.
#[must_use]
pub fn track_migrations(status: &TrackStatus, checksums: &Checksums) -> String {
    let rows: Vec<Vec<String>> = status
        .migrations
        .iter()
        .map(|m| {
            vec![
                m.name.clone(),
                short(recorded(checksums, status.track.name, &m.name)),
                state_label(m.state).to_owned(),
            ]
        })
        .collect();
    let mut out = heading(&status.track);
    out.push_str(&table::render(&["MIGRATION", "CHECKSUM", "STATUS"], &rows));
    if status
        .migrations
        .iter()
        .any(|m| m.state == MigrationState::Unknown)
    {
        // Writing to a String cannot fail.
        let _ = if status.track.disposable {
            writeln!(
                out,
                "{} records migrations this build does not have (applied by another memdb \
                 build?): `up` recreates the track's tables empty at this build's version",
                status.track.tracking_table
            )
        } else {
            writeln!(
                out,
                "{} records migrations this build does not have (applied by a newer memdb \
                 build?): `up` refuses until that build is used",
                status.track.tracking_table
            )
        };
    }
    out
}

/// `track <name> (tracking table <table>[, depends on <names>][, disposable])`.
fn heading(track: &Track) -> String {
    let mut heading = format!(
        "track {} (tracking table {}",
        track.name, track.tracking_table
    );
    if !track.depends_on.is_empty() {
        let _ = write!(heading, ", depends on {}", track.depends_on.join(", "));
    }
    if track.disposable {
        heading.push_str(", disposable");
    }
    heading.push_str(")\n");
    heading
}

/// One paragraph per tracking table no known track owns, or nothing.
#[must_use]
pub fn unknown_tracks(status: &SchemaStatus) -> String {
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

/// Each selected track's most recently applied migration (the highest version recorded), or
/// `(none)`.
fn current_rows(status: &SchemaStatus, only: Option<&str>) -> Vec<(String, Option<String>, bool)> {
    selected(status, only)
        .map(|t| {
            let latest = t
                .migrations
                .iter()
                .filter(|m| m.state != MigrationState::Pending)
                .max_by(|a, b| a.name.cmp(&b.name));
            (
                t.track.name.to_owned(),
                latest.map(|m| m.name.clone()),
                latest.is_some_and(|m| m.state == MigrationState::Unknown),
            )
        })
        .collect()
}

/// `current` as a table: TRACK, CURRENT.
#[must_use]
pub fn current(status: &SchemaStatus, only: Option<&str>) -> String {
    let rows: Vec<Vec<String>> = current_rows(status, only)
        .into_iter()
        .map(|(track, version, unknown)| {
            let mut version = version.unwrap_or_else(|| "(none)".to_owned());
            if unknown {
                version.push_str(" (unknown to this build)");
            }
            vec![track, version]
        })
        .collect();
    table::render(&["TRACK", "CURRENT"], &rows)
}

/// `current` as JSON: `{"tracks": [{"name", "current", "known"}]}`, `current` null when
/// nothing is applied.
#[must_use]
pub fn current_json(status: &SchemaStatus, only: Option<&str>) -> Value {
    let tracks: Vec<Value> = current_rows(status, only)
        .into_iter()
        .map(|(track, version, unknown)| {
            json!({"name": track, "current": version, "known": !unknown})
        })
        .collect();
    json!({ "tracks": tracks })
}

/// `history` as a table: VERSION, TRACK, CHECKSUM (its first 12 hex digits), APPLIED AT (UTC).
#[must_use]
pub fn history(applied: &[AppliedMigration], checksums: &Checksums) -> String {
    let rows: Vec<Vec<String>> = applied
        .iter()
        .map(|m| {
            let mut version = m.version.clone();
            if !m.known {
                version.push_str(" (unknown to this build)");
            }
            let checksum = short(recorded(checksums, m.track, &m.version));
            vec![version, m.track.to_owned(), checksum, utc(m.applied_at)]
        })
        .collect();
    table::render(&["VERSION", "TRACK", "CHECKSUM", "APPLIED AT (UTC)"], &rows)
}

/// `history` as JSON: `{"migrations": [{"version", "track", "checksum", "applied_at",
/// "known"}]}`, `applied_at` in seconds since the Unix epoch, `checksum` null when none is
/// recorded.
#[must_use]
pub fn history_json(applied: &[AppliedMigration], checksums: &Checksums) -> Value {
    let migrations: Vec<Value> = applied
        .iter()
        .map(|m| {
            json!({
                "version": m.version,
                "track": m.track,
                "checksum": recorded(checksums, m.track, &m.version),
                "applied_at": m.applied_at,
                "known": m.known,
            })
        })
        .collect();
    json!({ "migrations": migrations })
}

/// The checksum recorded for `version` of `track`, if any.
fn recorded<'a>(checksums: &'a Checksums, track: &str, version: &str) -> Option<&'a str> {
    checksums
        .get(track)
        .and_then(|t| t.get(version))
        .map(String::as_str)
}

/// A checksum's first 12 hex digits, or `-`.
fn short(checksum: Option<&str>) -> String {
    checksum.map_or_else(|| "-".to_owned(), |c| c.chars().take(12).collect())
}

/// Seconds since the Unix epoch as `YYYY-MM-DD HH:MM:SS` (UTC), without a date library.
pub(crate) fn utc(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::utc;

    #[test]
    fn utc_formats_epoch_seconds() {
        assert_eq!(utc(0), "1970-01-01 00:00:00");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(utc(1_795_435_199), "2026-11-23 11:59:59");
    }
}
