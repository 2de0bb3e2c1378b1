//! Moving a database between schema versions over several tracks: [`plan`] decides, from the
//! database's current state, which migrator calls an action takes and refuses what would break a
//! track; [`execute`] runs the calls. Between the two, a caller can look at what the plan puts
//! at risk ([`Plan::tables_at_risk`]) and stop.
//!
//! Without a track named, actions cover every track: applying goes dependencies first, rolling
//! back dependents first, and `-n` steps count across tracks in that order (so `down -n 1`
//! rolls back the most recently applied migration of the most dependent applied track).
//! With a track named, rolling it back is refused while a track that depends on it has applied
//! migrations, and applying it is refused while a track it depends on has pending ones.
//! Rolling back is also refused while the database holds an applied track this build does not
//! know, and any action that would run a track's migrator is refused while that track's
//! tracking table records migrations this build does not know (the migrator would fail on them).
//! [`fresh`] always covers every track.
//!
//! A disposable track ([`Track::disposable`]) is never migrated from one schema version to
//! another: when `up` finds it applied at a version other than this build's (migrations
//! pending beside applied ones, or applied ones this build does not know), the plan recreates
//! it ([`Operation::Recreate`]): its tables are dropped with their rows and created empty at
//! this build's version. [`recreate`] plans that on purpose, and refuses a track that is not
//! disposable. No other track's tables are touched: no track may depend on a disposable one.
//!
//! [`execute`] runs each migration in a transaction of its own (a savepoint when the caller
//! passes a transaction, as the deploy lock does on SQLite): a migration that fails is rolled
//! back whole, the ones before it stay, and the error names it.

mod run;

use sea_orm_migration::sea_orm::ConnectionTrait;

pub use run::{Direction, Recreated, execute, fresh};

use crate::inspect::{SchemaStatus, TrackStatus, schema_status};
use crate::track::{Track, TrackError, Tracks};

/// What to do to the schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Apply pending migrations: all of them, or at most `steps`.
    Up {
        /// At most this many migrations; `None` for all.
        steps: Option<u32>,
    },
    /// Roll back the `steps` most recently applied migrations.
    Down {
        /// How many.
        steps: u32,
    },
    /// Roll back every applied migration and drop the tracking tables.
    Reset,
    /// Roll back every applied migration, then apply every migration.
    Refresh,
}

/// One migrator call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// Apply this many pending migrations.
    Up(u32),
    /// Roll back this many applied migrations.
    Down(u32),
    /// Roll back every applied migration and drop the tracking table.
    Reset,
    /// Drop a disposable track's tables and tracking table, rows and all, then apply every
    /// migration of the track onto the empty space: one transaction.
    Recreate,
}

/// One migrator call on one track.
#[derive(Clone, Debug)]
pub struct Step {
    /// The track whose migrator is called.
    pub track: Track,
    /// What it is asked to do.
    pub operation: Operation,
    /// The migrations it applies or rolls back, in the order it does.
    pub migrations: Vec<String>,
}

/// The migrator calls an action takes on a database, in order.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// The calls.
    pub steps: Vec<Step>,
}

impl Plan {
    /// Whether the plan changes nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The tables of every track the plan rolls back or recreates: their rows may be lost.
    #[must_use]
    pub fn tables_at_risk(&self) -> Vec<&'static str> {
        let mut tracks: Vec<&Track> = Vec::new();
        for step in &self.steps {
            if step.loses_rows() && !tracks.iter().any(|t| t.name == step.track.name) {
                tracks.push(&step.track);
            }
        }
        tracks
            .iter()
            .flat_map(|t| t.tables.iter().copied())
            .collect()
    }

    /// The disposable tracks the plan recreates.
    #[must_use]
    pub fn recreated_tracks(&self) -> Vec<&Track> {
        self.steps
            .iter()
            .filter(|s| s.operation == Operation::Recreate)
            .map(|s| &s.track)
            .collect()
    }
}

