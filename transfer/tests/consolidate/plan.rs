//! Plans of the four seed-003-shaped files: the type decisions, every awkward value, the DDL,
//! and that planning writes nothing.

use memdb_transfer::consolidate::{PgType, Plan, TablePlan, plan_with};
use sha2::{Digest, Sha256};

use crate::fixture;
use crate::quoted;

fn table<'a>(plan: &'a Plan, schema: &str, name: &str) -> &'a TablePlan {
    plan.sources
        .iter()
        .find(|s| s.schema == schema)
        .and_then(|s| s.tables.iter().find(|t| t.name == name))
        .unwrap_or_else(|| panic!("{schema}.{name} is planned"))
}

/// `(preferred, chosen)` of a column.
fn types(plan: &Plan, schema: &str, table_name: &str, column: &str) -> (PgType, PgType) {
    let c = table(plan, schema, table_name)
        .columns
        .iter()
        .find(|c| c.name == column)
        .unwrap_or_else(|| panic!("{column} is planned"));
    (c.preferred, c.pg_type)
}

#[tokio::test]
async fn types_follow_declarations_and_values() {
    let fixture = fixture::build().await;
    let plan = plan_with(&fixture.specs(), quoted()).await.expect("plan");

    let items = table(&plan, "knowledge", "knowledge_items");
    assert!(
        items.columns[0].identity,
        "INTEGER PRIMARY KEY AUTOINCREMENT is an identity"
    );
    assert_eq!(items.autoincrement_seq, Some(125));
    assert_eq!(items.rows, fixture::ROWS as u64 + 2);
    assert_eq!(
        types(&plan, "knowledge", "knowledge_items", "confidence_score"),
        (PgType::Double, PgType::Double)
    );
    assert_eq!(
        types(&plan, "knowledge", "knowledge_items", "created_at"),
        (PgType::Timestamptz, PgType::Timestamptz)
    );
    assert_eq!(
        types(&plan, "knowledge", "knowledge_items", "metadata"),
        (PgType::Jsonb, PgType::Text)
    );
    assert_eq!(
        types(&plan, "knowledge", "learning_sessions", "metadata"),
        (PgType::Jsonb, PgType::Jsonb)
    );
    assert_eq!(
        types(&plan, "continuum", "tier_metrics", "item_id"),
        (PgType::Text, PgType::Text)
    );
    assert_eq!(
        types(&plan, "continuum", "forgetting_metrics", "total_count"),
        (PgType::BigInt, PgType::Double)
    );
    assert_eq!(
        types(&plan, "rss", "rss_fetch_items", "item_published"),
        (PgType::Timestamptz, PgType::Text)
    );
    assert_eq!(
        types(&plan, "rss", "rss_fetch_cycles", "completed_at"),
        (PgType::Timestamptz, PgType::Timestamptz)
    );
    assert_eq!(
        types(&plan, "accuracy", "accuracy_scores", "context_used"),
        (PgType::Jsonb, PgType::Jsonb)
    );
    assert_eq!(
        types(&plan, "accuracy", "Score Notes", "is done"),
        (PgType::Boolean, PgType::Boolean)
    );
    assert_eq!(
        types(&plan, "accuracy", "Score Notes", "fingerprint"),
        (PgType::Bytea, PgType::Bytea)
    );
    assert!(table(&plan, "accuracy", "Score Notes").columns[0].identity);
    // Named like a timestamp, holding none: text, and no fallback for each value.
    assert_eq!(
        types(&plan, "accuracy", "Score Notes", "noted_at"),
        (PgType::Text, PgType::Text)
    );
    let names = table(&plan, "continuum", "tier_names");
    assert!(names.without_rowid && names.rows == 3 && !names.columns[0].identity);
    let trends = table(&plan, "accuracy", "performance_trends");
    assert_eq!(trends.rows, (fixture::ROWS + fixture::BULK_TRENDS) as u64);
    assert_eq!(
        types(&plan, "accuracy", "performance_trends", "metadata"),
        (PgType::Jsonb, PgType::Jsonb)
    );
}

