//! Every migration track on a real database, in the legacy build (legacy alone) and in the
//! enhanced build (legacy, then enhanced): a full round trip, and the same tables and columns on
//! SQLite, on PostgreSQL and in the generated entities of both entity crates.

use std::collections::{BTreeMap, BTreeSet};

use memdb_enhanced_migration::{ENHANCED_TABLES, ENHANCED_TRACK};
use memdb_migration::dialect::schema_columns;
use memdb_migration::inspect::{row_counts, schema_status};
use memdb_migration::plan::{Action, execute, plan};
use memdb_migration::{LEGACY_TABLES, LEGACY_TRACK, Track, Tracks};
use memdb_tests::{TestDb, configured_backend};
use sea_orm::{DatabaseConnection, DbBackend, EntityName, Iterable};

type Schema = BTreeMap<String, BTreeSet<String>>;

/// The legacy build's tracks (legacy alone) and the enhanced build's (legacy, then enhanced),
/// checked, each with a name for messages.
fn builds() -> [(&'static str, Tracks); 2] {
    let tracks = |list: &[Track]| Tracks::new(list.iter().copied()).expect("the tracks fit");
    [
        ("legacy build", tracks(memdb_migration::tracks())),
        ("enhanced build", tracks(memdb_enhanced_migration::tracks())),
    ]
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

/// One entity's table and columns.
fn entry<E: EntityName + Default>(
    columns: impl Iterator<Item = impl sea_orm::IdenStatic>,
) -> (String, BTreeSet<String>) {
    (
        E::default().table_name().to_owned(),
        columns.map(|c| c.as_str().to_owned()).collect(),
    )
}

/// What the generated legacy entities (memdb-entity) say the legacy schema is.
fn legacy_entities() -> Schema {
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

/// What the generated enhanced entities (memdb-enhanced-entity) say the enhanced schema is.
/// A new enhanced table needs its line here: `every_table_has_an_entity` fails until it has.
fn enhanced_entities() -> Schema {
    use memdb_enhanced_entity::*;
    Schema::from([
        entry::<agents::Entity>(agents::Column::iter()),
        entry::<app_state_entries::Entity>(app_state_entries::Column::iter()),
        entry::<audit_log::Entity>(audit_log::Column::iter()),
        entry::<checkpoints::Entity>(checkpoints::Column::iter()),
        entry::<document_index::Entity>(document_index::Column::iter()),
        entry::<file_hash_current::Entity>(file_hash_current::Column::iter()),
        entry::<file_hash_history::Entity>(file_hash_history::Column::iter()),
        entry::<file_tags::Entity>(file_tags::Column::iter()),
        entry::<git_operation_files::Entity>(git_operation_files::Column::iter()),
        entry::<git_operations::Entity>(git_operations::Column::iter()),
        entry::<graph_edges::Entity>(graph_edges::Column::iter()),
        entry::<graph_nodes::Entity>(graph_nodes::Column::iter()),
        entry::<health_metrics::Entity>(health_metrics::Column::iter()),
        entry::<memories::Entity>(memories::Column::iter()),
        entry::<memory_clusters::Entity>(memory_clusters::Column::iter()),
        entry::<memory_entries::Entity>(memory_entries::Column::iter()),
        entry::<session_events::Entity>(session_events::Column::iter()),
        entry::<session_tasks::Entity>(session_tasks::Column::iter()),
        entry::<sessions::Entity>(sessions::Column::iter()),
        entry::<tag_definitions::Entity>(tag_definitions::Column::iter()),
        entry::<user_state_entries::Entity>(user_state_entries::Column::iter()),
        entry::<violations::Entity>(violations::Column::iter()),
    ])
}

/// The entities of every track in `tracks`.
fn entities_of(tracks: &Tracks) -> Schema {
    let mut schema = legacy_entities();
    if tracks.get(ENHANCED_TRACK.name).is_ok() {
        schema.extend(enhanced_entities());
    }
    schema
}

#[test]
fn the_crate_tracks_fit_together_and_start_with_legacy() {
    for (build, tracks) in builds() {
        assert_eq!(tracks.names()[0], LEGACY_TRACK.name, "{build}");
    }
    assert_eq!(LEGACY_TRACK.tracking_table, "seaql_migrations");
    assert_eq!(LEGACY_TRACK.tables, LEGACY_TABLES);
    assert_eq!(ENHANCED_TRACK.tables, ENHANCED_TABLES);
}

#[test]
fn every_table_has_an_entity() {
    let names = |schema: Schema| schema.into_keys().collect::<BTreeSet<_>>();
    let tables = |list: &[&str]| {
        list.iter()
            .map(|t| (*t).to_owned())
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(names(legacy_entities()), tables(&LEGACY_TABLES));
    assert_eq!(
        names(enhanced_entities()),
        tables(ENHANCED_TABLES),
        "one `entry::<table::Entity>` line per enhanced table in `enhanced_entities`"
    );
}

#[tokio::test]
async fn every_track_round_trips_up_down_up() {
    for (build, tracks) in builds() {
        let test_db = TestDb::empty().await;
        let db = test_db.conn();
        let all = tracks.tables().len();

        run(db, &tracks, Action::Up { steps: None }).await;
        assert_eq!(schema_status(db, &tracks).await.unwrap().pending_count(), 0);
        assert_eq!(
            tables_exist(db, &tracks).await,
            vec![true; all],
            "{build}: after up"
        );

        run(db, &tracks, Action::Down { steps: u32::MAX }).await;
        let status = schema_status(db, &tracks).await.unwrap();
        assert!(status.applied_names().is_empty(), "{build}");
        assert_eq!(
            tables_exist(db, &tracks).await,
            vec![false; all],
            "{build}: after down"
        );

        run(db, &tracks, Action::Up { steps: None }).await;
        let status = schema_status(db, &tracks).await.unwrap();
        for track in &status.tracks {
            assert_eq!(
                track.applied_count(),
                track.track.migrator.migration_names().len(),
                "{build}: {}",
                track.track.name
            );
        }
        assert_eq!(
            schema_of(db, &tracks).await,
            entities_of(&tracks),
            "{build}"
        );
    }
}

#[tokio::test]
async fn sqlite_postgres_and_entities_agree_on_tables_and_columns() {
    for (build, tracks) in builds() {
        let sqlite = TestDb::empty_on(DbBackend::Sqlite).await;
        run(sqlite.conn(), &tracks, Action::Up { steps: None }).await;
        let sqlite_schema = schema_of(sqlite.conn(), &tracks).await;
        let expected: BTreeSet<&str> = tracks.tables().into_iter().collect();
        assert_eq!(
            sqlite_schema
                .keys()
                .map(String::as_str)
                .collect::<BTreeSet<_>>(),
            expected,
            "{build}"
        );
        assert_eq!(sqlite_schema, entities_of(&tracks), "{build}");

        // The entities are generated from PostgreSQL (CI checks that), so SQLite agreeing with
        // them already implies it agrees with PostgreSQL; with a PostgreSQL server at hand,
        // compare the two catalogs directly as well.
        if configured_backend() == DbBackend::Postgres {
            let postgres = TestDb::empty().await;
            run(postgres.conn(), &tracks, Action::Up { steps: None }).await;
            assert_eq!(
                schema_of(postgres.conn(), &tracks).await,
                sqlite_schema,
                "{build}"
            );
        }
    }
}
