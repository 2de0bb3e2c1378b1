//! Consolidating the four seed-003-shaped files into four PostgreSQL schemas. On the SQLite
//! backend (no PostgreSQL configured) each test checks that the run refuses the SQLite target
//! and says so; the copy itself runs in the PostgreSQL pass.

use memdb_tests::TestDb;
use memdb_transfer::consolidate::{ConsolidateError, NoProgress, Plan, Report, plan_with, run};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::fixture;
use crate::quoted;

/// The integer the one-row query `sql` returns.
pub(crate) async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .expect("one row");
    row.try_get_by_index(0).expect("an integer")
}

/// The text the one-row query `sql` returns (`None` for NULL).
async fn text(db: &DatabaseConnection, sql: &str) -> Option<String> {
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .expect("one row");
    row.try_get_by_index(0).expect("text")
}

/// A fresh PostgreSQL database, or `None` after checking that a SQLite target is refused.
async fn postgres_target(plan: &Plan) -> Option<TestDb> {
    let target = TestDb::empty().await;
    if target.backend() == DbBackend::Postgres {
        return Some(target);
    }
    let err = run(plan, target.conn(), &mut NoProgress)
        .await
        .expect_err("SQLite target");
    assert!(
        matches!(err, ConsolidateError::TargetNotPostgres { .. }),
        "{err}"
    );
    eprintln!("the copy into PostgreSQL runs with TEST_DATABASE_URL=postgres://...");
    None
}

#[tokio::test]
async fn four_sources_consolidate_into_four_verified_schemas() {
    let fixture = fixture::build().await;
    let plan = plan_with(&fixture.specs(), quoted()).await.expect("plan");
    let Some(target) = postgres_target(&plan).await else {
        return;
    };
    let db = target.conn();
    let report = run(&plan, db, &mut NoProgress).await.expect("consolidate");
    assert!(report.committed && report.verified(), "{report:#?}");
    let tables: usize = report.sources.iter().map(|s| s.tables.len()).sum();
    assert_eq!(tables, 13);
    for table in report.sources.iter().flat_map(|s| &s.tables) {
        assert!(table.source_rows > 0, "{table:?}");
    }

    let trends = count(
        db,
        "SELECT count(*) FROM accuracy.performance_trends WHERE metadata ? 'i'",
    )
    .await;
    assert_eq!(trends, fixture::BULK_TRENDS);
    assert_eq!(
        count(db, "SELECT count(*) FROM continuum.tier_names").await,
        3
    );
    identities_continue(db, &report).await;
    foreign_keys_hold(db).await;
    awkward_values_are_kept(db).await;
}

/// Identities continue past the copied maximum and AUTOINCREMENT's counter.
async fn identities_continue(db: &DatabaseConnection, report: &Report) {
    let items = report.sources[0]
        .tables
        .iter()
        .find(|t| t.table == "knowledge_items")
        .expect("copied");
    assert_eq!(items.next_id, Some(126));
    let id = count(
        db,
        "INSERT INTO knowledge.knowledge_items (content, source, knowledge_type) \
                        VALUES ('new', 'test', 'fact') RETURNING id",
    )
    .await;
    assert_eq!(id, 126);
    let note = count(
        db,
        "INSERT INTO accuracy.\"Score Notes\" (\"select\") VALUES ('n') RETURNING \"Note Id\"",
    )
    .await;
    assert_eq!(note, 21);
}

/// Foreign keys exist and hold.
async fn foreign_keys_hold(db: &DatabaseConnection) {
    let keys = count(db, "SELECT count(*) FROM information_schema.table_constraints \
                          WHERE constraint_type = 'FOREIGN KEY' AND constraint_schema IN ('knowledge', 'rss', 'accuracy')").await;
    assert_eq!(keys, 4);
    let orphan = db
        .execute_unprepared(
            "INSERT INTO rss.rss_fetch_items (cycle_id, feed_url, status) VALUES (9999, 'u', 's')",
        )
        .await;
    assert!(orphan.is_err(), "the foreign key is enforced");
}

