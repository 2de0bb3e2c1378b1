//! [`Tracks`]: a checked list of tracks in dependency order.

use super::{Track, TrackError};

/// The tracks a build knows, checked and ordered so every track comes after the tracks it
/// depends on (otherwise in the order given).
#[derive(Clone, Debug)]
pub struct Tracks {
    ordered: Vec<Track>,
}

impl Tracks {
    /// Checks `tracks` and orders them dependencies first.
    ///
    /// # Errors
    /// [`TrackError::NoTracks`] for an empty list; [`TrackError::Duplicate`] when two tracks
    /// share a name, a tracking table or a table; [`TrackError::TrackingTableMismatch`] when a
    /// track's migrator records elsewhere than its `tracking_table`;
    /// [`TrackError::MissingDependency`] and [`TrackError::DependencyCycle`] for dependencies
    /// that cannot be satisfied; [`TrackError::DependsOnDisposable`] for a track built on a
    /// disposable track (whose tables may be dropped and recreated under it).
    pub fn new(tracks: impl IntoIterator<Item = Track>) -> Result<Self, TrackError> {
        let tracks: Vec<Track> = tracks.into_iter().collect();
        if tracks.is_empty() {
            return Err(TrackError::NoTracks);
        }
        check_unique(&tracks)?;
        for track in &tracks {
            let actual = track.migrator.tracking_table();
            if actual != track.tracking_table {
                return Err(TrackError::TrackingTableMismatch {
                    track: track.name.to_owned(),
                    declared: track.tracking_table.to_owned(),
                    actual,
                });
            }
            for dependency in track.depends_on {
                match tracks.iter().find(|t| t.name == *dependency) {
                    None => {
                        return Err(TrackError::MissingDependency {
                            track: track.name.to_owned(),
                            dependency: (*dependency).to_owned(),
                        });
                    }
                    Some(found) if found.disposable => {
                        return Err(TrackError::DependsOnDisposable {
                            track: track.name.to_owned(),
                            disposable: found.name.to_owned(),
                        });
                    }
                    Some(_) => {}
                }
            }
        }
        Ok(Self {
            ordered: dependency_order(tracks)?,
        })
    }

    /// The tracks, dependencies first.
    #[must_use]
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Track> + ExactSizeIterator {
        self.ordered.iter()
    }

    /// The tracks' names, dependencies first.
    #[must_use]
    pub fn names(&self) -> Vec<&'static str> {
        self.ordered.iter().map(|t| t.name).collect()
    }

    /// The track named `name`.
    ///
    /// # Errors
    /// [`TrackError::UnknownTrack`] naming the known tracks.
    pub fn get(&self, name: &str) -> Result<&Track, TrackError> {
        self.ordered
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| TrackError::UnknownTrack {
                name: name.to_owned(),
                known: self.names().join(", "),
            })
    }

    /// Every track that builds on `name`, directly or through another track, in dependency
    /// order.
    #[must_use]
    pub fn dependents(&self, name: &str) -> Vec<&Track> {
        let mut found: Vec<&Track> = Vec::new();
        // Dependency order puts every dependent after its dependencies: one pass finds them all.
        for track in &self.ordered {
            let depends = track
                .depends_on
                .iter()
                .any(|d| *d == name || found.iter().any(|f| f.name == *d));
            if depends {
                found.push(track);
            }
        }
        found
    }

    /// Every track `name` builds on, directly or through another track, in dependency order.
    #[must_use]
    pub fn dependencies(&self, name: &str) -> Vec<&Track> {
        let mut wanted: Vec<&str> = vec![name];
        let mut found: Vec<&Track> = Vec::new();
        // The reverse of dependency order meets every track before its dependencies.
        for track in self.ordered.iter().rev() {
            if track.name != name && wanted.contains(&track.name) {
                found.push(track);
            }
            if wanted.contains(&track.name) {
                wanted.extend(track.depends_on);
            }
        }
        found.reverse();
        found
    }

    /// Every table of every track, tracks in dependency order (tracking tables not included).
    #[must_use]
    pub fn tables(&self) -> Vec<&'static str> {
        self.ordered
            .iter()
            .flat_map(|t| t.tables.iter().copied())
            .collect()
    }

    /// Whether `table` is memdb's: one of a track's tables or its tracking table, or
    /// `memdb copy`'s progress table ([`COPY_PROGRESS_TABLE`], left by an interrupted copy).
    #[must_use]
    pub fn owns(&self, table: &str) -> bool {
        table == COPY_PROGRESS_TABLE || self.ordered.iter().any(|t| t.owns(table))
    }
}

/// The table in which `memdb copy` records its progress in the target until the copy has
/// run to its end (memdb's, though no track's).
pub const COPY_PROGRESS_TABLE: &str = "memdb_copy_progress";

/// Refuses two tracks with the same name, tracking table or table.
fn check_unique(tracks: &[Track]) -> Result<(), TrackError> {
    let mut names = Vec::new();
    let mut tables = Vec::new();
    for track in tracks {
        if names.contains(&track.name) {
            return Err(duplicate("name", track.name));
        }
        names.push(track.name);
        // A tracking table shared with another track's table would also be one table with
        // two owners.
        for table in std::iter::once(&track.tracking_table).chain(track.tables) {
            if tables.contains(table) {
                let what = if *table == track.tracking_table {
                    "tracking table"
                } else {
                    "table"
                };
                return Err(duplicate(what, table));
            }
            tables.push(*table);
        }
    }
    Ok(())
}

fn duplicate(what: &'static str, value: &str) -> TrackError {
    TrackError::Duplicate {
        what,
        value: value.to_owned(),
    }
}

/// `tracks` ordered so each comes after its dependencies, otherwise keeping the given order
/// (every dependency is known to be in the list).
fn dependency_order(mut rest: Vec<Track>) -> Result<Vec<Track>, TrackError> {
    let mut ordered: Vec<Track> = Vec::with_capacity(rest.len());
    while !rest.is_empty() {
        let ready = rest.iter().position(|track| {
            track
                .depends_on
                .iter()
                .all(|d| ordered.iter().any(|o| o.name == *d))
        });
        let Some(ready) = ready else {
            return Err(TrackError::DependencyCycle {
                tracks: rest.iter().map(|t| t.name.to_owned()).collect(),
            });
        };
        ordered.push(rest.remove(ready));
    }
    Ok(ordered)
}
