//! Reading a database's migration state, without writing anything: no tracking table is
//! created, and a migration or a whole track this build does not know is reported, not an error.
//!
//! Tracking tables are read with a plain `SELECT` rather than through the migrators, which fail
//! on an applied migration they have no file for.
//!
//! A table is taken for the tracking table of a track this build does not know (one a newer
//! memdb build added) when it has exactly the tracking-table columns, `version` and
//! `applied_at`, and belongs to no known track. The shape says more than a name pattern would:
//! sea-orm-migration creates every tracking table with those two columns, whatever its name.

use std::fmt;

use sea_orm_migration::sea_orm::sea_query::{Alias, Expr, Order, Query};
use sea_orm_migration::sea_orm::{ConnectionTrait, DbErr};

use crate::dialect;
use crate::track::{Track, Tracks};

/// The columns of every sea-orm-migration tracking table.
const TRACKING_COLUMNS: [&str; 2] = ["applied_at", "version"];

/// Where one migration stands in a database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MigrationState {
    /// Recorded in the track's tracking table.
    Applied,
    /// Known to this build, not applied.
    Pending,
    /// Recorded in the track's tracking table, but this build has no such migration: a newer
    /// build applied it.
    Unknown,
}

impl fmt::Display for MigrationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Applied => "Applied",
            Self::Pending => "Pending",
            Self::Unknown => "Unknown",
        })
    }
}

/// One migration of a track and its state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MigrationEntry {
    /// The migration's name (its version in the tracking table).
    pub name: String,
    /// Where it stands.
    pub state: MigrationState,
}

/// One known track's migrations in a database: this build's migrations in order, then any
/// applied migration this build does not know.
#[derive(Clone, Debug)]
pub struct TrackStatus {
    /// The track.
    pub track: Track,
    /// Whether its tracking table exists.
    pub has_tracking_table: bool,
    /// Its migrations.
    pub migrations: Vec<MigrationEntry>,
}

impl TrackStatus {
    /// How many migrations the tracking table records (unknown ones included).
    #[must_use]
    pub fn applied_count(&self) -> usize {
        self.count(|s| s != MigrationState::Pending)
    }

    /// How many of this build's migrations are not applied.
    #[must_use]
    pub fn pending_count(&self) -> usize {
        self.count(|s| s == MigrationState::Pending)
    }

    /// The names of the applied migrations this build does not know.
    #[must_use]
    pub fn unknown_versions(&self) -> Vec<String> {
        self.names(|s| s == MigrationState::Unknown)
    }

    /// The names of this build's migrations that are not applied, oldest first.
    #[must_use]
    pub fn pending_names(&self) -> Vec<String> {
        self.names(|s| s == MigrationState::Pending)
    }

    /// The names of the applied migrations, in the order listed.
    #[must_use]
    pub fn applied_names(&self) -> Vec<String> {
        self.names(|s| s != MigrationState::Pending)
    }

    fn count(&self, keep: impl Fn(MigrationState) -> bool) -> usize {
        self.migrations.iter().filter(|m| keep(m.state)).count()
    }

    fn names(&self, keep: impl Fn(MigrationState) -> bool) -> Vec<String> {
        self.migrations
            .iter()
            .filter(|m| keep(m.state))
            .map(|m| m.name.clone())
            .collect()
    }
}

/// A tracking table no known track owns, most likely a newer memdb build's track.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownTrack {
    /// The tracking table's name.
    pub tracking_table: String,
    /// How many migrations it records.
    pub applied: u64,
}

/// The migration state of a whole database.
#[derive(Clone, Debug)]
pub struct SchemaStatus {
    /// Every known track, dependencies first.
    pub tracks: Vec<TrackStatus>,
    /// Tracking tables of tracks this build does not know, by name.
    pub unknown_tracks: Vec<UnknownTrack>,
}

impl SchemaStatus {
    /// The state of the track named `name`, if it is known.
    #[must_use]
    pub fn track(&self, name: &str) -> Option<&TrackStatus> {
        self.tracks.iter().find(|t| t.track.name == name)
    }

    /// The applied migrations of every known track, tracks in dependency order.
    #[must_use]
    pub fn applied_names(&self) -> Vec<String> {
        self.tracks
            .iter()
            .flat_map(TrackStatus::applied_names)
            .collect()
    }

    /// How many of this build's migrations are not applied, over every track.
    #[must_use]
    pub fn pending_count(&self) -> usize {
        self.tracks.iter().map(TrackStatus::pending_count).sum()
    }
}

/// One table and its row count, `None` when the table does not exist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableRows {
    /// The table's name.
    pub name: &'static str,
    /// Its row count, or `None` when it is missing.
    pub rows: Option<u64>,
}

/// Reads every known track's migrations and finds the tracking tables of unknown tracks.
///
/// # Errors
/// The database's error.
pub async fn schema_status(
    db: &impl ConnectionTrait,
    tracks: &Tracks,
) -> Result<SchemaStatus, DbErr> {
    let columns = dialect::schema_columns(db).await?;
    let mut known = Vec::with_capacity(tracks.iter().len());
    for track in tracks.iter() {
        let has_tracking_table = columns.contains_key(track.tracking_table);
        let recorded = if has_tracking_table {
            recorded_versions(db, track.tracking_table).await?
        } else {
            Vec::new()
        };
        known.push(TrackStatus {
            track: *track,
            has_tracking_table,
            migrations: merge(track.migrator.migration_names(), &recorded),
        });
    }
    let mut unknown_tracks = Vec::new();
    for (table, table_columns) in &columns {
        if !tracks.owns(table) && table_columns.iter().eq(TRACKING_COLUMNS) {
            unknown_tracks.push(UnknownTrack {
                tracking_table: table.clone(),
                applied: count_rows(db, table).await?,
            });
        }
    }
    Ok(SchemaStatus {
        tracks: known,
        unknown_tracks,
    })
}

