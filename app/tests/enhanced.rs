//! The `memdb` binary built with the `enhanced` feature: both migration tracks, legacy and
//! enhanced, through `init`, `status` and `migrate`. Only built with the feature (see
//! `required-features` in Cargo.toml); `cli.rs` and `tracks.rs` run in both builds.

mod support;

use memdb_enhanced_migration::{ENHANCED_TABLES, ENHANCED_TRACK, EnhancedMigrator, MigratorTrait};
use memdb_enhanced_repository::memory::defaults::MEMORY_DEFAULTS;
use memdb_migration::{LEGACY_TABLES, LEGACY_TRACK, Track};
use memdb_tests::TestDb;

use support::{Run, all_tables, existing_tables, memdb, migration_names, table_rows, tracks};

/// The heading `status` prints for `track`.
fn heading(track: &Track) -> String {
    let mut heading = format!(
        "track {} (tracking table {}",
        track.name, track.tracking_table
    );
    if !track.depends_on.is_empty() {
        heading = format!("{heading}, depends on {}", track.depends_on.join(", "));
    }
    heading + ")"
}

/// How many migrations the enhanced track has, as a `-n` argument.
fn enhanced_steps() -> String {
    EnhancedMigrator::migrations().len().to_string()
}

/// Asserts that `run` lists every migration of both tracks with `state`, both tracks' headings,
/// and no track this build does not know.
fn assert_lists_both_tracks(run: &Run, state: &str) {
    assert!(run.success, "{run:?}");
    for track in [&LEGACY_TRACK, &ENHANCED_TRACK] {
        assert!(run.stdout.contains(&heading(track)), "{run:?}");
    }
    for name in migration_names() {
        let line = run
            .stdout
            .lines()
            .find(|l| l.starts_with(name.as_str()))
            .unwrap_or_else(|| panic!("{name} listed: {run:?}"));
        assert!(line.ends_with(state), "{run:?}");
    }
    assert!(!run.stdout.contains("unknown track"), "{run:?}");
}

/// The line of table `table` in `status` output, as its two words.
fn table_line<'a>(run: &'a Run, table: &str) -> Vec<&'a str> {
    run.stdout
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|words| words.first() == Some(&table))
        .unwrap_or_else(|| panic!("{table} listed: {run:?}"))
}

/// Asserts that `run` printed `line` (with `{}` standing for `<namespace>/<key>`) for each
/// default memory entry, in order.
fn assert_memory_defaults(run: &Run, line: &str) {
    let expected: Vec<String> = MEMORY_DEFAULTS
        .iter()
        .map(|d| line.replace("{}", &format!("{}/{}", d.namespace, d.key)))
        .collect();
    let printed: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.contains("memory entry"))
        .collect();
    assert_eq!(printed, expected, "{run:?}");
}

#[test]
fn this_build_has_the_legacy_and_the_enhanced_track() {
    assert_eq!(tracks().names(), [LEGACY_TRACK.name, ENHANCED_TRACK.name]);
    assert_eq!(
        all_tables(),
        [&LEGACY_TABLES[..], ENHANCED_TABLES].concat(),
        "every table of both tracks, legacy first"
    );
}

#[tokio::test]
async fn init_applies_both_tracks_and_is_idempotent() {
    let db = TestDb::empty().await;

    let first = memdb(db.url(), &["init"]);
    assert_lists_both_tracks(&first, "Applied");
    for name in migration_names() {
        assert!(
            first.stdout.contains(&format!("applied {name}")),
            "{first:?}"
        );
    }
    for table in ENHANCED_TABLES {
        // The default memory entries, each with the audit entry of its write.
        let rows = if ["memory_entries", "audit_log"].contains(table) {
            "3"
        } else {
            "0"
        };
        assert_eq!(table_line(&first, table), [*table, rows], "{first:?}");
    }
    assert_memory_defaults(&first, "created memory entry '{}'");
    assert_eq!(
        existing_tables(db.conn()).await,
        vec![true; all_tables().len()]
    );
    let counts = table_rows(db.conn()).await;

    let second = memdb(db.url(), &["init"]);
    assert_lists_both_tracks(&second, "Applied");
    assert!(second.stdout.contains("schema up to date"), "{second:?}");
    assert!(!second.stdout.contains("applied "), "{second:?}");
    assert_memory_defaults(&second, "memory entry '{}' already present");
    assert_eq!(table_rows(db.conn()).await, counts);

    drop(db);
}

