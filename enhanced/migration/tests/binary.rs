//! End-to-end test of the `memdb-enhanced-migrate` binary: the shared migrate command line over
//! the legacy and the enhanced track, on a fresh database (SQLite, or PostgreSQL with
//! `TEST_DATABASE_URL`).

use std::process::Command;

use memdb_enhanced_migration::{ENHANCED_TRACKING_TABLE, EnhancedMigrator, MigratorTrait};
use memdb_tests::TestDb;

/// Runs `memdb-enhanced-migrate --database-url <url> <args>`; success, stdout and stderr.
fn migrate(url: &str, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_memdb-enhanced-migrate"))
        .arg("--database-url")
        .arg(url)
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run memdb-enhanced-migrate");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn both_tracks_are_applied_listed_and_moved_by_track() {
    let db = TestDb::empty().await;
    let enhanced: Vec<String> = EnhancedMigrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();

    let (ok, out, err) = migrate(db.url(), &["up"]);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("track legacy (tracking table seaql_migrations"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "track enhanced (tracking table {ENHANCED_TRACKING_TABLE}"
        )),
        "{out}"
    );
    for name in &enhanced {
        assert!(out.contains(&format!("applied {name}\n")), "{out}");
    }

    // Legacy cannot go back while enhanced is applied; enhanced alone can.
    let (ok, out, err) = migrate(db.url(), &["down", "--track", "legacy"]);
    assert!(!ok, "{out}{err}");
    assert!(err.contains("roll back enhanced first"), "{err}");
    let (ok, out, err) = migrate(db.url(), &["downgrade", "base", "--track", "enhanced"]);
    assert!(ok, "{out}{err}");
    let (ok, out, err) = migrate(db.url(), &["current"]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("enhanced  (none)"), "{out}");
    drop(db);
}
