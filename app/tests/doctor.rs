//! End-to-end tests of `memdb doctor` against a fresh database per test (SQLite file by
//! default, PostgreSQL when `TEST_DATABASE_URL` names a server): healthy after `memdb init`,
//! and failing, naming the problem in its table and its JSON, after each planted problem.

mod support;

use memdb_tests::TestDb;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DbBackend};
use serde_json::Value;

use support::{memdb, migration_names};

/// A database `memdb init` set up.
async fn initialised() -> TestDb {
    let db = TestDb::empty().await;
    let init = memdb(db.url(), &["init"]);
    assert!(init.success, "{init:?}");
    db
}

/// Runs `memdb doctor --json`, which must fail, and returns the checks that found a problem
/// as (check, problems joined), after checking the table form fails the same way.
fn problems(db: &TestDb) -> Vec<(String, String)> {
    let table = memdb(db.url(), &["doctor"]);
    assert!(!table.success, "{table:?}");
    assert!(table.stderr.contains("doctor found"), "{table:?}");
    assert!(table.stdout.contains(" problem "), "{table:?}");
    let run = memdb(db.url(), &["doctor", "--json"]);
    assert!(!run.success, "{run:?}");
    let json: Value = serde_json::from_str(&run.stdout).expect("doctor --json prints JSON");
    assert_eq!(json["healthy"], false, "{run:?}");
    json["checks"]
        .as_array()
        .expect("a list of checks")
        .iter()
        .filter(|c| c["status"] == "problem")
        .map(|c| {
            let problems: Vec<&str> = c["problems"]
                .as_array()
                .expect("a list of problems")
                .iter()
                .map(|p| p.as_str().expect("text"))
                .collect();
            (
                c["check"].as_str().expect("a name").to_owned(),
                problems.join("; "),
            )
        })
        .collect()
}

/// The problems of check `name`, which must be the only check failing besides `also`.
fn only_problem(found: &[(String, String)], name: &str, also: &[&str]) -> String {
    for (check, _) in found {
        assert!(
            check == name || also.contains(&check.as_str()),
            "unexpected problem in {check}: {found:?}"
        );
    }
    found
        .iter()
        .find(|(check, _)| check == name)
        .unwrap_or_else(|| panic!("{name} reports a problem: {found:?}"))
        .1
        .clone()
}