impl Step {
    /// Whether the step can lose rows: a roll back or a recreate.
    #[must_use]
    pub fn loses_rows(&self) -> bool {
        matches!(
            self.operation,
            Operation::Down(_) | Operation::Reset | Operation::Recreate
        )
    }
}

/// Works out the migrator calls `action` takes on `db`, on the track named `only` or on every
/// track. Only reads.
///
/// # Errors
/// [`TrackError::UnknownTrack`] for an `only` not in `tracks`; the refusals described in the
/// module documentation ([`TrackError::DependentApplied`], [`TrackError::DependencyPending`],
/// [`TrackError::UnknownMigrations`], [`TrackError::UnknownTrackApplied`]); the database's
/// error.
pub async fn plan(
    db: &impl ConnectionTrait,
    tracks: &Tracks,
    action: Action,
    only: Option<&str>,
) -> Result<Plan, TrackError> {
    let status = schema_status(db, tracks).await?;
    let scope: Vec<&TrackStatus> = match only {
        Some(name) => {
            let track = tracks.get(name)?;
            match action {
                Action::Up { .. } => refuse_pending_dependencies(tracks, &status, track)?,
                _ => refuse_applied_dependents(tracks, &status, track)?,
            }
            status.track(name).into_iter().collect()
        }
        None => status.tracks.iter().collect(),
    };
    let steps = match action {
        Action::Up { steps } => up_steps(&scope, steps),
        Action::Down { steps } => down_steps(&scope, Some(steps)),
        // A track that never recorded anything has nothing to reset.
        Action::Reset => scope
            .iter()
            .rev()
            .filter(|t| t.has_tracking_table)
            .map(|t| {
                let mut step = step(t, Operation::Reset);
                step.migrations = t.applied_names().into_iter().rev().collect();
                step
            })
            .collect(),
        Action::Refresh => {
            let mut steps = down_steps(&scope, None);
            steps.extend(scope.iter().map(|t| {
                let known = t.track.migrator.migration_names();
                let mut step = step(t, Operation::Up(to_u32(known.len())));
                step.migrations = known;
                step
            }));
            steps.retain(|s| !matches!(s.operation, Operation::Up(0)));
            steps
        }
    };
    checked(&status, Plan { steps })
}

/// Plans recreating the disposable track `name` (whatever its version): its tables dropped with
/// their rows, then created empty at this build's version. Only reads.
///
/// # Errors
/// [`TrackError::UnknownTrack`]; [`TrackError::NotDisposable`] for a track that is not
/// disposable; [`TrackError::DependencyPending`] while a track it builds on has pending
/// migrations; the database's error.
pub async fn recreate(
    db: &impl ConnectionTrait,
    tracks: &Tracks,
    name: &str,
) -> Result<Plan, TrackError> {
    let track = tracks.get(name)?;
    if !track.disposable {
        return Err(TrackError::NotDisposable {
            track: name.to_owned(),
        });
    }
    let status = schema_status(db, tracks).await?;
    refuse_pending_dependencies(tracks, &status, track)?;
    let mut step = step_of(*track, Operation::Recreate);
    step.migrations = track.migrator.migration_names();
    checked(&status, Plan { steps: vec![step] })
}

/// `plan`, once no step runs a migrator on versions it does not know and nothing is rolled back
/// under an unknown track.
fn checked(status: &SchemaStatus, plan: Plan) -> Result<Plan, TrackError> {
    for step in &plan.steps {
        // A recreate drops the tracking table, unknown versions and all: its migrator starts
        // from nothing.
        if step.operation != Operation::Recreate {
            refuse_unknown_versions(status, &step.track)?;
        }
    }
    let rolls_back = plan
        .steps
        .iter()
        .any(|s| matches!(s.operation, Operation::Down(_) | Operation::Reset));
    if rolls_back {
        refuse_unknown_tracks(status)?;
    }
    Ok(plan)
}

/// Whether `track` is a disposable track applied at a schema version other than this build's:
/// some migrations applied and some pending, or applied ones this build does not know.
fn needs_recreate(track: &TrackStatus) -> bool {
    track.track.disposable
        && track.applied_count() > 0
        && (track.pending_count() > 0 || !track.unknown_versions().is_empty())
}

