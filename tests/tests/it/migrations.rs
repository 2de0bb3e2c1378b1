//! Every migration track on a real database: a full round trip, and the same tables and
//! columns on SQLite, on PostgreSQL and in the generated entities.

use std::collections::{BTreeMap, BTreeSet};

use memdb_migration::dialect::schema_columns;
use memdb_migration::inspect::{row_counts, schema_status};
use memdb_migration::plan::{Action, execute, plan};
use memdb_migration::{LEGACY_TABLES, LEGACY_TRACK, Tracks};
use memdb_tests::{TestDb, configured_backend};
use sea_orm::{DatabaseConnection, DbBackend, EntityName, Iterable};

type Schema = BTreeMap<String, BTreeSet<String>>;

/// The tracks this crate defines, checked.
fn tracks() -> Tracks {
    Tracks::new(memdb_migration::tracks().iter().copied()).expect("the tracks fit together")
}

/// Whether each table of every track exists, tracks in dependency order.
async fn tables_exist(db: &DatabaseConnection, tracks: &Tracks) -> Vec<bool> {
    row_counts(db, &tracks.tables())
        .await
        .unwrap()
        .iter()
        .map(|t| t.rows.is_some())
        .collect()
}

/// Runs `action` on every track.
async fn run(db: &DatabaseConnection, tracks: &Tracks, action: Action) {
    let plan = plan(db, tracks, action, None).await.unwrap();
    execute(db, &plan).await.unwrap();
}

/// Tables (without the tracks' tracking tables) and their columns, read from the catalog.
async fn schema_of(db: &DatabaseConnection, tracks: &Tracks) -> Schema {
    let mut schema = schema_columns(db).await.unwrap();
    for track in tracks.iter() {
        schema.remove(track.tracking_table);
    }
    schema
}

/// What the generated entities say the schema is.
fn schema_of_entities() -> Schema {
    fn entry<E: EntityName + Default>(
        columns: impl Iterator<Item = impl sea_orm::IdenStatic>,
    ) -> (String, BTreeSet<String>) {
        (
            E::default().table_name().to_owned(),
            columns.map(|c| c.as_str().to_owned()).collect(),
        )
    }
    use memdb_entity::*;
    Schema::from([
        entry::<organizations::Entity>(organizations::Column::iter()),
        entry::<documents::Entity>(documents::Column::iter()),
        entry::<knowledge_items::Entity>(knowledge_items::Column::iter()),
        entry::<knowledge_relationships::Entity>(knowledge_relationships::Column::iter()),
        entry::<tasks::Entity>(tasks::Column::iter()),
        entry::<task_dependencies::Entity>(task_dependencies::Column::iter()),
        entry::<personas::Entity>(personas::Column::iter()),
    ])
}

#[test]
fn the_crate_tracks_fit_together_and_start_with_legacy() {
    assert_eq!(tracks().names()[0], LEGACY_TRACK.name);
    assert_eq!(LEGACY_TRACK.tracking_table, "seaql_migrations");
    assert_eq!(LEGACY_TRACK.tables, LEGACY_TABLES);
}

#[tokio::test]
async fn every_track_round_trips_up_down_up() {
    let test_db = TestDb::empty().await;
    let db = test_db.conn();
    let tracks = tracks();
    let all = tracks.tables().len();

    run(db, &tracks, Action::Up { steps: None }).await;
    assert_eq!(schema_status(db, &tracks).await.unwrap().pending_count(), 0);
    assert_eq!(tables_exist(db, &tracks).await, vec![true; all], "after up");

    run(db, &tracks, Action::Down { steps: u32::MAX }).await;
    let status = schema_status(db, &tracks).await.unwrap();
    assert!(status.applied_names().is_empty());
    assert_eq!(
        tables_exist(db, &tracks).await,
        vec![false; all],
        "after down"
    );

    run(db, &tracks, Action::Up { steps: None }).await;
    let status = schema_status(db, &tracks).await.unwrap();
    for track in &status.tracks {
        assert_eq!(
            track.applied_count(),
            track.track.migrator.migration_names().len(),
            "{}",
            track.track.name
        );
    }
    assert_eq!(schema_of(db, &tracks).await, schema_of_entities());
}

#[tokio::test]
async fn sqlite_postgres_and_entities_agree_on_tables_and_columns() {
    let tracks = tracks();
    let sqlite = TestDb::empty_on(DbBackend::Sqlite).await;
    run(sqlite.conn(), &tracks, Action::Up { steps: None }).await;
    let sqlite_schema = schema_of(sqlite.conn(), &tracks).await;
    let expected: BTreeSet<&str> = tracks.tables().into_iter().collect();
    assert_eq!(
        sqlite_schema
            .keys()
            .map(String::as_str)
            .collect::<BTreeSet<_>>(),
        expected
    );
    assert_eq!(sqlite_schema, schema_of_entities());

    // The entities are generated from PostgreSQL (CI checks that), so SQLite agreeing with them
    // already implies it agrees with PostgreSQL; with a PostgreSQL server at hand, compare
    // the two catalogs directly as well.
    if configured_backend() == DbBackend::Postgres {
        let postgres = TestDb::empty().await;
        run(postgres.conn(), &tracks, Action::Up { steps: None }).await;
        assert_eq!(schema_of(postgres.conn(), &tracks).await, sqlite_schema);
    }
}
