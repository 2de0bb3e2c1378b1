//! The `memdb` binary over its migration tracks: `--track`, and databases a newer build
//! migrated (a migration or a whole track this build does not know, made here with plain SQL).
//! Refusals between known tracks are tested on the library the binary calls, with a test-only
//! track, in `tests/tests/it/tracks/`.

mod support;

use memdb_migration::inspect::schema_status;
use memdb_migration::{LEGACY_TRACK, Track};
use memdb_tests::TestDb;
use sea_orm::{ConnectionTrait, DatabaseConnection};

use support::{all_tables, existing_tables, memdb, migration_names, tracks};

/// A migration no build has.
const FUTURE: &str = "m20990601_000001_from_a_newer_build";

/// Records [`FUTURE`] as applied on `track`.
async fn record_future_migration(db: &DatabaseConnection, track: &Track) {
    db.execute_unprepared(&format!(
        "INSERT INTO {} (version, applied_at) VALUES ('{FUTURE}', 0)",
        track.tracking_table
    ))
    .await
    .expect("record a migration this build does not have");
}

/// Creates the tracking table of a track this build does not know, with two migrations.
async fn create_future_track(db: &DatabaseConnection) {
    db.execute_unprepared(
        "CREATE TABLE memdb_future_migrations \
         (version VARCHAR(255) NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )
    .await
    .expect("create an unknown tracking table");
    db.execute_unprepared(
        "INSERT INTO memdb_future_migrations (version, applied_at) VALUES ('m1', 0), ('m2', 0)",
    )
    .await
    .expect("record its migrations");
}

#[tokio::test]
async fn status_lists_unknown_migrations_and_tracks_instead_of_failing() {
    let db = TestDb::empty().await;
    let init = memdb(db.url(), &["init"]);
    assert!(init.success, "{init:?}");
    // On the most dependent track, which `down` rolls back first.
    let last = *tracks().iter().last().expect("a track");
    record_future_migration(db.conn(), &last).await;
    create_future_track(db.conn()).await;

    for args in [&["status"][..], &["migrate", "status"]] {
        let status = memdb(db.url(), args);
        assert!(status.success, "{status:?}");
        let line = status
            .stdout
            .lines()
            .find(|l| l.starts_with(FUTURE))
            .unwrap_or_else(|| panic!("{FUTURE} listed: {status:?}"));
        assert!(
            line.ends_with("applied, unknown to this build"),
            "{status:?}"
        );
        assert!(
            status
                .stdout
                .contains("unknown track (memdb_future_migrations, 2 migrations applied)"),
            "{status:?}"
        );
        for name in migration_names() {
            assert!(status.stdout.contains(&name), "{status:?}");
        }
    }

    // A rolled-back migration would leave the unknown one without the tables it built on.
    let down = memdb(db.url(), &["migrate", "down", "--yes"]);
    assert!(!down.success, "{down:?}");
    assert!(down.stderr.contains(FUTURE), "{down:?}");
    // `fresh` would drop the unknown track's table.
    let fresh = memdb(db.url(), &["migrate", "fresh"]);
    assert!(!fresh.success, "{fresh:?}");
    assert!(
        fresh.stderr.contains("memdb_future_migrations"),
        "{fresh:?}"
    );
    assert_eq!(
        existing_tables(db.conn()).await,
        vec![true; all_tables().len()]
    );

    drop(db);
}

#[tokio::test]
async fn init_and_up_refuse_while_a_track_records_unknown_migrations() {
    let db = TestDb::empty().await;
    let up = memdb(db.url(), &["migrate", "up", "-n", "1"]);
    assert!(up.success, "{up:?}");
    record_future_migration(db.conn(), &LEGACY_TRACK).await;

    for args in [&["init"][..], &["migrate", "up"]] {
        let refused = memdb(db.url(), args);
        assert!(!refused.success, "{args:?}: {refused:?}");
        assert!(refused.stderr.contains(FUTURE), "{refused:?}");
        assert!(
            refused.stderr.contains(LEGACY_TRACK.tracking_table),
            "{refused:?}"
        );
        // memdb's refusal, never sea-orm-migration's "migration file ... is missing".
        assert!(
            refused.stderr.contains("this build does not know"),
            "{refused:?}"
        );
        assert!(!refused.stderr.contains("is missing"), "{refused:?}");
    }
    let status = schema_status(db.conn(), &tracks()).await.expect("status");
    assert_eq!(status.applied_names().len(), 2, "nothing more was applied");

    drop(db);
}

#[tokio::test]
async fn rolling_back_refuses_while_an_unknown_track_is_applied() {
    let db = TestDb::empty().await;
    let up = memdb(db.url(), &["migrate", "up"]);
    assert!(up.success, "{up:?}");
    create_future_track(db.conn()).await;

    for action in ["down", "reset", "refresh"] {
        let refused = memdb(db.url(), &["migrate", action, "--yes"]);
        assert!(!refused.success, "{action}: {refused:?}");
        assert!(
            refused.stderr.contains("memdb_future_migrations"),
            "{refused:?}"
        );
    }
    assert_eq!(
        existing_tables(db.conn()).await,
        vec![true; all_tables().len()]
    );

    // An unknown tracking table that records nothing holds nothing back.
    db.conn()
        .execute_unprepared("DELETE FROM memdb_future_migrations")
        .await
        .expect("empty it");
    let reset = memdb(db.url(), &["migrate", "reset"]);
    assert!(reset.success, "{reset:?}");

    drop(db);
}

#[tokio::test]
async fn the_track_flag_limits_an_action_to_one_track() {
    let db = TestDb::empty().await;

    let unknown = memdb(db.url(), &["migrate", "up", "--track", "nope"]);
    assert!(!unknown.success, "{unknown:?}");
    let known = tracks().names().join(", ");
    assert!(
        unknown
            .stderr
            .contains(&format!("no migration track named 'nope' (known: {known})")),
        "{unknown:?}"
    );
    let listed = memdb(db.url(), &["migrate", "status", "--track", "nope"]);
    assert!(!listed.success, "{listed:?}");

    // Dependencies first: each track applies once the ones before it are complete.
    for track in tracks().iter() {
        let up = memdb(db.url(), &["migrate", "up", "--track", track.name]);
        assert!(up.success, "{up:?}");
        for name in track.migrator.migration_names() {
            assert!(up.stdout.contains(&format!("applied {name}")), "{up:?}");
        }
        let status = memdb(db.url(), &["migrate", "status", "--track", track.name]);
        assert!(status.success, "{status:?}");
        assert!(
            status.stdout.starts_with(&format!("track {}", track.name)),
            "{status:?}"
        );
        assert!(!status.stdout.contains("Pending"), "{status:?}");
    }
    // Dependents first on the way back.
    for track in tracks().iter().rev() {
        let reset = memdb(db.url(), &["migrate", "reset", "--track", track.name]);
        assert!(reset.success, "{reset:?}");
        let status = schema_status(db.conn(), &tracks()).await.expect("status");
        let state = status.track(track.name).expect("a known track");
        assert_eq!(state.applied_count(), 0, "{reset:?}");
    }
    assert_eq!(
        existing_tables(db.conn()).await,
        vec![false; all_tables().len()]
    );

    drop(db);
}

/// The legacy build (no `enhanced` feature) on a database the enhanced track upgraded, as when
/// a service still on the legacy `memdb` shares a database with an enhanced one: it works on its
/// own track and lists the enhanced one as a track it does not know. (The cache build applies
/// its own track on `init`, so this is the build without any feature.)
#[cfg(not(any(feature = "enhanced", feature = "cache")))]
#[tokio::test]
async fn the_legacy_build_works_on_a_database_the_enhanced_track_upgraded() {
    use memdb_enhanced_migration::{
        ENHANCED_TABLES, ENHANCED_TRACKING_TABLE, EnhancedMigrator, MigratorTrait,
    };
    use memdb_migration::inspect::row_counts;

    // Both tracks applied, as `memdb init` of the enhanced build leaves it.
    let db = TestDb::new().await;
    let enhanced_migrations = EnhancedMigrator::migrations().len();

    let init = memdb(db.url(), &["init"]);
    assert!(init.success, "{init:?}");
    assert!(init.stdout.contains("schema up to date"), "{init:?}");
    assert!(
        init.stdout.contains("created default organization"),
        "{init:?}"
    );
    let unknown_track = format!(
        "unknown track ({ENHANCED_TRACKING_TABLE}, {enhanced_migrations} migrations applied)"
    );
    for args in [&["status"][..], &["migrate", "status"]] {
        let status = memdb(db.url(), args);
        assert!(status.success, "{status:?}");
        assert!(status.stdout.contains(&unknown_track), "{status:?}");
        for name in migration_names() {
            let line = status
                .stdout
                .lines()
                .find(|l| l.starts_with(name.as_str()))
                .unwrap_or_else(|| panic!("{name} listed: {status:?}"));
            assert!(line.ends_with("Applied"), "{status:?}");
        }
        assert!(!status.stdout.contains("Unknown"), "{status:?}");
    }

    // The legacy tables are what the enhanced tables may build on: not rolled back from here.
    let down = memdb(db.url(), &["migrate", "down", "--yes"]);
    assert!(!down.success, "{down:?}");
    assert!(down.stderr.contains(ENHANCED_TRACKING_TABLE), "{down:?}");
    assert_eq!(
        existing_tables(db.conn()).await,
        vec![true; all_tables().len()]
    );
    let enhanced = row_counts(db.conn(), ENHANCED_TABLES)
        .await
        .expect("count rows");
    assert!(enhanced.iter().all(|t| t.rows.is_some()), "{enhanced:?}");

    drop(db);
}
