//! `stamp <version|head>`: adopt a database whose tables were made by hand, by recording
//! migrations as applied without running them.
//!
//! Under the deploy lock it works out which migrations to record (`up`'s plan, cut at the
//! version: with `--track` only that track, else the version's track and the tracks it depends
//! on), applies the migrations the database would then have to a scratch database
//! ([`crate::dialect::scratch`]), and compares that schema's tables, columns (type,
//! nullability) and indexes with the live ones. Anything missing or different refuses the
//! stamp (nothing recorded) unless `--force`. Recorded migrations get their checksums in the
//! same side table `up` fills ([`super::checksums`]).

use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use sea_orm_migration::sea_orm::sea_query::{Alias, Query};
use sea_orm_migration::sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseExecutor, DatabaseTransaction, TransactionTrait,
};
use serde_json::json;

use super::error::CliError;
use super::lock::DeployLock;
use super::output::outln;
use super::{Context, checksums};
use crate::dialect::{catalog, scratch};
use crate::drift::{self, Extras};
use crate::inspect;
use crate::plan::{self, Action, Operation};
use crate::track::Track;

/// What `stamp` records up to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StampTarget {
    /// Every migration.
    Head,
    /// Up to and including this migration.
    Version(String),
}

impl FromStr for StampTarget {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "" => Err("expected `head` or a migration's name".to_owned()),
            "head" => Ok(Self::Head),
            version => Ok(Self::Version(version.to_owned())),
        }
    }
}

impl StampTarget {
    fn label(&self) -> &str {
        match self {
            Self::Head => "head",
            Self::Version(version) => version,
        }
    }
}

