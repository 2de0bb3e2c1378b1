//! Migration tracks working together: the legacy track plus a test-only track that depends on
//! it, moved through the `memdb_migration` functions the `memdb` binary calls.

pub(crate) mod extra;
mod failing;
mod unknown;

use memdb_migration::inspect::{MigrationState, foreign_tables, row_counts, schema_status};
use memdb_migration::plan::{Action, Operation, execute, fresh, plan};
use memdb_migration::{LEGACY_TRACK, Track, TrackError, Tracks};
use memdb_tests::TestDb;
use sea_orm::{ConnectionTrait, DatabaseConnection};

use extra::{EXTRA_TRACK, NOTES_MIGRATION, legacy_and_extra};

/// Plans and runs `action` on `only` (or every track).
/// How many migrations the legacy track has.
fn legacy() -> usize {
    <memdb_migration::Migrator as memdb_migration::MigratorTrait>::migrations().len()
}

/// [`legacy`] as a step count.
fn legacy_steps() -> u32 {
    u32::try_from(legacy()).expect("a few migrations")
}

async fn run(
    db: &DatabaseConnection,
    tracks: &Tracks,
    action: Action,
    only: Option<&str>,
) -> Result<(), TrackError> {
    execute(db, &plan(db, tracks, action, only).await?)
        .await
        .map(drop)
}

/// How many migrations each track has applied, in dependency order.
async fn applied(db: &DatabaseConnection, tracks: &Tracks) -> Vec<(&'static str, usize)> {
    let status = schema_status(db, tracks).await.expect("read the status");
    status
        .tracks
        .iter()
        .map(|t| (t.track.name, t.applied_count()))
        .collect()
}

/// Whether each of the track's tables exists.
async fn tables_exist(db: &DatabaseConnection, track: &Track) -> Vec<bool> {
    row_counts(db, track.tables)
        .await
        .expect("count rows")
        .iter()
        .map(|t| t.rows.is_some())
        .collect()
}

/// A fresh database with both tracks applied.
async fn both_applied() -> TestDb {
    let db = TestDb::empty().await;
    run(
        db.conn(),
        &legacy_and_extra(),
        Action::Up { steps: None },
        None,
    )
    .await
    .expect("apply both tracks");
    db
}

#[test]
fn tracks_are_checked_and_ordered_dependencies_first() {
    let tracks = legacy_and_extra();
    assert_eq!(tracks.names(), ["legacy", "test_extra"]);
    assert_eq!(tracks.dependents("legacy").len(), 1);
    assert_eq!(tracks.dependencies("test_extra")[0].name, "legacy");
    assert!(tracks.owns("test_extra_tracking") && tracks.owns("organizations"));
    assert!(matches!(
        tracks.get("nope"),
        Err(TrackError::UnknownTrack { .. })
    ));

    let refused = |list: Vec<Track>| Tracks::new(list).expect_err("an invalid list");
    assert!(matches!(refused(vec![]), TrackError::NoTracks));
    assert!(matches!(
        refused(vec![EXTRA_TRACK]),
        TrackError::MissingDependency { ref dependency, .. } if dependency == "legacy"
    ));
    assert!(matches!(
        refused(vec![LEGACY_TRACK, LEGACY_TRACK]),
        TrackError::Duplicate { what: "name", .. }
    ));
    let copy = Track {
        name: "copy",
        ..EXTRA_TRACK
    };
    assert!(matches!(
        refused(vec![LEGACY_TRACK, EXTRA_TRACK, copy]),
        TrackError::Duplicate {
            what: "tracking table",
            ..
        }
    ));
    let elsewhere = Track {
        tracking_table: "elsewhere",
        ..EXTRA_TRACK
    };
    assert!(matches!(
        refused(vec![LEGACY_TRACK, elsewhere]),
        TrackError::TrackingTableMismatch { ref actual, .. } if actual == "test_extra_tracking"
    ));
    let selfish = Track {
        depends_on: &["test_extra"],
        ..EXTRA_TRACK
    };
    assert!(matches!(
        refused(vec![LEGACY_TRACK, selfish]),
        TrackError::DependencyCycle { .. }
    ));
}

#[tokio::test]
async fn status_lists_every_track_and_its_tables() {
    let db = TestDb::empty().await;
    let tracks = legacy_and_extra();

    let status = schema_status(db.conn(), &tracks).await.expect("status");
    assert_eq!(status.pending_count(), legacy() + 1);
    assert!(status.unknown_tracks.is_empty());

    run(db.conn(), &tracks, Action::Up { steps: None }, None)
        .await
        .expect("apply both tracks");
    let status = schema_status(db.conn(), &tracks).await.expect("status");
    assert_eq!(
        status
            .tracks
            .iter()
            .map(|t| t.track.name)
            .collect::<Vec<_>>(),
        ["legacy", "test_extra"]
    );
    let extra = status.track("test_extra").expect("the extra track");
    assert_eq!(extra.migrations.len(), 1);
    assert_eq!(extra.migrations[0].name, NOTES_MIGRATION);
    assert_eq!(extra.migrations[0].state, MigrationState::Applied);
    assert_eq!(status.pending_count(), 0);
    assert!(status.unknown_tracks.is_empty());
    assert_eq!(tables_exist(db.conn(), &EXTRA_TRACK).await, [true]);
    assert!(
        foreign_tables(db.conn(), &tracks)
            .await
            .expect("list")
            .is_empty()
    );
}

