//! End-to-end tests of the `memdb` binary against a fresh database per test: a temporary SQLite
//! file by default, a fresh PostgreSQL database when `TEST_DATABASE_URL` names a server.

mod support;

use std::process::Command;

use memdb_repository::Repositories;
use memdb_repository::organizations::Organization;
use memdb_repository::personas::Persona;
use memdb_tests::TestDb;
use sea_orm::ConnectionTrait;
use sea_orm_migration::SchemaManager;

use support::{
    SEEDED_ROWS, all_tables, existing_tables, memdb, migration_names, table_rows, tracks,
};

/// The seeded rows, read through the repositories.
async fn defaults(db: &TestDb) -> (Organization, Persona) {
    let repos = Repositories::from_connection(db.pool());
    let organization = repos
        .organizations
        .get_by_slug("default")
        .await
        .expect("the default organization exists");
    let persona = repos
        .personas
        .get_by_name("default")
        .await
        .expect("the default persona exists");
    (organization, persona)
}

#[tokio::test]
async fn init_migrates_seeds_and_is_idempotent() {
    let db = TestDb::empty().await;

    let first = memdb(db.url(), &["init"]);
    assert!(first.success, "{first:?}");
    for track in tracks().iter() {
        let heading = format!(
            "track {} (tracking table {}",
            track.name, track.tracking_table
        );
        assert!(first.stdout.contains(&heading), "{first:?}");
    }
    let names = migration_names();
    assert!(names.len() >= 5, "{names:?}");
    for name in &names {
        assert!(
            first.stdout.contains(&format!("applied {name}")),
            "{first:?}"
        );
    }
    assert!(
        first.stdout.contains("created default organization"),
        "{first:?}"
    );
    assert!(
        first.stdout.contains("created default persona"),
        "{first:?}"
    );
    assert!(!first.stdout.contains("Pending"), "{first:?}");

    let tables = all_tables();
    assert_eq!(existing_tables(db.conn()).await, vec![true; tables.len()]);
    let counts = table_rows(db.conn()).await;
    let organizations = tables.iter().position(|t| *t == "organizations");
    let personas = tables.iter().position(|t| *t == "personas");
    assert_eq!(counts[organizations.expect("organizations table")], 1);
    assert_eq!(counts[personas.expect("personas table")], 1);
    assert_eq!(
        counts.iter().sum::<u64>(),
        SEEDED_ROWS,
        "only the defaults are seeded"
    );
    let (organization, persona) = defaults(&db).await;
    assert_eq!(organization.name, "Default");
    assert_eq!(persona.system_prompt, "You are a helpful assistant.");
    assert!(persona.is_active);

    let second = memdb(db.url(), &["init"]);
    assert!(second.success, "{second:?}");
    assert!(second.stdout.contains("schema up to date"), "{second:?}");
    assert!(
        second.stdout.contains("defaults already present"),
        "{second:?}"
    );
    assert!(!second.stdout.contains("applied "), "{second:?}");
    assert_eq!(table_rows(db.conn()).await, counts);
    // Whole rows, `updated_at` included: the second run wrote nothing.
    assert_eq!(defaults(&db).await, (organization, persona));

    drop(db);
}

#[tokio::test]
async fn status_on_an_empty_database_writes_nothing() {
    let db = TestDb::empty().await;

    let status = memdb(db.url(), &["status"]);
    assert!(status.success, "{status:?}");
    for name in migration_names() {
        let line = status
            .stdout
            .lines()
            .find(|l| l.starts_with(&name))
            .unwrap_or_else(|| panic!("{name} listed: {status:?}"));
        assert!(line.ends_with("Pending"), "{status:?}");
    }
    for table in all_tables() {
        let line = status
            .stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(table))
            .unwrap_or_else(|| panic!("{table} listed: {status:?}"));
        assert!(line.ends_with("missing"), "{status:?}");
    }
    let backend = if db.url().starts_with("sqlite:") {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    assert!(status.stdout.contains(backend), "{status:?}");

    let migrate_status = memdb(db.url(), &["migrate", "status"]);
    assert!(migrate_status.success, "{migrate_status:?}");
    assert!(
        migrate_status.stdout.contains("Pending"),
        "{migrate_status:?}"
    );

    let schema = SchemaManager::new(db.conn());
    for track in tracks().iter() {
        let tracking_table = track.tracking_table;
        assert!(!schema.has_table(tracking_table).await.expect("check"));
    }
    assert_eq!(
        existing_tables(db.conn()).await,
        vec![false; all_tables().len()]
    );

    drop(db);
}

