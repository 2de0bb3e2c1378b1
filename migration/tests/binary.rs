//! End-to-end tests of the `memdb-migrate` binary (the legacy track) against a fresh database
//! per test: a temporary SQLite file by default, a fresh PostgreSQL database when
//! `TEST_DATABASE_URL` names a server. `memdb migrate` runs the same code; its tests are in
//! memdb-app.

mod support;

use memdb_tests::TestDb;
use sea_orm_migration::sea_orm::ConnectionTrait;

use support::{migrate, names};

/// A migration no build has.
const FUTURE: &str = "m20990601_000001_from_a_newer_build";

#[tokio::test]
async fn up_current_history_and_their_alembic_names() {
    let db = TestDb::empty().await;
    let names = names();

    let upgrade = migrate(db.url(), &["upgrade", "+1"]);
    assert!(upgrade.success, "{upgrade:?}");
    assert!(
        upgrade.stdout.contains(&format!("applied {}\n", names[0])),
        "{upgrade:?}"
    );
    let up = migrate(db.url(), &["up"]);
    assert!(up.success, "{up:?}");
    for name in &names[1..] {
        assert!(up.stdout.contains(&format!("applied {name}\n")), "{up:?}");
    }

    let current = migrate(db.url(), &["current"]);
    assert!(current.success, "{current:?}");
    let last = names.last().expect("a migration");
    assert!(
        current.stdout.contains(&format!("legacy  {last}")),
        "{current:?}"
    );
    let current = migrate(db.url(), &["current", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&current.stdout).expect("JSON");
    assert_eq!(json["tracks"][0]["current"], last.as_str(), "{current:?}");

    let history = migrate(db.url(), &["history", "--json"]);
    assert!(history.success, "{history:?}");
    let json: serde_json::Value = serde_json::from_str(&history.stdout).expect("JSON");
    let versions: Vec<&str> = json["migrations"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|m| m["version"].as_str().expect("a version"))
        .collect();
    assert_eq!(versions, names, "{history:?}");
    assert!(
        json["migrations"][0]["applied_at"]
            .as_i64()
            .expect("seconds")
            > 0
    );
    let history = migrate(db.url(), &["history"]);
    assert!(
        history.stdout.starts_with("VERSION") && history.stdout.contains("legacy"),
        "{history:?}"
    );

    // Nothing holds rows: no --yes needed.
    let downgrade = migrate(db.url(), &["downgrade", "-1"]);
    assert!(downgrade.success, "{downgrade:?}");
    assert!(
        downgrade.stdout.contains(&format!("rolled back {last}\n")),
        "{downgrade:?}"
    );
    let base = migrate(db.url(), &["downgrade", "base"]);
    assert!(base.success, "{base:?}");
    let status = migrate(db.url(), &["status", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&status.stdout).expect("JSON");
    let migration_states: Vec<&str> = json["tracks"][0]["migrations"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|m| m["state"].as_str().expect("a state"))
        .collect();
    assert_eq!(migration_states, vec!["pending"; names.len()], "{status:?}");
    drop(db);
}

#[tokio::test]
async fn an_unknown_version_is_listed_and_refused_by_name() {
    let db = TestDb::empty().await;
    let up = migrate(db.url(), &["up", "-n", "1"]);
    assert!(up.success, "{up:?}");
    db.conn()
        .execute_unprepared(&format!(
            "INSERT INTO seaql_migrations (version, applied_at) VALUES ('{FUTURE}', 0)"
        ))
        .await
        .expect("record a migration this build does not have");

    let status = migrate(db.url(), &["status"]);
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
    let current = migrate(db.url(), &["current"]);
    assert!(
        current
            .stdout
            .contains(&format!("{FUTURE} (unknown to this build)")),
        "{current:?}"
    );

    for args in [&["up"][..], &["upgrade", "head"], &["down"]] {
        let refused = migrate(db.url(), args);
        assert!(!refused.success, "{args:?}: {refused:?}");
        assert!(refused.stderr.contains(FUTURE), "{refused:?}");
        assert!(
            refused.stderr.contains("this build does not know"),
            "{refused:?}"
        );
        assert!(!refused.stderr.contains("is missing"), "{refused:?}");
    }
    drop(db);
}

/// Runs `memdb-migrate <args>` in `dir`, with no `DATABASE_URL` unless `env_url` sets one.
fn migrate_in(dir: &std::path::Path, env_url: Option<&str>, args: &[&str]) -> support::Run {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_memdb-migrate"));
    command
        .current_dir(dir)
        .args(args)
        .env_remove("DATABASE_URL");
    if let Some(url) = env_url {
        command.env("DATABASE_URL", url);
    }
    let output = command.output().expect("run memdb-migrate");
    support::Run {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[tokio::test]
async fn the_database_url_comes_from_dot_env_unless_the_environment_sets_it() {
    let db = TestDb::empty().await;
    let dir = tempfile::tempdir().expect("a directory");
    std::fs::write(
        dir.path().join(".env"),
        format!("# deploy settings\nDATABASE_URL={}\n", db.url()),
    )
    .expect("write .env");

    let up = migrate_in(dir.path(), None, &["up"]);
    assert!(up.success, "{up:?}");
    let last = names().pop().expect("a migration");
    assert!(up.stdout.contains(&format!("applied {last}")), "{up:?}");
    let current = migrate(db.url(), &["current"]);
    assert!(current.stdout.contains(&last), "{current:?}");

    // A variable already set wins over the file.
    std::fs::write(
        dir.path().join(".env"),
        "DATABASE_URL=postgres://nobody:secret@127.0.0.1:1/none\n",
    )
    .expect("write .env");
    let status = migrate_in(dir.path(), Some(db.url()), &["current"]);
    assert!(status.success, "{status:?}");
    assert!(status.stdout.contains(&last), "{status:?}");
    assert!(!status.stderr.contains("secret"), "{status:?}");

    // A malformed file is ignored with a warning that does not repeat its content.
    std::fs::write(dir.path().join(".env"), "DATABASE_URL='secret\n").expect("write .env");
    let status = migrate_in(dir.path(), Some(db.url()), &["current"]);
    assert!(status.success, "{status:?}");
    assert!(
        status.stderr.contains("warning: .env ignored"),
        "{status:?}"
    );
    assert!(!status.stderr.contains("secret"), "{status:?}");
}