#[tokio::test]
async fn healthy_after_init() {
    let db = initialised().await;
    let table = memdb(db.url(), &["doctor"]);
    assert!(table.success, "{table:?}");
    assert!(table.stdout.starts_with("CHECK"), "{table:?}");
    assert!(!table.stdout.contains(" problem "), "{table:?}");
    let run = memdb(db.url(), &["doctor", "--json"]);
    assert!(run.success, "{run:?}");
    let json: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(json["healthy"], true, "{run:?}");
    let checks: Vec<&str> = json["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| c["check"].as_str().expect("a name"))
        .collect();
    for expected in [
        "pending migrations (legacy)",
        "checksums (legacy)",
        "schema drift (legacy)",
        "entity drift (memdb-entity)",
    ] {
        assert!(checks.contains(&expected), "{checks:?}");
    }
    let backend_checks: &[&str] = match db.backend() {
        DbBackend::Sqlite => &["integrity_check", "foreign_key_check"],
        _ => &["invalid indexes", "unvalidated constraints"],
    };
    for check in backend_checks {
        assert!(checks.contains(check), "{checks:?}");
    }
}

#[tokio::test]
async fn a_dropped_index_is_schema_drift() {
    let db = initialised().await;
    db.conn()
        .execute_unprepared("DROP INDEX ix_tasks_claim")
        .await
        .expect("drop the index");
    let found = problems(&db);
    let detail = only_problem(&found, "schema drift (legacy)", &[]);
    assert!(
        detail.contains("index ix_tasks_claim on tasks"),
        "{found:?}"
    );
    assert!(detail.contains("is missing"), "{found:?}");
}

#[tokio::test]
async fn an_unknown_migration_row_is_named() {
    let db = initialised().await;
    let future = "m20990601_000001_from_a_newer_build";
    db.conn()
        .execute_unprepared(&format!(
            "INSERT INTO seaql_migrations (version, applied_at) VALUES ('{future}', 0)"
        ))
        .await
        .expect("record an unknown migration");
    let found = problems(&db);
    assert_eq!(
        only_problem(&found, "unknown migrations (legacy)", &[]),
        future
    );
}

#[tokio::test]
async fn a_changed_checksum_is_named() {
    let db = initialised().await;
    let changed = &migration_names()[1];
    db.conn()
        .execute_unprepared(&format!(
            "UPDATE seaql_migrations_checksums SET checksum = '{}' WHERE version = '{changed}'",
            "0".repeat(64)
        ))
        .await
        .expect("change a recorded checksum");
    let found = problems(&db);
    let detail = only_problem(&found, "checksums (legacy)", &[]);
    assert!(
        detail.starts_with(&format!("{changed} recorded 000000000000")),
        "{found:?}"
    );
}

/// SQLite: a row breaking a foreign key, written by a connection with the checks off.
/// PostgreSQL, which cannot turn them off for one session: a constraint added `NOT VALID`.
#[tokio::test]
async fn a_broken_constraint_is_found() {
    let db = initialised().await;
    let (check, needle) = if db.backend() == DbBackend::Sqlite {
        let mut options = ConnectOptions::new(db.url().to_owned());
        options
            .max_connections(1)
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(|o| o.foreign_keys(false));
        let unchecked = Database::connect(options).await.expect("connect");
        unchecked
            .execute_unprepared(
                "INSERT INTO task_dependencies (task_id, depends_on_task_id) \
                 VALUES ('00000000-0000-0000-0000-000000000001', \
                         '00000000-0000-0000-0000-000000000002')",
            )
            .await
            .expect("insert with the foreign-key checks off");
        unchecked.close().await.expect("close");
        ("foreign_key_check", "task_dependencies row")
    } else {
        db.conn()
            .execute_unprepared(
                "ALTER TABLE documents ADD CONSTRAINT ck_planted CHECK (size_bytes >= 0) \
                 NOT VALID",
            )
            .await
            .expect("add a constraint without validating it");
        ("unvalidated constraints", "ck_planted on documents")
    };
    let found = problems(&db);
    assert!(
        only_problem(&found, check, &[]).contains(needle),
        "{found:?}"
    );
}

#[tokio::test]
async fn a_column_added_by_hand_is_entity_and_schema_drift() {
    let db = initialised().await;
    db.conn()
        .execute_unprepared("ALTER TABLE personas ADD COLUMN nickname TEXT")
        .await
        .expect("add a column");
    let found = problems(&db);
    let entity = only_problem(
        &found,
        "entity drift (memdb-entity)",
        &["schema drift (legacy)"],
    );
    assert_eq!(entity, "column personas.nickname is not expected");
    let schema = only_problem(
        &found,
        "schema drift (legacy)",
        &["entity drift (memdb-entity)"],
    );
    assert_eq!(schema, "column personas.nickname is not expected");
}

/// Dependencies added with SQL of its own, which leave the depended-on tasks' counts at 0: the
/// one check of the data names ten tasks and what they count, then how many more.
#[tokio::test]
async fn dependencies_added_behind_the_repository_are_miscounted_tasks() {
    let db = initialised().await;
    let roots: Vec<uuid::Uuid> = (0..11).map(|_| uuid::Uuid::now_v7()).collect();
    let child = uuid::Uuid::now_v7();
    let placeholder = |i: usize| match db.backend() {
        DbBackend::Postgres => format!("${i}"),
        _ => "?".to_owned(),
    };
    let insert_task = format!(
        "INSERT INTO tasks (id, prompt, agent_type, priority, status, input_data, retry_count, \
         max_retries, max_execution_timeout_seconds, submitted_at, last_updated_at) \
         VALUES ({}, 'planted', 'general', 5, 'ready', '{{}}', 0, 3, 60, \
         '2026-01-02T03:04:05+00:00', '2026-01-02T03:04:05+00:00')",
        placeholder(1)
    );
    let insert_edge = format!(
        "INSERT INTO task_dependencies (task_id, depends_on_task_id) VALUES ({}, {})",
        placeholder(1),
        placeholder(2)
    );
    let run = |sql: &str, values: Vec<sea_orm::Value>| {
        sea_orm::Statement::from_sql_and_values(db.backend(), sql, values)
    };
    for id in roots.iter().chain([&child]) {
        let statement = run(&insert_task, vec![(*id).into()]);
        db.conn()
            .execute_raw(statement)
            .await
            .expect("insert a task");
    }
    for root in &roots {
        let statement = run(&insert_edge, vec![child.into(), (*root).into()]);
        db.conn()
            .execute_raw(statement)
            .await
            .expect("insert an uncounted dependency");
    }
    let found = problems(&db);
    let detail = only_problem(&found, "task dependent counts (legacy)", &[]);
    // Named in id order: the first ten roots (ids of version 7 grow with time).
    for root in &roots[..10] {
        assert!(
            detail.contains(&format!(
                "task {root} counts 0 dependent(s), 1 depend on it"
            )),
            "{found:?}"
        );
    }
    assert!(!detail.contains(&roots[10].to_string()), "{found:?}");
    assert!(detail.ends_with("1 more task(s)"), "{found:?}");
}
