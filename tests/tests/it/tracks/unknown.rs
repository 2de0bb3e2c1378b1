//! What a build meets in a database a newer build migrated: a migration it has no file for, and
//! a whole track it does not know. Both are reported, never a reason for reading to fail; the
//! migrator calls they would break are refused.

use memdb_migration::inspect::{MigrationState, UnknownTrack, foreign_tables, schema_status};
use memdb_migration::plan::{Action, plan};
use memdb_migration::{LEGACY_TRACK, Migrator, MigratorTrait, TrackError};
use memdb_tests::TestDb;
use sea_orm::ConnectionTrait;

use super::both_applied;
use super::extra::legacy_only;

const FUTURE: &str = "m20990601_000001_from_a_newer_build";

#[tokio::test]
async fn an_unknown_migration_is_listed_and_blocks_its_track() {
    let db = TestDb::empty().await;
    let tracks = legacy_only();
    let legacy = Migrator::migrations().len();
    Migrator::up(db.conn(), Some(u32::try_from(legacy - 1).expect("a few")))
        .await
        .expect("apply part of legacy");
    db.conn()
        .execute_unprepared(&format!(
            "INSERT INTO {} (version, applied_at) VALUES ('{FUTURE}', 0)",
            LEGACY_TRACK.tracking_table
        ))
        .await
        .expect("record a migration this build does not have");
    // What the plain migrator does with it: fail, even when only reading.
    assert!(
        Migrator::get_migration_with_status_read_only(db.conn())
            .await
            .is_err()
    );

    let status = schema_status(db.conn(), &tracks).await.expect("status");
    let count = legacy;
    let legacy = status.track("legacy").expect("legacy");
    let last = legacy.migrations.last().expect("a migration");
    assert_eq!(
        (last.name.as_str(), last.state),
        (FUTURE, MigrationState::Unknown)
    );
    assert_eq!(legacy.applied_count(), count);
    assert_eq!(legacy.pending_count(), 1);
    assert_eq!(legacy.unknown_versions(), [FUTURE]);

    for action in [
        Action::Up { steps: None },
        Action::Down { steps: 1 },
        Action::Reset,
        Action::Refresh,
    ] {
        let refused = plan(db.conn(), &tracks, action, None)
            .await
            .expect_err("the migrator would fail on it");
        assert!(
            matches!(refused, TrackError::UnknownMigrations { ref versions, .. } if versions == &[FUTURE]),
            "{action:?}: {refused:?}"
        );
        assert!(refused.to_string().contains(FUTURE), "{refused}");
    }
}

#[tokio::test]
async fn an_unknown_track_is_listed_and_blocks_rolling_back() {
    // Both tracks applied, then looked at by a build that only knows legacy.
    let db = both_applied().await;
    let tracks = legacy_only();

    let status = schema_status(db.conn(), &tracks).await.expect("status");
    assert_eq!(
        status.unknown_tracks,
        [UnknownTrack {
            tracking_table: "test_extra_tracking".to_owned(),
            applied: 1,
        }]
    );
    assert_eq!(status.pending_count(), 0);
    assert_eq!(
        foreign_tables(db.conn(), &tracks).await.expect("list"),
        ["test_extra_notes", "test_extra_tracking"]
    );

    let refused = plan(db.conn(), &tracks, Action::Down { steps: 1 }, None)
        .await
        .expect_err("the unknown track may depend on legacy");
    assert!(
        matches!(refused, TrackError::UnknownTrackApplied { ref tracking_table, applied: 1 }
            if tracking_table == "test_extra_tracking"),
        "{refused:?}"
    );
    // Applying is not rolling back: nothing pending, nothing to refuse.
    let up = plan(db.conn(), &tracks, Action::Up { steps: None }, None)
        .await
        .expect("plan up");
    assert!(up.is_empty());
}

#[tokio::test]
async fn a_table_without_the_tracking_shape_is_no_track() {
    let db = TestDb::empty().await;
    Migrator::up(db.conn(), None).await.expect("legacy");
    db.conn()
        .execute_unprepared("CREATE TABLE billing_migrations (version TEXT, amount INTEGER)")
        .await
        .expect("a table of another application");
    let status = schema_status(db.conn(), &legacy_only())
        .await
        .expect("status");
    assert!(
        status.unknown_tracks.is_empty(),
        "{:?}",
        status.unknown_tracks
    );
}
