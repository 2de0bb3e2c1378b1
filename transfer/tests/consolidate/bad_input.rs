//! Input a consolidation refuses with a typed error before anything is written. These need no
//! PostgreSQL: the target checks run against the test database of whichever backend is
//! configured (a SQLite target is itself refused).

use memdb_tests::TestDb;
use memdb_transfer::consolidate::{
    ConsolidateError, NoProgress, SourceSpec, check_target_url, plan, plan_with, run,
};
use sea_orm::{ConnectionTrait, DbBackend};

use crate::fixture;
use crate::quoted;

#[tokio::test]
async fn a_file_that_is_not_sqlite_or_missing_is_refused() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let text = dir.path().join("notes.db");
    std::fs::write(&text, "this is not a database, just text long enough").expect("write");
    let err = plan(&[SourceSpec::new(&text, "notes")])
        .await
        .expect_err("not SQLite");
    assert!(matches!(err, ConsolidateError::NotSqlite { .. }), "{err}");
    let short = dir.path().join("short.db");
    std::fs::write(&short, "SQLite").expect("write");
    let err = plan(&[SourceSpec::new(&short, "notes")])
        .await
        .expect_err("not SQLite");
    assert!(matches!(err, ConsolidateError::NotSqlite { .. }), "{err}");
    let err = plan(&[SourceSpec::new(dir.path().join("missing.db"), "notes")])
        .await
        .expect_err("missing");
    assert!(
        matches!(err, ConsolidateError::SourceUnreadable { .. }),
        "{err}"
    );
    assert!(
        !dir.path().join("missing.db").exists(),
        "a missing source is not created"
    );
}

#[tokio::test]
async fn schema_names_and_repeated_sources_are_refused() {
    let fixture = fixture::build().await;
    let knowledge = fixture.file("knowledge");
    for bad in ["Knowledge", "my-schema", "", "pg_data", "public", "a\"b"] {
        let err = plan(&[SourceSpec::new(knowledge, bad)])
            .await
            .expect_err(bad);
        assert!(
            matches!(err, ConsolidateError::InvalidSchemaName { .. }),
            "{bad}: {err}"
        );
    }
    let err = plan(&[
        SourceSpec::new(knowledge, "a"),
        SourceSpec::new(fixture.file("rss"), "a"),
    ])
    .await
    .expect_err("same schema twice");
    assert!(
        matches!(err, ConsolidateError::DuplicateSchema { .. }),
        "{err}"
    );
    let err = plan(&[
        SourceSpec::new(knowledge, "a"),
        SourceSpec::new(knowledge, "b"),
    ])
    .await
    .expect_err("same file twice");
    assert!(
        matches!(err, ConsolidateError::DuplicateSource { .. }),
        "{err}"
    );
    assert!(matches!(plan(&[]).await, Err(ConsolidateError::NoSources)));
}

#[test]
fn a_target_that_is_not_postgres_or_is_a_source_is_refused() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let source = dir.path().join("a.db");
    std::fs::write(&source, "x").expect("write");
    let same = format!("sqlite://{}?mode=rw", source.display());
    let err = check_target_url(&same, &[source.as_path()]).expect_err("the source itself");
    assert!(
        matches!(err, ConsolidateError::SameDatabase { .. }),
        "{err}"
    );
    let err = check_target_url("sqlite://other.db", &[source.as_path()]).expect_err("SQLite");
    assert!(
        matches!(err, ConsolidateError::TargetNotPostgres { .. }),
        "{err}"
    );
    let err = check_target_url("mysql://u:secret@h/db", &[]).expect_err("MySQL");
    assert!(!err.to_string().contains("secret"), "{err}");
    check_target_url("postgres://postgres@127.0.0.1/x", &[source.as_path()]).expect("PostgreSQL");
}

/// On the SQLite backend this is the refusal of a SQLite target; on PostgreSQL, a run into a
/// schema that already holds a table, which must leave the other schemas unwritten.
#[tokio::test]
async fn a_target_holding_data_or_not_postgres_is_refused_before_anything_is_written() {
    let fixture = fixture::build().await;
    let plan = plan_with(&fixture.specs(), quoted()).await.expect("plan");
    let target = TestDb::empty().await;
    let db = target.conn();
    if target.backend() == DbBackend::Sqlite {
        let err = run(&plan, db, &mut NoProgress)
            .await
            .expect_err("SQLite target");
        assert!(
            matches!(err, ConsolidateError::TargetNotPostgres { .. }),
            "{err}"
        );
        let tables = crate::run::count(db, "SELECT count(*) FROM sqlite_schema").await;
        assert_eq!(tables, 0, "nothing written");
        return;
    }
    db.execute_unprepared("CREATE SCHEMA rss; CREATE TABLE rss.mine (x int)")
        .await
        .expect("other data");
    let err = run(&plan, db, &mut NoProgress)
        .await
        .expect_err("rss holds a table");
    assert!(
        matches!(&err, ConsolidateError::SchemaNotEmpty { schema, relations: 1, example } if schema == "rss" && example == "mine"),
        "{err}"
    );
    let schemas = crate::run::count(
        db,
        "SELECT count(*) FROM pg_namespace WHERE nspname IN ('knowledge', 'continuum', 'accuracy')",
    )
    .await;
    assert_eq!(schemas, 0, "nothing written");
}

#[tokio::test]
async fn names_that_need_quoting_are_refused_unless_quoting_is_asked_for() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (name, schema, sql) in [
        (
            "Daily Stats",
            "tables",
            "CREATE TABLE \"Daily Stats\" (day TEXT)",
        ),
        (
            "userId",
            "columns",
            "CREATE TABLE stats (\"userId\" INTEGER)",
        ),
        (
            "by-day",
            "indexes",
            "CREATE TABLE stats (day TEXT); CREATE INDEX \"by-day\" ON stats (day)",
        ),
        ("2fa", "digits", "CREATE TABLE \"2fa\" (code TEXT)"),
    ] {
        let path = crate::awkward::source_file(dir.path(), schema, &[sql]).await;
        let err = plan(&[SourceSpec::new(&path, schema)])
            .await
            .expect_err(name);
        assert!(
            matches!(&err, ConsolidateError::NameNeedsQuoting { name: n, .. } if n == name),
            "{name}: {err}"
        );
        assert!(err.to_string().contains("--quote-names"), "{err}");
        let quoted = plan_with(&[SourceSpec::new(&path, schema)], quoted())
            .await
            .expect("quoted names are accepted when asked for");
        assert_eq!(quoted.sources[0].tables.len(), 1);
    }
    // The fixture's "Score Notes" table needs the option too.
    let fixture = fixture::build().await;
    let err = plan(&fixture.specs()).await.expect_err("Score Notes");
    assert!(
        matches!(err, ConsolidateError::NameNeedsQuoting { .. }),
        "{err}"
    );
}