#[tokio::test]
async fn status_shows_both_tracks_and_their_tables() {
    let db = TestDb::empty().await;
    let status = memdb(db.url(), &["status"]);
    assert_lists_both_tracks(&status, "Pending");
    for table in all_tables() {
        assert_eq!(table_line(&status, table), [table, "missing"], "{status:?}");
    }

    let db = TestDb::new().await;
    let status = memdb(db.url(), &["status"]);
    assert_lists_both_tracks(&status, "Applied");
    for table in all_tables() {
        assert_eq!(table_line(&status, table), [table, "0"], "{status:?}");
    }

    let enhanced = memdb(db.url(), &["migrate", "status", "--track", "enhanced"]);
    assert!(enhanced.success, "{enhanced:?}");
    assert!(
        enhanced.stdout.starts_with(&heading(&ENHANCED_TRACK)),
        "{enhanced:?}"
    );
    assert!(!enhanced.stdout.contains("track legacy"), "{enhanced:?}");

    drop(db);
}

#[tokio::test]
async fn rolling_back_the_enhanced_track_removes_only_its_tables() {
    let db = TestDb::new().await;
    let seed = memdb(db.url(), &["seed"]);
    assert!(seed.success, "{seed:?}");
    assert_memory_defaults(&seed, "created memory entry '{}'");
    let again = memdb(db.url(), &["seed"]);
    assert!(again.success, "{again:?}");
    assert!(
        again.stdout.starts_with("defaults already present\n"),
        "{again:?}"
    );
    assert_memory_defaults(&again, "memory entry '{}' already present");
    let legacy_rows = table_rows(db.conn()).await[..LEGACY_TABLES.len()].to_vec();
    assert_eq!(legacy_rows.iter().sum::<u64>(), 2, "the seeded defaults");

    let steps = enhanced_steps();
    let down = memdb(
        db.url(),
        &[
            "migrate", "down", "--track", "enhanced", "-n", &steps, "--yes",
        ],
    );
    assert!(down.success, "{down:?}");
    for name in ENHANCED_TRACK.migrator.migration_names() {
        assert!(
            down.stdout.contains(&format!("rolled back {name}")),
            "{down:?}"
        );
    }
    for name in LEGACY_TRACK.migrator.migration_names() {
        assert!(
            !down.stdout.contains(&format!("rolled back {name}")),
            "{down:?}"
        );
    }
    let exists = existing_tables(db.conn()).await;
    let (legacy, enhanced) = exists.split_at(LEGACY_TABLES.len());
    assert_eq!(legacy, vec![true; LEGACY_TABLES.len()]);
    assert_eq!(enhanced, vec![false; ENHANCED_TABLES.len()]);
    let status = memdb(db.url(), &["status"]);
    assert!(status.success, "{status:?}");
    for (table, rows) in LEGACY_TABLES.iter().zip(&legacy_rows) {
        assert_eq!(
            table_line(&status, table),
            [*table, rows.to_string().as_str()],
            "{status:?}"
        );
    }

    // Back up again: the enhanced track applies on top of the untouched legacy tables.
    let up = memdb(db.url(), &["migrate", "up", "--track", "enhanced"]);
    assert!(up.success, "{up:?}");
    assert_eq!(
        existing_tables(db.conn()).await,
        vec![true; all_tables().len()]
    );

    drop(db);
}

