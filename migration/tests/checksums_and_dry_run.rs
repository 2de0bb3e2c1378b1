//! `memdb-migrate`'s checksums of applied migrations (refusal, repair, backfill) and its dry
//! runs, end to end on a fresh database per test (SQLite, or PostgreSQL with
//! `TEST_DATABASE_URL`).

mod support;

use memdb_migration::dialect::schema_tables;
use memdb_tests::TestDb;
use sea_orm_migration::sea_orm::ConnectionTrait;

use support::{migrate, names};

/// The recorded checksum of `version`, if any.
async fn recorded(db: &TestDb, version: &str) -> Option<String> {
    let rows = db
        .conn()
        .query_all_raw(sea_orm_migration::sea_orm::Statement::from_string(
            db.backend(),
            format!("SELECT checksum FROM seaql_migrations_checksums WHERE version = '{version}'"),
        ))
        .await
        .expect("read the checksums");
    rows.first()
        .map(|row| row.try_get_by_index(0).expect("a checksum"))
}

#[tokio::test]
async fn a_changed_applied_migration_is_refused_until_repaired() {
    let db = TestDb::empty().await;
    let names = names();
    let up = migrate(db.url(), &["up", "-n", "2"]);
    assert!(up.success, "{up:?}");
    let first = recorded(&db, &names[0]).await.expect("recorded on up");
    assert_eq!(first.len(), 64);
    let history = migrate(db.url(), &["history"]);
    assert!(history.stdout.contains(&first[..12]), "{history:?}");

    // The database remembers other SQL for the first migration than this build has: as if the
    // migration had been edited after it was applied.
    db.conn()
        .execute_unprepared(&format!(
            "UPDATE seaql_migrations_checksums SET checksum = '{}' WHERE version = '{}'",
            "0".repeat(64),
            names[0]
        ))
        .await
        .expect("plant another checksum");
    for args in [&["up"][..], &["upgrade", "+1"]] {
        let refused = migrate(db.url(), args);
        assert!(!refused.success, "{refused:?}");
        assert!(refused.stderr.contains(&names[0]), "{refused:?}");
        assert!(refused.stderr.contains("repair"), "{refused:?}");
    }
    let status = migrate(db.url(), &["status", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&status.stdout).expect("JSON");
    let applied = json["tracks"][0]["migrations"]
        .as_array()
        .expect("a list")
        .iter()
        .filter(|m| m["state"] == "applied")
        .count();
    assert_eq!(applied, 2, "nothing ran: {status:?}");

    let repair = migrate(db.url(), &["repair"]);
    assert!(repair.success, "{repair:?}");
    assert!(repair.stdout.contains(&names[0]), "{repair:?}");
    assert_eq!(recorded(&db, &names[0]).await, Some(first));
    let up = migrate(db.url(), &["up"]);
    assert!(up.success, "{up:?}");
    drop(db);
}

#[tokio::test]
async fn checksums_are_backfilled_without_a_false_alarm() {
    let db = TestDb::empty().await;
    let names = names();
    let up = migrate(db.url(), &["up", "-n", "2"]);
    assert!(up.success, "{up:?}");
    let first = recorded(&db, &names[0]).await.expect("recorded");
    // A database migrated before checksums existed has no checksum table.
    db.conn()
        .execute_unprepared("DROP TABLE seaql_migrations_checksums")
        .await
        .expect("forget the checksums");
    let up = migrate(db.url(), &["up"]);
    assert!(up.success, "{up:?}");
    assert_eq!(recorded(&db, &names[0]).await, Some(first));
    for name in &names {
        assert!(recorded(&db, name).await.is_some(), "{name}");
    }
    // Rolled back: forgotten.
    let down = migrate(db.url(), &["down"]);
    assert!(down.success, "{down:?}");
    assert_eq!(recorded(&db, names.last().expect("one")).await, None);
    drop(db);
}

#[tokio::test]
async fn a_dry_run_prints_the_sql_and_changes_nothing() {
    let db = TestDb::empty().await;
    let names = names();
    let before = schema_tables(db.conn()).await.expect("tables");
    for args in [
        &["up", "--dry-run"][..],
        &["up", "--sql"],
        &["upgrade", "--sql"],
    ] {
        let dry = migrate(db.url(), args);
        assert!(dry.success, "{dry:?}");
        assert!(
            dry.stdout.contains("CREATE TABLE \"organizations\""),
            "{dry:?}"
        );
        for name in &names {
            assert!(dry.stdout.contains(&format!("apply {name}\n")), "{dry:?}");
        }
    }
    assert_eq!(schema_tables(db.conn()).await.expect("tables"), before);

    let up = migrate(db.url(), &["up"]);
    assert!(up.success, "{up:?}");
    let dry = migrate(db.url(), &["down", "--dry-run"]);
    assert!(dry.success, "{dry:?}");
    let last = names.last().expect("a migration");
    assert!(
        dry.stdout.contains(&format!("roll back {last}\n")),
        "{dry:?}"
    );
    assert!(
        dry.stdout
            .contains("ALTER TABLE \"tasks\" DROP COLUMN \"dependent_count\""),
        "{dry:?}"
    );
    let status = migrate(db.url(), &["current"]);
    assert!(
        status.stdout.contains(last.as_str()),
        "still applied: {status:?}"
    );
    drop(db);
}

#[test]
fn a_dry_run_on_a_missing_sqlite_file_does_not_create_it() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("never.sqlite");
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let dry = migrate(&url, &["up", "--dry-run"]);
    assert!(dry.success, "{dry:?}");
    assert!(dry.stdout.contains("CREATE TABLE"), "{dry:?}");
    assert!(!path.exists(), "the dry run created {}", path.display());
    // SQLite's own dialect: its JSON columns get a CHECK.
    assert!(dry.stdout.contains("CHECK (json_valid("), "{dry:?}");
}
