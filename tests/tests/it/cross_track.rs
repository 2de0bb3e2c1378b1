//! The legacy and the enhanced track on one database, as they meet in production: a database a
//! legacy build created and filled, upgraded by the enhanced track, used by legacy code again,
//! and downgraded. Every legacy table must come through byte-identical in shape and content
//! ([`catalog`]), and legacy code must not notice the enhanced tables.

mod adoption;
mod catalog;
mod disposable;
mod fill;
mod fill_memories;
mod fill_sessions;
mod references;

use memdb_enhanced_migration::{ENHANCED_TABLES, ENHANCED_TRACKING_TABLE};
use memdb_migration::dialect::schema_tables;
use memdb_migration::inspect::row_counts;
use memdb_migration::plan::{Action, execute, plan};
use memdb_migration::{LEGACY_TABLES, Migrator, MigratorTrait, TrackError, Tracks};
use memdb_repository::Repositories;
use memdb_tests::TestDb;
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};

use catalog::{checksum, schema_catalog, snapshot, table_catalog};
use fill::{fill_enhanced, fill_legacy, use_legacy};

/// The tracks of a build with the enhanced schema: legacy, then enhanced.
fn tracks() -> Tracks {
    Tracks::new(memdb_enhanced_migration::tracks().iter().copied()).expect("the tracks fit")
}

/// Plans and runs `action` on the track named `only`, as `memdb migrate --track` does.
async fn run(db: &DatabaseConnection, action: Action, only: &str) -> Result<(), TrackError> {
    let tracks = tracks();
    execute(db, &plan(db, &tracks, action, Some(only)).await?)
        .await
        .map(drop)
}

/// Every migration of the track named `only`, as a step count.
fn every_step(only: &str) -> u32 {
    let tracks = tracks();
    let count = tracks
        .get(only)
        .expect("a known track")
        .migrator
        .migration_names()
        .len();
    u32::try_from(count).expect("a few migrations")
}

/// A fresh database as the legacy build leaves it: the legacy migrator alone.
async fn legacy_database() -> TestDb {
    let db = TestDb::empty().await;
    Migrator::up(db.conn(), None)
        .await
        .expect("apply the legacy migrations");
    db
}

/// Whether each enhanced table exists.
async fn enhanced_tables_exist(db: &DatabaseConnection) -> Vec<bool> {
    row_counts(db, ENHANCED_TABLES)
        .await
        .expect("count rows")
        .iter()
        .map(|t| t.rows.is_some())
        .collect()
}

#[tokio::test]
async fn the_enhanced_track_leaves_every_legacy_table_byte_identical() {
    let test_db = legacy_database().await;
    let db = test_db.conn();
    fill_legacy(&Repositories::from_connection(test_db.pool())).await;
    let legacy_schema = schema_tables(db).await.expect("list the tables");
    let before = snapshot(db, &LEGACY_TABLES).await;

    run(db, Action::Up { steps: None }, "enhanced")
        .await
        .expect("upgrade by the enhanced track");
    assert_eq!(
        enhanced_tables_exist(db).await,
        vec![true; ENHANCED_TABLES.len()]
    );
    assert_eq!(snapshot(db, &LEGACY_TABLES).await, before, "after up");
    fill_enhanced(db).await;
    assert_eq!(snapshot(db, &LEGACY_TABLES).await, before, "after filling");
    assert!(
        Migrator::get_pending_migrations(db)
            .await
            .expect("the legacy migrator reads its track")
            .is_empty()
    );

    run(
        db,
        Action::Down {
            steps: every_step("enhanced"),
        },
        "enhanced",
    )
    .await
    .expect("roll back the enhanced track");
    assert_eq!(snapshot(db, &LEGACY_TABLES).await, before, "after down");
    assert_eq!(
        enhanced_tables_exist(db).await,
        vec![false; ENHANCED_TABLES.len()]
    );
    // Only the (now empty) tracking table is left of the enhanced track; reset drops it too.
    let mut with_tracking_table = legacy_schema.clone();
    with_tracking_table.push(ENHANCED_TRACKING_TABLE.to_owned());
    with_tracking_table.sort();
    assert_eq!(schema_tables(db).await.unwrap(), with_tracking_table);
    assert_eq!(checksum(db, ENHANCED_TRACKING_TABLE).await.rows, 0);
    run(db, Action::Reset, "enhanced").await.expect("reset");
    assert_eq!(schema_tables(db).await.unwrap(), legacy_schema);
    assert_eq!(snapshot(db, &LEGACY_TABLES).await, before, "after reset");
}