#[tokio::test]
async fn rolling_back_legacy_refuses_while_enhanced_is_applied() {
    let db = TestDb::new().await;

    for action in ["down", "reset", "refresh"] {
        let refused = memdb(db.url(), &["migrate", action, "--track", "legacy", "--yes"]);
        assert!(!refused.success, "{action}: {refused:?}");
        assert!(
            refused
                .stderr
                .contains("refusing to roll back track legacy: track enhanced depends on it"),
            "{refused:?}"
        );
    }
    assert_eq!(
        existing_tables(db.conn()).await,
        vec![true; all_tables().len()]
    );
    let status = memdb(db.url(), &["status"]);
    assert_lists_both_tracks(&status, "Applied");

    // Applying enhanced alone is refused while legacy is incomplete.
    let empty = TestDb::empty().await;
    let refused = memdb(empty.url(), &["migrate", "up", "--track", "enhanced"]);
    assert!(!refused.success, "{refused:?}");
    assert!(
        refused
            .stderr
            .contains("refusing to apply track enhanced: it depends on track legacy"),
        "{refused:?}"
    );

    drop((db, empty));
}

#[tokio::test]
async fn track_all_means_every_track() {
    let db = TestDb::empty().await;

    let up = memdb(db.url(), &["migrate", "up", "--track", "all"]);
    assert_lists_both_tracks(&up, "Applied");
    for name in migration_names() {
        assert!(up.stdout.contains(&format!("applied {name}")), "{up:?}");
    }

    let all = memdb(db.url(), &["migrate", "status", "--track", "all"]);
    assert_lists_both_tracks(&all, "Applied");
    let default = memdb(db.url(), &["migrate", "status"]);
    assert_eq!(all.stdout, default.stdout);

    let reset = memdb(db.url(), &["migrate", "reset", "--track", "all", "--yes"]);
    assert!(reset.success, "{reset:?}");
    assert_eq!(
        existing_tables(db.conn()).await,
        vec![false; all_tables().len()]
    );
    let status = memdb(db.url(), &["status"]);
    assert_lists_both_tracks(&status, "Pending");

    drop(db);
}

#[tokio::test]
async fn stamp_adopts_both_tracks_and_doctor_checks_both_entity_sets() {
    use sea_orm::ConnectionTrait as _;

    let db = TestDb::empty().await;
    let init = memdb(db.url(), &["init"]);
    assert!(init.success, "{init:?}");
    let doctor = memdb(db.url(), &["doctor"]);
    assert!(doctor.success, "{doctor:?}");
    for row in [
        "schema drift (enhanced)",
        "entity drift (memdb-enhanced-entity)",
    ] {
        assert!(doctor.stdout.contains(row), "{doctor:?}");
    }

    // Forget both tracks: the tables stay, as if made by hand.
    for track in [&LEGACY_TRACK, &ENHANCED_TRACK] {
        for table in [track.tracking_table.to_owned(), track.checksum_table()] {
            db.conn()
                .execute_unprepared(&format!("DELETE FROM {table}"))
                .await
                .expect("forget the track");
        }
    }
    // The enhanced track alone is refused while legacy is not recorded.
    let enhanced_only = memdb(
        db.url(),
        &["migrate", "stamp", "head", "--track", "enhanced"],
    );
    assert!(!enhanced_only.success, "{enhanced_only:?}");
    assert!(
        enhanced_only.stderr.contains("apply legacy first"),
        "{enhanced_only:?}"
    );

    let stamp = memdb(db.url(), &["migrate", "stamp", "head"]);
    assert!(stamp.success, "{stamp:?}");
    for name in migration_names() {
        assert!(
            stamp.stdout.contains(&format!("stamped {name} ")),
            "{stamp:?}"
        );
    }
    let doctor = memdb(db.url(), &["doctor"]);
    assert!(doctor.success, "{doctor:?}");

    db.conn()
        .execute_unprepared("DROP TABLE graph_edges")
        .await
        .expect("drop an enhanced table");
    let doctor = memdb(db.url(), &["doctor", "--json"]);
    assert!(!doctor.success, "{doctor:?}");
    for row in [
        "table graph_edges is missing\"",
        "\"check\": \"entity drift (memdb-enhanced-entity)\"",
    ] {
        assert!(doctor.stdout.contains(row), "{doctor:?}");
    }
}