#[tokio::test]
async fn rolling_back_a_track_refuses_while_a_dependent_is_applied() {
    let db = both_applied().await;
    let tracks = legacy_and_extra();

    for action in [Action::Down { steps: 1 }, Action::Reset, Action::Refresh] {
        let refused = plan(db.conn(), &tracks, action, Some("legacy"))
            .await
            .expect_err("legacy is in use");
        assert!(
            matches!(
                refused,
                TrackError::DependentApplied { ref dependent, applied: 1, .. }
                    if dependent == "test_extra"
            ),
            "{action:?}: {refused:?}"
        );
        assert!(refused.to_string().contains("test_extra"), "{refused}");
    }
    assert_eq!(
        applied(db.conn(), &tracks).await,
        [("legacy", legacy()), ("test_extra", 1)]
    );

    run(db.conn(), &tracks, Action::Reset, Some("test_extra"))
        .await
        .expect("reset the dependent track");
    assert_eq!(tables_exist(db.conn(), &EXTRA_TRACK).await, [false]);
    run(
        db.conn(),
        &tracks,
        Action::Down { steps: 1 },
        Some("legacy"),
    )
    .await
    .expect("roll back legacy once nothing depends on it");
    assert_eq!(
        applied(db.conn(), &tracks).await,
        [("legacy", legacy() - 1), ("test_extra", 0)]
    );
}

#[tokio::test]
async fn applying_a_track_refuses_while_its_dependency_is_pending() {
    let db = TestDb::empty().await;
    let tracks = legacy_and_extra();
    run(
        db.conn(),
        &tracks,
        Action::Up {
            steps: Some(legacy_steps() - 1),
        },
        None,
    )
    .await
    .expect("apply part of legacy");

    let refused = plan(
        db.conn(),
        &tracks,
        Action::Up { steps: None },
        Some("test_extra"),
    )
    .await
    .expect_err("legacy is incomplete");
    assert!(
        matches!(
            refused,
            TrackError::DependencyPending { ref dependency, pending: 1, .. } if dependency == "legacy"
        ),
        "{refused:?}"
    );
    assert_eq!(tables_exist(db.conn(), &EXTRA_TRACK).await, [false]);
}

#[tokio::test]
async fn without_a_track_steps_count_across_tracks_in_dependency_order() {
    let db = TestDb::empty().await;
    let tracks = legacy_and_extra();

    let up = plan(
        db.conn(),
        &tracks,
        Action::Up {
            steps: Some(legacy_steps() + 1),
        },
        None,
    )
    .await
    .expect("plan");
    let calls: Vec<(&str, Operation)> = up
        .steps
        .iter()
        .map(|s| (s.track.name, s.operation))
        .collect();
    assert_eq!(
        calls,
        [
            ("legacy", Operation::Up(legacy_steps())),
            ("test_extra", Operation::Up(1))
        ]
    );
    execute(db.conn(), &up).await.expect("apply");

    // Rolling back starts with the dependent track, then goes on into legacy.
    let down = plan(db.conn(), &tracks, Action::Down { steps: 2 }, None)
        .await
        .expect("plan");
    let calls: Vec<(&str, Operation)> = down
        .steps
        .iter()
        .map(|s| (s.track.name, s.operation))
        .collect();
    assert_eq!(
        calls,
        [
            ("test_extra", Operation::Down(1)),
            ("legacy", Operation::Down(1))
        ]
    );
    assert_eq!(down.tables_at_risk()[0], "test_extra_notes");
    execute(db.conn(), &down).await.expect("roll back");
    assert_eq!(
        applied(db.conn(), &tracks).await,
        [("legacy", legacy() - 1), ("test_extra", 0)]
    );

    run(db.conn(), &tracks, Action::Refresh, None)
        .await
        .expect("refresh every track");
    assert_eq!(
        applied(db.conn(), &tracks).await,
        [("legacy", legacy()), ("test_extra", 1)]
    );
    run(db.conn(), &tracks, Action::Reset, None)
        .await
        .expect("reset every track");
    assert_eq!(
        applied(db.conn(), &tracks).await,
        [("legacy", 0), ("test_extra", 0)]
    );
    assert!(
        foreign_tables(db.conn(), &tracks)
            .await
            .expect("list")
            .is_empty(),
        "reset drops the tracking tables too"
    );
}

#[tokio::test]
async fn fresh_drops_everything_and_applies_every_track() {
    let db = both_applied().await;
    let tracks = legacy_and_extra();
    db.conn()
        .execute_unprepared("CREATE TABLE billing (amount INTEGER)")
        .await
        .expect("a table of another application");

    fresh(db.conn(), &tracks).await.expect("fresh");
    assert_eq!(
        applied(db.conn(), &tracks).await,
        [("legacy", legacy()), ("test_extra", 1)]
    );
    assert!(
        foreign_tables(db.conn(), &tracks)
            .await
            .expect("list")
            .is_empty(),
        "billing is gone"
    );
}
