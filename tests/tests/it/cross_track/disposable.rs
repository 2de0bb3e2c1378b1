//! The disposable cache track beside the legacy and enhanced tracks: when a build finds the
//! cache track at another schema version, `up` drops its tables and creates them empty, and
//! every other table — legacy, enhanced, every tracking table — comes through byte-identical in
//! shape and content ([`snapshot`]).
//!
//! The version change is real: a "next release" of the cache track (this build's migrations
//! plus one more) finds this build's version applied (a migration pending beside applied ones),
//! and this build then finds the next release's version (an applied migration it does not
//! know). Both recreate.

use chrono::{TimeZone, Utc};
use memdb_cache_migration::{CACHE_TABLES, CACHE_TRACK, CACHE_TRACKING_TABLE, CacheMigrator};
use memdb_enhanced_migration::ENHANCED_TRACK;
use memdb_migration::dialect::schema_tables;
use memdb_migration::inspect::{TableRows, row_counts};
use memdb_migration::plan::{self, Action, Operation, execute, plan};
use memdb_migration::{LEGACY_TRACK, MigratorTrack, MigratorTrait, Track, TrackError, Tracks};
use memdb_repository::Repositories;
use memdb_tests::TestDb;
use sea_orm::sea_query::{Alias, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use sea_orm_migration::prelude::{
    DbErr, DynIden, Index, IntoIden, MigrationName, MigrationTrait, SchemaManager,
};
use serde_json::json;

use super::catalog::snapshot;
use super::fill::{fill_enhanced, fill_legacy};

/// The next release's cache migrator: this build's migrations and one more.
struct NextCacheMigrator;

#[async_trait::async_trait]
impl MigratorTrait for NextCacheMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        let mut migrations = CacheMigrator::migrations();
        migrations.push(Box::new(IndexByModel));
        migrations
    }

    fn migration_table_name() -> DynIden {
        CACHE_TRACKING_TABLE.into_iden()
    }
}

const NEXT_MIGRATION: &str = "m20990301_000001_index_cache_entries_by_model";

struct IndexByModel;

impl MigrationName for IndexByModel {
    fn name(&self) -> &str {
        NEXT_MIGRATION
    }
}

#[async_trait::async_trait]
impl MigrationTrait for IndexByModel {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("idx_cache_entries_model")
                    .table(Alias::new("cache_entries"))
                    .col(Alias::new("model"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("idx_cache_entries_model").to_owned())
            .await
    }
}

/// The next release's cache track.
const NEXT_CACHE_TRACK: Track = Track {
    migrator: &MigratorTrack::<NextCacheMigrator>::new(),
    ..CACHE_TRACK
};

fn tracks_with(cache: Track) -> Tracks {
    Tracks::new([LEGACY_TRACK, ENHANCED_TRACK, cache]).expect("the tracks fit together")
}

/// Rows in every cache table.
async fn fill_cache(db: &DatabaseConnection, n: usize) {
    let at = Utc.with_ymd_and_hms(2026, 11, 24, 1, 2, 3).unwrap();
    for i in 0..n {
        let inserts = [
            Query::insert()
                .into_table(Alias::new("cache_entries"))
                .columns(
                    [
                        "key",
                        "model",
                        "prompt_hash",
                        "response",
                        "hits",
                        "created_at",
                        "expires_at",
                    ]
                    .map(Alias::new),
                )
                .values_panic([
                    format!("key-{i}").into(),
                    "model-a".into(),
                    format!("{i:064x}").into(),
                    json!({"text": format!("answer {i}")}).into(),
                    3_i64.into(),
                    at.into(),
                    at.into(),
                ])
                .to_owned(),
            Query::insert()
                .into_table(Alias::new("template_status"))
                .columns(["template", "call_count", "avg_latency_ms"].map(Alias::new))
                .values_panic([format!("template-{i}").into(), 2_i64.into(), 1.5_f64.into()])
                .to_owned(),
            Query::insert()
                .into_table(Alias::new("interactions"))
                .columns(
                    [
                        "id",
                        "template",
                        "input",
                        "output",
                        "outcome",
                        "latency_ms",
                        "environmental_context",
                        "created_at",
                    ]
                    .map(Alias::new),
                )
                .values_panic([
                    uuid::Uuid::now_v7().into(),
                    format!("template-{i}").into(),
                    "in".into(),
                    "out".into(),
                    "outlier".into(),
                    12_i64.into(),
                    json!({"os": "linux"}).into(),
                    at.into(),
                ])
                .to_owned(),
        ];
        for insert in inserts {
            db.execute(&insert).await.expect("insert a cache row");
        }
    }
}

/// Every table that is not the cache track's (its tracking table included).
async fn other_tables(db: &DatabaseConnection) -> Vec<String> {
    let mut tables = schema_tables(db).await.expect("list the tables");
    tables.retain(|t| !CACHE_TRACK.owns(t));
    tables
}

/// Rows per cache table, as the recreate reports them.
fn rows(n: u64) -> Vec<TableRows> {
    CACHE_TABLES
        .iter()
        .map(|name| TableRows {
            name,
            rows: Some(n),
        })
        .collect()
}

/// The migrations the cache tracking table records.
async fn recorded(db: &DatabaseConnection, tracks: &Tracks) -> Vec<String> {
    memdb_migration::inspect::schema_status(db, tracks)
        .await
        .expect("status")
        .track("cache")
        .expect("the cache track")
        .applied_names()
}