/// Applies pending migrations in dependency order, at most `budget` in all; a disposable track
/// at another version is recreated instead (all its migrations, if the budget reaches it).
fn up_steps(scope: &[&TrackStatus], mut budget: Option<u32>) -> Vec<Step> {
    let mut steps = Vec::new();
    for track in scope {
        if needs_recreate(track) {
            // A recreate is all or nothing: it takes one step of the budget.
            if take(&mut budget, 1) == 1 {
                let mut step = step(track, Operation::Recreate);
                step.migrations = track.track.migrator.migration_names();
                steps.push(step);
            }
            continue;
        }
        let n = take(&mut budget, track.pending_count());
        if n > 0 {
            let mut step = step(track, Operation::Up(n));
            step.migrations = track.pending_names();
            step.migrations.truncate(n as usize);
            steps.push(step);
        }
    }
    steps
}

/// Rolls back applied migrations, dependents first, at most `budget` in all.
fn down_steps(scope: &[&TrackStatus], mut budget: Option<u32>) -> Vec<Step> {
    let mut steps = Vec::new();
    for track in scope.iter().rev() {
        let n = take(&mut budget, track.applied_count());
        if n > 0 {
            let mut step = step(track, Operation::Down(n));
            step.migrations = track.applied_names().into_iter().rev().collect();
            step.migrations.truncate(n as usize);
            steps.push(step);
        }
    }
    steps
}

/// `available`, or what is left of `budget` if that is less; the budget shrinks by the result.
fn take(budget: &mut Option<u32>, available: usize) -> u32 {
    let available = to_u32(available);
    match budget {
        None => available,
        Some(left) => {
            let n = available.min(*left);
            *left -= n;
            n
        }
    }
}

/// Migration counts come from lists that never reach `u32::MAX`; saturate rather than panic.
pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn step(track: &TrackStatus, operation: Operation) -> Step {
    step_of(track.track, operation)
}

fn step_of(track: Track, operation: Operation) -> Step {
    Step {
        track,
        operation,
        migrations: Vec::new(),
    }
}

fn refuse_applied_dependents(
    tracks: &Tracks,
    status: &SchemaStatus,
    track: &Track,
) -> Result<(), TrackError> {
    for dependent in tracks.dependents(track.name) {
        let applied = status
            .track(dependent.name)
            .map_or(0, TrackStatus::applied_count);
        if applied > 0 {
            return Err(TrackError::DependentApplied {
                track: track.name.to_owned(),
                dependent: dependent.name.to_owned(),
                applied,
            });
        }
    }
    Ok(())
}

fn refuse_pending_dependencies(
    tracks: &Tracks,
    status: &SchemaStatus,
    track: &Track,
) -> Result<(), TrackError> {
    for dependency in tracks.dependencies(track.name) {
        let pending = status
            .track(dependency.name)
            .map_or(0, TrackStatus::pending_count);
        if pending > 0 {
            return Err(TrackError::DependencyPending {
                track: track.name.to_owned(),
                dependency: dependency.name.to_owned(),
                pending,
            });
        }
    }
    Ok(())
}

fn refuse_unknown_versions(status: &SchemaStatus, track: &Track) -> Result<(), TrackError> {
    let versions = status
        .track(track.name)
        .map(TrackStatus::unknown_versions)
        .unwrap_or_default();
    if versions.is_empty() {
        return Ok(());
    }
    Err(TrackError::UnknownMigrations {
        track: track.name.to_owned(),
        tracking_table: track.tracking_table.to_owned(),
        versions,
    })
}

fn refuse_unknown_tracks(status: &SchemaStatus) -> Result<(), TrackError> {
    match status.unknown_tracks.iter().find(|t| t.applied > 0) {
        Some(unknown) => Err(TrackError::UnknownTrackApplied {
            tracking_table: unknown.tracking_table.clone(),
            applied: unknown.applied,
        }),
        None => Ok(()),
    }
}