/// The awkward values, each where it was, unchanged (an empty string is not NULL).
async fn awkward_values_are_kept(db: &DatabaseConnection) {
    assert_eq!(
        text(
            db,
            "SELECT context_used->>1 FROM accuracy.accuracy_scores WHERE id = 1"
        )
        .await
        .as_deref(),
        Some("12345678901234567890123.5")
    );
    assert_eq!(
        text(
            db,
            "SELECT metadata FROM knowledge.knowledge_items WHERE id = 121"
        )
        .await
        .as_deref(),
        Some("")
    );
    assert_eq!(
        text(
            db,
            "SELECT metadata FROM knowledge.knowledge_items WHERE id = 122"
        )
        .await
        .as_deref(),
        Some("not json {")
    );
    assert_eq!(
        text(
            db,
            "SELECT metadata FROM knowledge.knowledge_items WHERE id = 11"
        )
        .await,
        None
    );
    assert_eq!(
        text(
            db,
            "SELECT item_published FROM rss.rss_fetch_items WHERE id = 7"
        )
        .await
        .as_deref(),
        Some("1741000000")
    );
    assert_eq!(
        text(
            db,
            "SELECT item_published FROM rss.rss_fetch_items WHERE id = 8"
        )
        .await
        .as_deref(),
        Some("")
    );
    assert_eq!(
        text(
            db,
            "SELECT total_count::text FROM continuum.forgetting_metrics WHERE id = 5"
        )
        .await
        .as_deref(),
        Some("2.5")
    );
    assert_eq!(
        text(
            db,
            "SELECT item_title FROM rss.rss_fetch_items WHERE id = 9"
        )
        .await
        .as_deref(),
        Some("")
    );
    assert_eq!(text(db, "SELECT data_type::text FROM information_schema.columns WHERE table_schema = 'knowledge' \
                         AND table_name = 'learning_sessions' AND column_name = 'metadata'").await.as_deref(), Some("jsonb"));
    assert_eq!(
        count(
            db,
            "SELECT count(*) FROM knowledge.learning_sessions WHERE metadata->'a'->>'b' = 'true'"
        )
        .await,
        fixture::ROWS
    );
    assert_eq!(
        text(
            db,
            "SELECT encode(fingerprint, 'hex') FROM accuracy.\"Score Notes\" WHERE \"Note Id\" = 3"
        )
        .await
        .as_deref(),
        Some("00010203ff")
    );
}

#[tokio::test]
async fn a_source_changed_since_planning_leaves_the_target_untouched() {
    let fixture = fixture::build().await;
    let plan = plan_with(&fixture.specs(), quoted()).await.expect("plan");
    // The third source changes after the first two were planned (and will have been copied).
    let rss = fixture::open_unchecked(fixture.file("rss")).await;
    fixture::exec(
        &rss,
        "UPDATE rss_fetch_cycles SET started_at = 'soon' WHERE id = 60",
        vec![],
    )
    .await;
    rss.close().await.expect("close");
    let Some(target) = postgres_target(&plan).await else {
        return;
    };
    let db = target.conn();
    let err = run(&plan, db, &mut NoProgress)
        .await
        .expect_err("the source changed");
    assert!(
        matches!(&err, ConsolidateError::SourceChanged { table, rowid: Some(60), .. } if table == "rss_fetch_cycles"),
        "{err}"
    );
    let schemas = count(db, "SELECT count(*) FROM pg_namespace WHERE nspname IN ('knowledge', 'continuum', 'rss', 'accuracy')").await;
    assert_eq!(schemas, 0, "the transaction rolled back");
}

/// A target that changes rows as they arrive (a trigger that an event trigger puts on one
/// copied table): the checksums differ, the report says which table, nothing is committed.
#[tokio::test]
async fn a_table_that_does_not_verify_rolls_everything_back() {
    let fixture = fixture::build().await;
    let plan = plan_with(&fixture.specs(), quoted()).await.expect("plan");
    let Some(target) = postgres_target(&plan).await else {
        return;
    };
    let db = target.conn();
    db.execute_unprepared(
        "CREATE FUNCTION public.tamper() RETURNS trigger LANGUAGE plpgsql AS \
         $$ BEGIN NEW.tier := NEW.tier || '!'; RETURN NEW; END $$; \
         CREATE FUNCTION public.add_tamper() RETURNS event_trigger LANGUAGE plpgsql AS $$ \
         BEGIN \
           IF EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands() \
                      WHERE object_identity = 'continuum.forgetting_metrics') THEN \
             CREATE TRIGGER tamper BEFORE INSERT ON continuum.forgetting_metrics \
               FOR EACH ROW EXECUTE FUNCTION public.tamper(); \
           END IF; \
         END $$; \
         CREATE EVENT TRIGGER add_tamper ON ddl_command_end WHEN TAG IN ('CREATE TABLE') \
           EXECUTE FUNCTION public.add_tamper()",
    )
    .await
    .expect("the tampering triggers");
    let report = run(&plan, db, &mut NoProgress).await.expect("a report");
    assert!(!report.committed && !report.verified());
    let failed: Vec<&str> = report
        .sources
        .iter()
        .flat_map(|s| &s.tables)
        .filter(|t| !t.verified())
        .map(|t| t.table.as_str())
        .collect();
    assert_eq!(failed, ["forgetting_metrics"]);
    let schemas = count(
        db,
        "SELECT count(*) FROM pg_namespace WHERE nspname IN ('knowledge', 'continuum', 'rss', 'accuracy')",
    )
    .await;
    assert_eq!(schemas, 0, "the transaction rolled back");
}