#[tokio::test]
async fn legacy_code_works_on_a_database_with_both_tracks() {
    // Both tracks applied, then filled through both.
    let test_db = TestDb::new().await;
    let db = test_db.conn();
    let repos = Repositories::from_connection(test_db.pool());
    let filled = fill_legacy(&repos).await;
    fill_enhanced(db).await;
    let enhanced = snapshot(db, ENHANCED_TABLES).await;

    assert!(
        Migrator::get_pending_migrations(db)
            .await
            .expect("the legacy migrator reads its track")
            .is_empty()
    );
    Migrator::up(db, None)
        .await
        .expect("the legacy migrator has nothing to do");
    use_legacy(&repos, &filled).await;
    assert_eq!(
        snapshot(db, ENHANCED_TABLES).await,
        enhanced,
        "legacy code changed an enhanced table"
    );
}

#[tokio::test]
async fn each_track_round_trips_up_down_up_to_the_same_catalog() {
    let test_db = TestDb::empty().await;
    let db = test_db.conn();

    // Legacy alone.
    run(db, Action::Up { steps: None }, "legacy")
        .await
        .expect("up");
    let legacy = schema_catalog(db).await;
    run(
        db,
        Action::Down {
            steps: every_step("legacy"),
        },
        "legacy",
    )
    .await
    .expect("down");
    assert_eq!(
        schema_tables(db).await.unwrap(),
        [tracks().get("legacy").unwrap().tracking_table]
    );
    run(db, Action::Up { steps: None }, "legacy")
        .await
        .expect("up again");
    assert_eq!(schema_catalog(db).await, legacy);

    // Enhanced on top.
    run(db, Action::Up { steps: None }, "enhanced")
        .await
        .expect("up");
    let both = schema_catalog(db).await;
    run(
        db,
        Action::Down {
            steps: every_step("enhanced"),
        },
        "enhanced",
    )
    .await
    .expect("down");
    let mut after_down = schema_catalog(db).await;
    assert!(after_down.remove(ENHANCED_TRACKING_TABLE).is_some());
    assert_eq!(after_down, legacy);
    run(db, Action::Up { steps: None }, "enhanced")
        .await
        .expect("up again");
    assert_eq!(schema_catalog(db).await, both);
}

/// The fingerprints must be able to fail: a changed value, a new index on a legacy table and
/// a foreign key from another table into one each change them.
#[tokio::test]
async fn the_fingerprints_see_values_indexes_and_foreign_keys() {
    let test_db = legacy_database().await;
    let db = test_db.conn();
    fill_legacy(&Repositories::from_connection(test_db.pool())).await;
    let before = snapshot(db, &LEGACY_TABLES).await;

    let changes = [
        (
            "personas",
            "UPDATE personas SET description = description || '.'",
        ),
        (
            "personas",
            "CREATE INDEX ix_probe ON personas (description)",
        ),
        (
            "organizations",
            "CREATE TABLE probe (organization_id uuid REFERENCES organizations (id))",
        ),
    ];
    for (table, statement) in changes {
        let txn = db.begin().await.expect("begin");
        txn.execute_unprepared(statement).await.expect(statement);
        let after = (
            table_catalog(&txn, table).await,
            checksum(&txn, table).await,
        );
        txn.rollback().await.expect("rollback");
        let original = (
            before.catalog[table].clone(),
            before.contents[table].clone(),
        );
        assert_ne!(after, original, "{statement}");
    }
    assert_eq!(snapshot(db, &LEGACY_TABLES).await, before, "rolled back");
}