/// One applied migration as its tracking table records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedMigration {
    /// The track whose tracking table records it.
    pub track: &'static str,
    /// The migration's name.
    pub version: String,
    /// When it was applied, in seconds since the Unix epoch (as sea-orm-migration records it).
    pub applied_at: i64,
    /// Whether this build knows the migration.
    pub known: bool,
}

/// Every applied migration of every known track, oldest first (by `applied_at`, then tracks in
/// dependency order, then version). Only reads; a missing tracking table records nothing.
///
/// # Errors
/// The database's error.
pub async fn history(
    db: &impl ConnectionTrait,
    tracks: &Tracks,
) -> Result<Vec<AppliedMigration>, DbErr> {
    let existing = dialect::schema_tables(db).await?;
    let mut applied = Vec::new();
    for (order, track) in tracks.iter().enumerate() {
        if !existing.iter().any(|t| t == track.tracking_table) {
            continue;
        }
        let known = track.migrator.migration_names();
        let query = Query::select()
            .columns([Alias::new("version"), Alias::new("applied_at")])
            .from(Alias::new(track.tracking_table))
            .order_by(Alias::new("version"), Order::Asc)
            .to_owned();
        for row in db.query_all(&query).await? {
            let version: String = row.try_get_by_index(0)?;
            applied.push((
                order,
                AppliedMigration {
                    track: track.name,
                    known: known.contains(&version),
                    version,
                    applied_at: row.try_get_by_index(1)?,
                },
            ));
        }
    }
    // A stable sort keeps tracks in dependency order and versions in order within a second.
    applied.sort_by_key(|(order, m)| (m.applied_at, *order));
    Ok(applied.into_iter().map(|(_, m)| m).collect())
}

/// Row counts of `tables`, in the order given; missing tables are `None`.
///
/// # Errors
/// The database's error.
pub async fn row_counts(
    db: &impl ConnectionTrait,
    tables: &[&'static str],
) -> Result<Vec<TableRows>, DbErr> {
    let existing = dialect::schema_tables(db).await?;
    let mut out = Vec::with_capacity(tables.len());
    for name in tables {
        let rows = if existing.iter().any(|t| t == name) {
            Some(count_rows(db, name).await?)
        } else {
            None
        };
        out.push(TableRows { name, rows });
    }
    Ok(out)
}

/// The sum of the row counts (missing tables count as empty).
#[must_use]
pub fn total_rows(tables: &[TableRows]) -> u64 {
    tables.iter().filter_map(|t| t.rows).sum()
}

/// Tables in the current schema that no known track owns (neither one of its tables nor its
/// tracking table), sorted. Dropping every table, as `fresh` does, would drop them too.
///
/// # Errors
/// The database's error.
pub async fn foreign_tables(
    db: &impl ConnectionTrait,
    tracks: &Tracks,
) -> Result<Vec<String>, DbErr> {
    Ok(dialect::schema_tables(db)
        .await?
        .into_iter()
        .filter(|table| !tracks.owns(table))
        .collect())
}

/// The versions a tracking table records, sorted.
async fn recorded_versions(
    db: &impl ConnectionTrait,
    tracking_table: &str,
) -> Result<Vec<String>, DbErr> {
    let query = Query::select()
        .column(Alias::new("version"))
        .from(Alias::new(tracking_table))
        .order_by(Alias::new("version"), Order::Asc)
        .to_owned();
    db.query_all(&query)
        .await?
        .iter()
        .map(|row| row.try_get_by_index::<String>(0))
        .collect()
}

/// This build's migrations with their state, then the recorded versions it does not know.
fn merge(known: Vec<String>, recorded: &[String]) -> Vec<MigrationEntry> {
    let unknown: Vec<MigrationEntry> = recorded
        .iter()
        .filter(|version| !known.contains(version))
        .map(|version| MigrationEntry {
            name: version.clone(),
            state: MigrationState::Unknown,
        })
        .collect();
    known
        .into_iter()
        .map(|name| {
            let state = if recorded.contains(&name) {
                MigrationState::Applied
            } else {
                MigrationState::Pending
            };
            MigrationEntry { name, state }
        })
        .chain(unknown)
        .collect()
}

/// `SELECT COUNT(*) FROM "<table>"`, the name quoted by SeaQuery.
async fn count_rows(db: &impl ConnectionTrait, table: &str) -> Result<u64, DbErr> {
    let query = Query::select()
        .expr(Expr::cust("COUNT(*)"))
        .from(Alias::new(table))
        .to_owned();
    let row = db
        .query_one(&query)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("COUNT(*) on {table} returned no row")))?;
    let count: i64 = row.try_get_by_index(0)?;
    u64::try_from(count).map_err(|_| DbErr::Custom(format!("{table} reports {count} rows")))
}

#[cfg(test)]
mod tests {
    use super::{MigrationState, merge};

    #[test]
    fn merge_lists_known_in_order_then_unknown() {
        let entries = merge(
            vec!["m1".into(), "m2".into(), "m3".into()],
            &["m1".into(), "m2".into(), "m9".into()],
        );
        let states: Vec<(&str, MigrationState)> =
            entries.iter().map(|e| (e.name.as_str(), e.state)).collect();
        assert_eq!(
            states,
            [
                ("m1", MigrationState::Applied),
                ("m2", MigrationState::Applied),
                ("m3", MigrationState::Pending),
                ("m9", MigrationState::Unknown),
            ]
        );
    }
}