#[tokio::test]
async fn every_value_that_forced_a_fallback_is_reported() {
    let fixture = fixture::build().await;
    let plan = plan_with(&fixture.specs(), quoted()).await.expect("plan");
    let mut reported: Vec<(String, String, Option<i64>, String, String)> = plan
        .fallbacks()
        .map(|(s, f)| {
            (
                s.schema.clone(),
                format!("{}.{}", f.table, f.column),
                f.rowid,
                f.value.clone(),
                f.reason.clone(),
            )
        })
        .collect();
    reported.sort();
    let expected = [
        (
            "continuum",
            "forgetting_metrics.total_count",
            5,
            "2.5",
            "a real, not an integer",
        ),
        (
            "knowledge",
            "knowledge_items.metadata",
            121,
            "\"\"",
            "empty string",
        ),
        (
            "knowledge",
            "knowledge_items.metadata",
            122,
            "\"not json {\"",
            "not JSON",
        ),
        (
            "rss",
            "rss_fetch_items.item_published",
            7,
            "1741000000",
            "a number",
        ),
        (
            "rss",
            "rss_fetch_items.item_published",
            8,
            "\"\"",
            "empty string",
        ),
    ]
    .map(|(s, c, r, v, why)| {
        (
            s.to_owned(),
            c.to_owned(),
            Some(r),
            v.to_owned(),
            why.to_owned(),
        )
    });
    assert_eq!(reported, expected);
}

#[tokio::test]
async fn the_ddl_names_keys_indexes_and_quoted_names() {
    let fixture = fixture::build().await;
    let plan = plan_with(&fixture.specs(), quoted()).await.expect("plan");
    let ddl = |schema: &str| {
        let s = plan
            .sources
            .iter()
            .find(|s| s.schema == schema)
            .expect("planned");
        (s.create.join(";\n"), s.finish.join(";\n"), s.notes.clone())
    };
    let (create, finish, notes) = ddl("knowledge");
    assert!(
        create.contains("\"id\" bigint GENERATED BY DEFAULT AS IDENTITY,"),
        "{create}"
    );
    assert!(
        create.contains("\"metadata\" text DEFAULT E'{}'"),
        "{create}"
    );
    assert!(
        create.contains("\"created_at\" timestamptz DEFAULT CURRENT_TIMESTAMP"),
        "{create}"
    );
    assert_eq!(finish.matches("FOREIGN KEY").count(), 2, "{finish}");
    assert!(finish.contains("ON DELETE CASCADE"), "{finish}");
    assert!(finish.contains("(\"retention_score\" DESC)"), "{finish}");
    assert!(notes.is_empty(), "{notes:?}");
    let (_, _, notes) = ddl("continuum");
    assert_eq!(
        notes,
        ["tier_names.label: generated column not copied (its values follow from the others)"]
    );
    let (create, _, _) = ddl("rss");
    assert!(create.contains("UNIQUE (\"cycle_number\")"), "{create}");
    let (create, finish, notes) = ddl("accuracy");
    assert_eq!(
        notes,
        ["learning_objectives: partial index idx_open_objectives not created"]
    );
    assert!(
        create.contains("CREATE TABLE \"accuracy\".\"Score Notes\""),
        "{create}"
    );
    assert!(
        create.contains("\"is done\" boolean NOT NULL DEFAULT false"),
        "{create}"
    );
    assert!(
        finish.contains("CREATE UNIQUE INDEX \"Score Notes by score\""),
        "{finish}"
    );
}

#[tokio::test]
async fn planning_changes_no_source() {
    let fixture = fixture::build().await;
    let digest = |fixture: &fixture::Fixture| -> Vec<Vec<u8>> {
        fixture
            .sources
            .iter()
            .map(|(p, _)| Sha256::digest(std::fs::read(p).expect("read a source")).to_vec())
            .collect()
    };
    let before = digest(&fixture);
    plan_with(&fixture.specs(), quoted()).await.expect("plan");
    assert_eq!(digest(&fixture), before);
}

#[tokio::test]
async fn a_foreign_key_with_orphans_is_left_out_and_noted() {
    let fixture = fixture::build().await;
    let file = fixture.file("rss");
    let db = fixture::open_unchecked(file).await;
    fixture::exec(
        &db,
        "UPDATE rss_fetch_items SET cycle_id = 9999 WHERE id = 3",
        vec![],
    )
    .await;
    db.close().await.expect("close");
    let plan = plan_with(&fixture.specs(), quoted()).await.expect("plan");
    let rss = plan
        .sources
        .iter()
        .find(|s| s.schema == "rss")
        .expect("planned");
    assert!(
        !rss.finish.iter().any(|s| s.contains("FOREIGN KEY")),
        "{:?}",
        rss.finish
    );
    assert_eq!(rss.notes.len(), 1, "{:?}", rss.notes);
    assert!(
        rss.notes[0].contains("1 row(s) have no parent row"),
        "{:?}",
        rss.notes
    );
}
