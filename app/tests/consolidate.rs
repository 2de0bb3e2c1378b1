//! `memdb consolidate` end to end: the four seed-003-shaped SQLite files (built by the same
//! fixture the library's tests use) planned, refused where the input is bad, and, with
//! `TEST_DATABASE_URL` naming PostgreSQL, consolidated into a fresh database. On the SQLite
//! backend the run is refused (the target must be PostgreSQL) and the test checks that.

mod support;

#[path = "../../transfer/tests/consolidate/fixture.rs"]
#[allow(
    dead_code,
    reason = "the library's tests use more of the fixture than these do"
)]
mod fixture;

use memdb_tests::TestDb;
use sea_orm::DbBackend;

use support::{Run, memdb};

/// `memdb consolidate` with the fixture's four `--from`/`--schema` pairs and `extra`.
fn consolidate(fixture: &fixture::Fixture, extra: &[&str]) -> Run {
    // The fixture's "Score Notes" table needs quoting.
    let mut args = vec!["consolidate".to_owned(), "--quote-names".to_owned()];
    for (path, schema) in &fixture.sources {
        args.extend([
            "--from".into(),
            path.display().to_string(),
            "--schema".into(),
            (*schema).to_owned(),
        ]);
    }
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // `--database-url` is not what consolidate writes to: a URL that would fail if used.
    memdb("sqlite:///nonexistent/dir/never-opened.db?mode=ro", &args)
}

#[tokio::test]
async fn plan_prints_types_fallbacks_and_ddl_without_a_target() {
    let fixture = fixture::build().await;
    let run = consolidate(&fixture, &["--plan"]);
    assert!(run.success, "{run:?}");
    for expected in [
        "source ",
        "table knowledge_items (122 rows)",
        "text (jsonb -> fallback, 2 value(s))",
        "fallback: knowledge.knowledge_items rowid 121 metadata: \"\" (empty string) -> text",
        "fallback: rss.rss_fetch_items rowid 7 item_published: 1741000000 (a number) -> text",
        "CREATE TABLE \"accuracy\".\"Score Notes\" (",
        "ALTER TABLE \"knowledge\".\"knowledge_relationships\" ADD CONSTRAINT",
    ] {
        assert!(
            run.stdout.contains(expected),
            "missing {expected:?}\n{run:?}"
        );
    }
    let json = consolidate(&fixture, &["--plan", "--json"]);
    assert!(json.success, "{json:?}");
    let plan: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(plan["sources"].as_array().map(Vec::len), Some(4));
}

#[tokio::test]
async fn bad_input_is_refused_with_a_clear_message() {
    let fixture = fixture::build().await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "plain text, not a database at all").expect("write");
    let text = text.display().to_string();
    let knowledge = fixture.file("knowledge").display().to_string();
    for (args, message) in [
        (
            vec!["--from", &text, "--schema", "notes", "--plan"],
            "is not a SQLite database",
        ),
        (
            vec!["--from", &knowledge, "--schema", "Bad-Name", "--plan"],
            "invalid schema name",
        ),
        (
            vec![
                "--from", &knowledge, "--schema", "a", "--from", &knowledge, "--schema", "b",
                "--plan",
            ],
            "given twice",
        ),
        (
            vec![
                "--from", &knowledge, "--schema", "k", "--from", &text, "--plan",
            ],
            "one --schema per --from",
        ),
    ] {
        let mut all = vec!["consolidate"];
        all.extend(args);
        let run = memdb("sqlite::memory:", &all);
        assert!(
            !run.success && run.stderr.contains(message),
            "{message}: {run:?}"
        );
    }
    let same = format!("sqlite://{knowledge}?mode=rw");
    let run = memdb(
        "sqlite::memory:",
        &[
            "consolidate",
            "--from",
            &knowledge,
            "--schema",
            "k",
            "--to",
            &same,
        ],
    );
    assert!(
        !run.success && run.stderr.contains("consolidation reads from one database"),
        "{run:?}"
    );
}

#[tokio::test]
async fn consolidate_copies_verifies_and_refuses_to_write_twice() {
    let fixture = fixture::build().await;
    let target = TestDb::empty().await;
    // A plan that checks the target only reads it (the run below finds the schemas empty).
    let plan = consolidate(&fixture, &["--plan", "--to", target.url()]);
    let run = consolidate(&fixture, &["--to", target.url()]);
    if target.backend() == DbBackend::Sqlite {
        assert!(
            !plan.success && plan.stderr.contains("is not a PostgreSQL database"),
            "{plan:?}"
        );
        assert!(
            !run.success && run.stderr.contains("is not a PostgreSQL database"),
            "{run:?}"
        );
        eprintln!("the copy into PostgreSQL runs with TEST_DATABASE_URL=postgres://...");
        return;
    }
    assert!(plan.success && plan.stdout.contains("-- DDL"), "{plan:?}");
    assert!(run.success, "{run:?}");
    assert!(run.stdout.contains("\ncommitted\n"), "{run:?}");
    assert_eq!(run.stdout.matches(" ok ").count(), 13, "{run:?}");
    assert!(
        run.stdout
            .contains("fallback: continuum.forgetting_metrics rowid 5 total_count: 2.5"),
        "{run:?}"
    );
    assert!(
        run.stderr
            .contains("knowledge.knowledge_items: 122 rows copied"),
        "{run:?}"
    );
    assert!(
        !run.stderr.contains("postgres@"),
        "no URL with credentials in progress output"
    );
    let again = consolidate(&fixture, &["--to", target.url()]);
    assert!(
        !again.success && again.stderr.contains("already holds"),
        "{again:?}"
    );
}

#[tokio::test]
async fn long_fallback_lists_are_cut_in_text_and_whole_in_json() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("many.db");
    let db = memdb_repository::connect(&format!("sqlite://{}?mode=rwc", file.display()))
        .await
        .expect("create a SQLite file");
    fixture::exec(
        &db,
        "CREATE TABLE t (id INTEGER PRIMARY KEY, metadata TEXT)",
        vec![],
    )
    .await;
    // 40 rows, every third one (13) not JSON.
    fixture::exec(
        &db,
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40) \
         INSERT INTO t (metadata) \
         SELECT CASE WHEN i % 3 = 0 THEN 'plain ' || i ELSE json_object('i', i) END FROM n",
        vec![],
    )
    .await;
    db.close().await.expect("close");
    let file = file.display().to_string();
    let text = memdb(
        "sqlite::memory:",
        &["consolidate", "--from", &file, "--schema", "many", "--plan"],
    );
    assert!(text.success, "{text:?}");
    assert_eq!(
        text.stdout.matches("fallback: many.t rowid ").count(),
        10,
        "{text:?}"
    );
    assert!(
        text.stdout
            .contains("fallback: many.t metadata: 3 more (--json lists the first 1000 per column)"),
        "{text:?}"
    );
    let json = memdb(
        "sqlite::memory:",
        &[
            "consolidate",
            "--from",
            &file,
            "--schema",
            "many",
            "--plan",
            "--json",
        ],
    );
    let plan: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(plan["fallback_examples_per_column"], 1000);
    let fallbacks = &plan["sources"][0]["tables"][0]["fallbacks"];
    assert_eq!(fallbacks.as_array().map(Vec::len), Some(13), "{fallbacks}");
}
