//! The cache build of `memdb` (feature `cache`): `init` applies the disposable cache track, and
//! `migrate up` on a database where that track stands at another schema version backs the
//! database up, recreates the track's tables empty and says what it dropped, leaving every
//! other table as it was. (The byte-for-byte proof over every other table, on the library
//! `memdb` calls, is in memdb-tests' `cross_track::disposable`.)

mod support;

use memdb_cache_migration::{CACHE_TABLES, CACHE_TRACKING_TABLE};
use memdb_migration::inspect::row_counts;
use memdb_tests::TestDb;
use memdb_tests::content::table_checksum;
use sea_orm::ConnectionTrait;

use support::{memdb, memdb_in};

#[tokio::test]
async fn up_recreates_the_cache_track_found_at_another_version_after_a_backup() {
    let db = TestDb::empty().await;
    let init = memdb(db.url(), &["init"]);
    assert!(init.success, "{init:?}");
    assert!(
        init.stdout.contains(&format!(
            "track cache (tracking table {CACHE_TRACKING_TABLE}, depends on legacy, disposable)"
        )),
        "{init:?}"
    );
    let up = memdb(db.url(), &["migrate", "up"]);
    assert!(up.stdout.contains("no migration changed"), "{up:?}");

    // Another build's cache: an applied migration this build does not know, and rows.
    let conn = db.conn();
    for sql in [
        format!(
            "INSERT INTO {CACHE_TRACKING_TABLE} (version, applied_at) VALUES ('m20990601_000001_from_another_build', 0)"
        ),
        "INSERT INTO template_status (template, call_count, total_latency_ms, avg_latency_ms) \
         VALUES ('a', 1, 5, 5), ('b', 2, 4, 2)"
            .to_owned(),
    ] {
        conn.execute_unprepared(&sql).await.expect("set up");
    }
    let organizations = table_checksum(conn, "organizations").await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let up = memdb_in(dir.path(), db.url(), &["migrate", "up"], &[]);
    assert!(up.success, "{up:?}");
    assert!(
        up.stdout.contains("backed up 2 rows to ")
            && up
                .stdout
                .contains("before going on to recreate a disposable track"),
        "{up:?}"
    );
    assert!(
        up.stdout.contains(
            "recreated disposable track cache at this build's schema version: dropped \
             cache_entries (0 rows), template_status (2 rows), interactions (0 rows)"
        ),
        "{up:?}"
    );
    let backups = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(backups, 1, "one backup in the current directory");
    let counts = row_counts(conn, CACHE_TABLES).await.unwrap();
    assert!(counts.iter().all(|t| t.rows == Some(0)), "{counts:?}");
    assert_eq!(
        table_checksum(conn, "organizations").await.unwrap(),
        organizations
    );
    let status = memdb(db.url(), &["migrate", "status"]);
    assert!(!status.stdout.contains("m20990601"), "{status:?}");

    drop(db);
}