#[tokio::test]
async fn recreating_the_disposable_track_leaves_every_other_table_byte_identical() {
    let test_db = TestDb::empty().await;
    let db = test_db.conn();
    let this_build = tracks_with(CACHE_TRACK);
    let next_release = tracks_with(NEXT_CACHE_TRACK);
    let up = Action::Up { steps: None };
    execute(db, &plan(db, &this_build, up, None).await.unwrap())
        .await
        .expect("apply every track");
    fill_legacy(&Repositories::from_connection(test_db.pool())).await;
    fill_enhanced(db).await;
    fill_cache(db, 2).await;
    let others = other_tables(db).await;
    let others: Vec<&str> = others.iter().map(String::as_str).collect();
    let before = snapshot(db, &others).await;

    // The next release finds this build's version: a migration pending beside applied ones.
    let upgrade = plan(db, &next_release, up, None).await.expect("plan");
    let steps: Vec<_> = upgrade
        .steps
        .iter()
        .map(|s| (s.track.name, s.operation))
        .collect();
    assert_eq!(steps, [("cache", Operation::Recreate)]);
    assert_eq!(upgrade.tables_at_risk(), CACHE_TABLES);
    let recreated = execute(db, &upgrade).await.expect("recreate");
    assert_eq!(recreated.len(), 1);
    assert_eq!(recreated[0].track, "cache");
    assert_eq!(recreated[0].dropped, rows(2));
    assert_eq!(recreated[0].applied.last().unwrap(), NEXT_MIGRATION);
    assert_eq!(row_counts(db, CACHE_TABLES).await.unwrap(), rows(0));
    assert_eq!(
        recorded(db, &next_release).await,
        NextCacheMigrator::migrations()
            .iter()
            .map(|m| m.name().to_owned())
            .collect::<Vec<_>>()
    );
    assert_eq!(other_tables(db).await, others);
    assert_eq!(snapshot(db, &others).await, before, "after the upgrade");

    // Up to date: nothing to do, nothing dropped.
    let again = plan(db, &next_release, up, None).await.expect("plan");
    assert!(again.is_empty());

    // This build finds the next release's version: an applied migration it does not know.
    fill_cache(db, 3).await;
    let downgrade = plan(db, &this_build, up, None).await.expect("plan");
    let recreated = execute(db, &downgrade).await.expect("recreate");
    assert_eq!(recreated[0].dropped, rows(3));
    assert_eq!(row_counts(db, CACHE_TABLES).await.unwrap(), rows(0));
    assert_eq!(
        recorded(db, &this_build).await,
        CacheMigrator::migrations()
            .iter()
            .map(|m| m.name().to_owned())
            .collect::<Vec<_>>()
    );
    assert_eq!(snapshot(db, &others).await, before, "after the downgrade");

    // A recreate asked for on purpose: the cache track yes, any other track no.
    fill_cache(db, 1).await;
    let forced = plan::recreate(db, &this_build, "cache").await.unwrap();
    assert_eq!(execute(db, &forced).await.unwrap()[0].dropped, rows(1));
    for name in ["legacy", "enhanced"] {
        assert!(matches!(
            plan::recreate(db, &this_build, name).await,
            Err(TrackError::NotDisposable { ref track }) if track == name
        ));
    }
    assert_eq!(
        snapshot(db, &others).await,
        before,
        "after the forced recreate"
    );
}

#[test]
fn no_track_may_depend_on_a_disposable_track() {
    let built_on_cache = Track {
        name: "built_on_cache",
        tracking_table: "test_extra_tracking",
        depends_on: &["cache"],
        ..crate::tracks::extra::EXTRA_TRACK
    };
    assert!(matches!(
        Tracks::new([LEGACY_TRACK, CACHE_TRACK, built_on_cache]),
        Err(TrackError::DependsOnDisposable { ref disposable, .. }) if disposable == "cache"
    ));
}

#[tokio::test]
async fn the_cache_track_round_trips() {
    let test_db = TestDb::empty().await;
    let db = test_db.conn();
    let tracks = tracks_with(CACHE_TRACK);
    let all = <u32 as TryFrom<usize>>::try_from(CacheMigrator::migrations().len()).unwrap();
    let run = |action| async move {
        execute(
            db,
            &plan(db, &tracks_with(CACHE_TRACK), action, Some("cache")).await?,
        )
        .await
    };
    execute(
        db,
        &plan(db, &tracks, Action::Up { steps: None }, Some("legacy"))
            .await
            .unwrap(),
    )
    .await
    .unwrap();
    let legacy_only = schema_tables(db).await.unwrap();
    run(Action::Up { steps: None }).await.expect("up");
    let applied = row_counts(db, CACHE_TABLES).await.unwrap();
    assert_eq!(applied, rows(0));
    run(Action::Down { steps: all }).await.expect("down");
    let mut with_tracking = legacy_only.clone();
    with_tracking.push(CACHE_TRACKING_TABLE.to_owned());
    with_tracking.sort();
    assert_eq!(schema_tables(db).await.unwrap(), with_tracking);
    run(Action::Up { steps: None }).await.expect("up again");
    assert_eq!(row_counts(db, CACHE_TABLES).await.unwrap(), rows(0));
    run(Action::Reset).await.expect("reset");
    assert_eq!(schema_tables(db).await.unwrap(), legacy_only);
}
