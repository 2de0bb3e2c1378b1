//! End-to-end tests of `memdb-migrate stamp` against a fresh database per test (SQLite file by
//! default, PostgreSQL when `TEST_DATABASE_URL` names a server). The hand-made schema is the
//! migrations' own, applied and then forgotten (tracking and checksum rows deleted).

mod support;

use memdb_tests::TestDb;
use sea_orm_migration::sea_orm::ConnectionTrait;
use serde_json::Value;

use support::{migrate, names};

/// A database with every legacy table, column and index but nothing recorded.
async fn hand_made() -> TestDb {
    let db = TestDb::empty().await;
    let up = migrate(db.url(), &["up"]);
    assert!(up.success, "{up:?}");
    db.conn()
        .execute_unprepared("DELETE FROM seaql_migrations")
        .await
        .expect("forget the migrations");
    db.conn()
        .execute_unprepared("DROP TABLE seaql_migrations_checksums")
        .await
        .expect("forget the checksums");
    db
}

/// The recorded versions, oldest first.
async fn recorded(db: &TestDb) -> Vec<String> {
    let rows = db
        .conn()
        .query_all_raw(sea_orm_migration::sea_orm::Statement::from_string(
            db.backend(),
            "SELECT version FROM seaql_migrations ORDER BY version",
        ))
        .await
        .expect("read the tracking table");
    rows.iter()
        .map(|r| r.try_get_by_index(0).expect("a version"))
        .collect()
}

/// `history --json`: (version, checksum) of every applied migration.
fn history(db: &TestDb) -> Vec<(String, Option<String>)> {
    let run = migrate(db.url(), &["history", "--json"]);
    assert!(run.success, "{run:?}");
    let json: Value = serde_json::from_str(&run.stdout).expect("JSON");
    json["migrations"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|m| {
            (
                m["version"].as_str().expect("a version").to_owned(),
                m["checksum"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[tokio::test]
async fn stamp_head_adopts_a_hand_made_schema() {
    let db = hand_made().await;
    let names = names();
    assert!(recorded(&db).await.is_empty());

    let stamp = migrate(db.url(), &["stamp", "head"]);
    assert!(stamp.success, "{stamp:?}");
    for name in &names {
        assert!(
            stamp
                .stdout
                .contains(&format!("stamped {name} (track legacy, checksum ")),
            "{stamp:?}"
        );
    }
    assert_eq!(recorded(&db).await, names);
    let history = history(&db);
    assert_eq!(
        history.iter().map(|(v, _)| v.clone()).collect::<Vec<_>>(),
        names
    );
    for (version, checksum) in &history {
        assert_eq!(checksum.as_deref().map(str::len), Some(64), "{version}");
    }

    let up = migrate(db.url(), &["up"]);
    assert!(up.success, "{up:?}");
    assert!(up.stdout.starts_with("no migration changed\n"), "{up:?}");
    let status = migrate(db.url(), &["status", "--json"]);
    let json: Value = serde_json::from_str(&status.stdout).expect("JSON");
    for migration in json["tracks"][0]["migrations"].as_array().expect("a list") {
        assert_eq!(migration["state"], "applied", "{status:?}");
    }
    let doctor = migrate(db.url(), &["doctor"]);
    assert!(doctor.success, "{doctor:?}");
    let again = migrate(db.url(), &["stamp", "head"]);
    assert!(again.success, "{again:?}");
    assert!(again.stdout.contains("nothing to stamp"), "{again:?}");
}

#[tokio::test]
async fn stamp_refuses_an_incomplete_schema_unless_forced() {
    let db = hand_made().await;
    db.conn()
        .execute_unprepared("DROP INDEX ix_tasks_claim")
        .await
        .expect("drop an index");
    db.conn()
        .execute_unprepared("DROP TABLE personas")
        .await
        .expect("drop a table");

    let stamp = migrate(db.url(), &["stamp", "head"]);
    assert!(!stamp.success, "{stamp:?}");
    assert!(stamp.stderr.contains("refusing to stamp head"), "{stamp:?}");
    assert!(
        stamp.stderr.contains("table personas is missing"),
        "{stamp:?}"
    );
    assert!(
        stamp.stderr.contains("index ix_tasks_claim on tasks"),
        "{stamp:?}"
    );
    assert!(recorded(&db).await.is_empty(), "nothing recorded");

    let forced = migrate(db.url(), &["stamp", "head", "--force", "--json"]);
    assert!(forced.success, "{forced:?}");
    let json: Value = serde_json::from_str(&forced.stdout).expect("JSON");
    assert_eq!(json["forced"], true, "{forced:?}");
    let differences = json["differences"].to_string();
    assert!(
        differences.contains("table personas is missing"),
        "{forced:?}"
    );
    assert_eq!(
        json["recorded"].as_array().expect("a list").len(),
        names().len()
    );
    assert_eq!(recorded(&db).await, names());
    // Recorded, but still missing: the doctor says so.
    let doctor = migrate(db.url(), &["doctor"]);
    assert!(!doctor.success, "{doctor:?}");
    assert!(
        doctor.stdout.contains("table personas is missing"),
        "{doctor:?}"
    );
}

#[tokio::test]
async fn stamp_a_version_records_it_and_those_before() {
    let db = TestDb::empty().await;
    let names = names();
    let upgrade = migrate(db.url(), &["upgrade", "+2"]);
    assert!(upgrade.success, "{upgrade:?}");
    db.conn()
        .execute_unprepared("DELETE FROM seaql_migrations")
        .await
        .expect("forget the migrations");

    // The third migration's tables do not exist.
    let too_far = migrate(db.url(), &["stamp", &names[2]]);
    assert!(!too_far.success, "{too_far:?}");
    assert!(
        too_far.stderr.contains("table tasks is missing"),
        "{too_far:?}"
    );

    let stamp = migrate(db.url(), &["stamp", &names[1], "--track", "legacy"]);
    assert!(stamp.success, "{stamp:?}");
    assert_eq!(recorded(&db).await, names[..2]);
    let up = migrate(db.url(), &["up"]);
    assert!(up.success, "{up:?}");
    for name in &names[2..] {
        assert!(up.stdout.contains(&format!("applied {name}\n")), "{up:?}");
    }

    let unknown = migrate(db.url(), &["stamp", "m20990101_000001_nowhere"]);
    assert!(!unknown.success, "{unknown:?}");
    assert!(
        unknown
            .stderr
            .contains("no migration named m20990101_000001_nowhere in track(s) legacy"),
        "{unknown:?}"
    );
}

#[tokio::test]
async fn concurrent_stamps_record_each_migration_once() {
    let db = hand_made().await;
    let url = db.url().to_owned();
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || migrate(&url, &["stamp", "head"]))
        })
        .map(|handle| handle.join().expect("a stamp process"))
        .collect();
    let mut stamped = 0;
    for run in &runs {
        assert!(run.success, "{run:?}");
        if run.stdout.contains("stamped ") {
            stamped += 1;
        } else {
            assert!(run.stdout.contains("nothing to stamp"), "{run:?}");
        }
    }
    assert_eq!(stamped, 1, "{runs:?}");
    assert_eq!(recorded(&db).await, names());
}