/// What a stamp recorded.
struct Stamped {
    /// (track, version, checksum) of each recorded migration, in order.
    recorded: Vec<(&'static str, String, String)>,
    /// What was missing or different (only with `--force`; else the stamp was refused).
    differences: Vec<String>,
}

/// Runs `stamp` and prints what it recorded (as JSON with `json`).
pub(crate) async fn run(
    db: &DatabaseConnection,
    ctx: &Context<'_>,
    target: &StampTarget,
    only: Option<&str>,
    force: bool,
    json: bool,
) -> Result<(), CliError> {
    if let Some(name) = only {
        ctx.tracks.get(name)?;
    }
    let lock = DeployLock::acquire(db, &ctx.database, ctx.lock_timeout).await?;
    let executor = lock.executor();
    let result = stamp_locked(&executor, ctx, target, only, force).await;
    drop(executor);
    let released = lock.release().await;
    let stamped = result?;
    released?;
    if json {
        let recorded: Vec<_> = stamped
            .recorded
            .iter()
            .map(|(track, version, checksum)| {
                json!({"track": track, "version": version, "checksum": checksum})
            })
            .collect();
        let report = json!({
            "target": target.label(),
            "recorded": recorded,
            "forced": force && !stamped.differences.is_empty(),
            "differences": stamped.differences,
        });
        outln!("{report:#}")?;
        return Ok(());
    }
    for difference in &stamped.differences {
        outln!("warning (--force): {difference}")?;
    }
    if stamped.recorded.is_empty() {
        outln!(
            "nothing to stamp: every migration up to {} is recorded",
            target.label()
        )?;
    }
    for (track, version, checksum) in &stamped.recorded {
        outln!(
            "stamped {version} (track {track}, checksum {})",
            &checksum[..12.min(checksum.len())]
        )?;
    }
    Ok(())
}

async fn stamp_locked(
    db: &DatabaseExecutor<'_>,
    ctx: &Context<'_>,
    target: &StampTarget,
    only: Option<&str>,
    force: bool,
) -> Result<Stamped, CliError> {
    let to_record = migrations_to_record(db, ctx, target, only).await?;
    let status = inspect::schema_status(db, ctx.tracks).await?;
    // The migrations the database has once stamped: the applied ones, then the recorded ones.
    let counts: Vec<(&'static str, usize)> = status
        .tracks
        .iter()
        .map(|t| {
            let known_applied = t
                .migrations
                .iter()
                .filter(|m| m.state == inspect::MigrationState::Applied)
                .count();
            let stamped = to_record
                .iter()
                .filter(|(tr, _)| tr.name == t.track.name)
                .count();
            (t.track.name, known_applied + stamped)
        })
        .collect();
    let expected = scratch::migrated_catalog(db, ctx.tracks, &counts).await?;
    let live = catalog::read_catalog(db).await?;
    let tables: Vec<&str> = expected.tables.keys().map(String::as_str).collect();
    let differences: Vec<String> = drift::compare(&expected, &live, &tables, Extras::Ignore)
        .iter()
        .map(ToString::to_string)
        .collect();
    if !differences.is_empty() && !force {
        return Err(CliError::StampRefused {
            target: target.label().to_owned(),
            differences,
        });
    }
    record(db, &to_record).await?;
    let status = inspect::schema_status(db, ctx.tracks).await?;
    checksums::sync(db, &status).await?;
    let recorded_checksums = checksums::recorded(db, &status).await?;
    let recorded = to_record
        .into_iter()
        .map(|(track, version)| {
            let checksum = recorded_checksums
                .get(track.name)
                .and_then(|c| c.get(&version))
                .cloned()
                .unwrap_or_default();
            (track.name, version, checksum)
        })
        .collect();
    Ok(Stamped {
        recorded,
        differences,
    })
}

/// The migrations `stamp` records, in order: `up`'s plan (with its refusals: unknown versions,
/// a track whose dependencies are pending), cut after the version asked for.
async fn migrations_to_record<C>(
    db: &C,
    ctx: &Context<'_>,
    target: &StampTarget,
    only: Option<&str>,
) -> Result<Vec<(Track, String)>, CliError>
where
    C: ConnectionTrait + TransactionTrait<Transaction = DatabaseTransaction>,
{
    let plan = plan::plan(db, ctx.tracks, Action::Up { steps: None }, only).await?;
    let mut steps = plan.steps;
    // A disposable track at another version is recreated by `up`, never stamped: its applied
    // migrations would be recorded twice.
    steps.retain(|s| s.operation != Operation::Recreate);
    if let StampTarget::Version(version) = target {
        let searched: Vec<&Track> = match only {
            Some(name) => vec![ctx.tracks.get(name)?],
            None => ctx.tracks.iter().collect(),
        };
        let Some(owner) = searched
            .iter()
            .find(|t| t.migrator.migration_names().contains(version))
        else {
            return Err(CliError::UnknownVersion {
                version: version.clone(),
                tracks: searched
                    .iter()
                    .map(|t| t.name)
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        let wanted: Vec<&str> = ctx
            .tracks
            .dependencies(owner.name)
            .iter()
            .map(|t| t.name)
            .chain([owner.name])
            .collect();
        steps.retain(|s| wanted.contains(&s.track.name));
        for step in steps.iter_mut().filter(|s| s.track.name == owner.name) {
            // Already applied: nothing of this track is left to record.
            let keep = step
                .migrations
                .iter()
                .position(|m| m == version)
                .map_or(0, |i| i + 1);
            step.migrations.truncate(keep);
        }
    }
    Ok(steps
        .into_iter()
        .flat_map(|s| s.migrations.into_iter().map(move |m| (s.track, m)))
        .collect())
}

/// Records `migrations` as applied now, creating tracking tables as the migrators would.
async fn record(db: &DatabaseExecutor<'_>, migrations: &[(Track, String)]) -> Result<(), CliError> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let mut installed: Vec<&str> = Vec::new();
    for (track, version) in migrations {
        if !installed.contains(&track.name) {
            track.migrator.install(reborrow(db)).await?;
            installed.push(track.name);
        }
        let insert = Query::insert()
            .into_table(Alias::new(track.tracking_table))
            .columns([Alias::new("version"), Alias::new("applied_at")])
            .values_panic([version.as_str().into(), now.into()])
            .to_owned();
        db.execute(&insert).await?;
    }
    Ok(())
}

/// Another handle on the same connection or transaction.
fn reborrow<'a>(db: &'a DatabaseExecutor<'_>) -> DatabaseExecutor<'a> {
    match db {
        DatabaseExecutor::Connection(conn) => DatabaseExecutor::Connection(conn),
        DatabaseExecutor::Transaction(txn) => DatabaseExecutor::Transaction(txn),
        DatabaseExecutor::OwnedTransaction(txn) => DatabaseExecutor::Transaction(txn),
    }
}

#[cfg(test)]
mod tests {
    use super::StampTarget;

    #[test]
    fn targets_parse() {
        assert_eq!("head".parse(), Ok(StampTarget::Head));
        assert_eq!(
            "m20261122_000002_create_knowledge".parse(),
            Ok(StampTarget::Version(
                "m20261122_000002_create_knowledge".to_owned()
            ))
        );
        assert!(" ".parse::<StampTarget>().is_err());
    }
}
