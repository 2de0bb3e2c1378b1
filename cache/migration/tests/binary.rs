//! End-to-end test of the `memdb-cache-migrate` binary: the shared migrate command line over the
//! legacy and the disposable cache track, on a fresh database (SQLite, or PostgreSQL with
//! `TEST_DATABASE_URL`).

use std::process::Command;

use memdb_cache_migration::{CACHE_TRACKING_TABLE, CacheMigrator, MigratorTrait};
use memdb_tests::TestDb;
use sea_orm_migration::sea_orm::ConnectionTrait;

/// Runs `memdb-cache-migrate --database-url <url> <args>` in a throwaway directory (backups land
/// there); success, stdout and stderr.
fn migrate(url: &str, args: &[&str]) -> (bool, String, String) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let output = Command::new(env!("CARGO_BIN_EXE_memdb-cache-migrate"))
        .arg("--database-url")
        .arg(url)
        .args(args)
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .output()
        .expect("run memdb-cache-migrate");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn both_tracks_are_applied_and_the_cache_is_recreated_at_another_version() {
    let db = TestDb::empty().await;
    let (ok, out, err) = migrate(db.url(), &["up"]);
    assert!(ok, "{out}{err}");
    for migration in CacheMigrator::migrations() {
        assert!(
            out.contains(&format!("applied {}\n", migration.name())),
            "{out}"
        );
    }
    assert!(
        out.contains(&format!(
            "track cache (tracking table {CACHE_TRACKING_TABLE}, depends on legacy, disposable)"
        )),
        "{out}"
    );

    db.conn()
        .execute_unprepared(&format!(
            "INSERT INTO {CACHE_TRACKING_TABLE} (version, applied_at) \
             VALUES ('m20990601_000001_from_another_build', 0)"
        ))
        .await
        .expect("record another build's migration");
    let (ok, out, err) = migrate(db.url(), &["up"]);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains(
            "recreated disposable track cache at this build's schema version: dropped \
                      cache_entries (0 rows), template_status (0 rows), interactions (0 rows)"
        ),
        "{out}"
    );
    assert!(!out.contains("backed up"), "no rows, no backup: {out}");
    let (ok, out, err) = migrate(db.url(), &["up"]);
    assert!(ok && out.contains("no migration changed"), "{out}{err}");
    drop(db);
}