#[tokio::test]
async fn destructive_migrations_need_yes_while_rows_exist() {
    let db = TestDb::empty().await;
    let init = memdb(db.url(), &["init"]);
    assert!(init.success, "{init:?}");
    let all = all_tables().len();
    // Down far enough to reach the legacy track, which holds the seeded rows, in every build.
    let every_step = migration_names().len().to_string();

    for action in [
        &["reset"][..],
        &["down", "-n", &every_step],
        &["fresh"],
        &["refresh"],
    ] {
        let refused = memdb(db.url(), &[&["migrate"][..], action].concat());
        assert!(!refused.success, "{action:?}: {refused:?}");
        assert!(
            refused
                .stderr
                .contains(&format!("holds {SEEDED_ROWS} rows")),
            "{refused:?}"
        );
        assert!(refused.stderr.contains("--yes"), "{refused:?}");
        assert_eq!(
            existing_tables(db.conn()).await,
            vec![true; all],
            "{action:?}"
        );
    }
    assert_eq!(table_rows(db.conn()).await.iter().sum::<u64>(), SEEDED_ROWS);

    let reset = memdb(db.url(), &["migrate", "reset", "--yes"]);
    assert!(reset.success, "{reset:?}");
    assert_eq!(existing_tables(db.conn()).await, vec![false; all]);

    let up = memdb(db.url(), &["migrate", "up"]);
    assert!(up.success, "{up:?}");
    for name in migration_names() {
        assert!(up.stdout.contains(&format!("applied {name}")), "{up:?}");
    }
    assert_eq!(existing_tables(db.conn()).await, vec![true; all]);

    // With no rows to lose, the guard lets destructive actions through without --yes. Without
    // --track, down rolls back the last migrations of the last track (the two newest legacy
    // ones only add a column and an index, so three are rolled back to drop a table too).
    let down = memdb(db.url(), &["migrate", "down", "-n", "3"]);
    assert!(down.success, "{down:?}");
    for name in migration_names().iter().rev().take(3) {
        assert!(
            down.stdout.contains(&format!("rolled back {name}")),
            "{down:?}"
        );
        let line = down
            .stdout
            .lines()
            .find(|l| l.starts_with(name.as_str()))
            .unwrap_or_else(|| panic!("{name} listed: {down:?}"));
        assert!(line.ends_with("Pending"), "{down:?}");
    }
    assert!(existing_tables(db.conn()).await.contains(&false));

    drop(db);
}

#[tokio::test]
async fn passwords_never_appear_in_output() {
    let url = "postgres://memdb:hunter2@127.0.0.1:1/x";

    let failed = memdb(url, &["status"]);
    assert!(!failed.success, "{failed:?}");
    assert!(failed.stderr.contains("error:"), "{failed:?}");
    assert!(failed.stderr.contains("memdb:***@127.0.0.1"), "{failed:?}");
    assert!(!failed.stdout.contains("hunter2"), "{failed:?}");
    assert!(!failed.stderr.contains("hunter2"), "{failed:?}");

    // `--help` lists the environment variable but must not show its value.
    let help = Command::new(env!("CARGO_BIN_EXE_memdb"))
        .arg("--help")
        .env("DATABASE_URL", url)
        .output()
        .expect("run the memdb binary");
    assert!(help.status.success());
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("DATABASE_URL"), "{help}");
    assert!(!help.contains("hunter2"), "{help}");
}

#[tokio::test]
async fn a_closed_stdout_ends_the_command_quietly() {
    let db = TestDb::empty().await;
    // A pipe whose reader is gone before the binary writes a byte, like `memdb status | true`.
    let (reader, writer) = std::io::pipe().expect("create a pipe");
    drop(reader);

    let output = Command::new(env!("CARGO_BIN_EXE_memdb"))
        .arg("--database-url")
        .arg(db.url())
        .arg("status")
        .env_remove("DATABASE_URL")
        .stdout(writer)
        .output()
        .expect("run the memdb binary");

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{:?}: {stderr}", output.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");

    drop(db);
}

#[test]
fn status_on_a_missing_sqlite_file_creates_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("absent.sqlite");
    let url = format!("sqlite://{}?mode=rwc", path.display());

    for args in [&["status"][..], &["migrate", "status"]] {
        let run = memdb(&url, args);
        assert!(!run.success, "{run:?}");
        assert!(run.stderr.contains("memdb init"), "{run:?}");
        assert!(!path.exists(), "{args:?} created {}", path.display());
    }
}

#[tokio::test]
async fn fresh_refuses_to_drop_tables_memdb_does_not_own() {
    let db = TestDb::new().await;
    db.conn()
        .execute_unprepared("CREATE TABLE billing (amount INTEGER)")
        .await
        .expect("create a table of another application");
    let schema = SchemaManager::new(db.conn());

    let refused = memdb(db.url(), &["migrate", "fresh"]);
    assert!(!refused.success, "{refused:?}");
    assert!(refused.stderr.contains("billing"), "{refused:?}");
    assert!(schema.has_table("billing").await.expect("check"));

    let confirmed = memdb(db.url(), &["migrate", "fresh", "--yes"]);
    assert!(confirmed.success, "{confirmed:?}");
    assert!(!schema.has_table("billing").await.expect("check"));

    drop(db);
}
