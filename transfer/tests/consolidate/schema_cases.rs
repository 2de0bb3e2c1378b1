//! Sources built for one awkward schema each: foreign keys whose parent and child types
//! differ or whose `REFERENCES` clause spells names in another case, an `INTEGER PRIMARY
//! KEY` with a default, and virtual tables with their shadow tables. Planning runs on both
//! backends; the copy when PostgreSQL is configured.

use memdb_transfer::consolidate::{PgType, Plan, SourceSpec, plan};

use crate::awkward::{run_verified, source_file};
use crate::run::count;

/// The plan's notes on its only source, joined by newlines.
fn notes(plan: &Plan) -> String {
    plan.sources[0].notes.join("\n")
}

#[tokio::test]
async fn a_foreign_key_between_different_types_is_left_out_and_names_match_in_any_case() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = source_file(
        dir.path(),
        "keys",
        &[
            "CREATE TABLE parents (code TEXT PRIMARY KEY, name TEXT)",
            "INSERT INTO parents VALUES ('1', 'one'), ('b', 'bee')",
            // INTEGER child, TEXT parent: PostgreSQL would refuse the constraint.
            "CREATE TABLE numbered (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES parents (code))",
            "INSERT INTO numbered VALUES (1, NULL)",
            // The parent's column spelled in upper case: SQLite matches it.
            "CREATE TABLE lettered (id INTEGER PRIMARY KEY, parent TEXT REFERENCES parents (CODE))",
            "INSERT INTO lettered VALUES (1, 'b'), (2, '1')",
        ],
    )
    .await;
    let plan = plan(&[SourceSpec::new(&path, "keys")]).await.expect("plan");
    let notes = notes(&plan);
    assert!(
        notes.contains(
            "numbered: foreign key (parent) -> parents not created: parent became bigint but parents.code became text"
        ),
        "{notes}"
    );
    assert!(!notes.contains("lettered"), "{notes}");
    let finish = plan.sources[0].finish.join("\n");
    assert!(
        finish.contains(r#"FOREIGN KEY ("parent") REFERENCES "keys"."parents" ("code")"#),
        "{finish}"
    );
    let Some(target) = run_verified(&plan).await else {
        return;
    };
    let db = target.conn();
    assert_eq!(
        count(
            db,
            "SELECT count(*) FROM information_schema.table_constraints \
             WHERE constraint_type = 'FOREIGN KEY' AND constraint_schema = 'keys'"
        )
        .await,
        1
    );
    let orphan = sea_orm::ConnectionTrait::execute_unprepared(
        db,
        "INSERT INTO keys.lettered (parent) VALUES ('nowhere')",
    )
    .await;
    assert!(orphan.is_err(), "the foreign key is enforced");
}

#[tokio::test]
async fn an_identity_default_is_dropped_and_virtual_tables_are_left_out() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = source_file(
        dir.path(),
        "odd",
        &[
            "CREATE TABLE counters (id INTEGER PRIMARY KEY DEFAULT 0, label TEXT DEFAULT 'x')",
            "INSERT INTO counters (id, label) VALUES (5, 'five')",
            "CREATE VIRTUAL TABLE docs USING fts5(body)",
            "INSERT INTO docs (body) VALUES ('full text')",
        ],
    )
    .await;
    let plan = plan(&[SourceSpec::new(&path, "odd")]).await.expect("plan");
    let notes = notes(&plan);
    assert!(
        notes.contains("counters.id: default 0 dropped (the identity hands out new ids)"),
        "{notes}"
    );
    assert!(notes.contains("docs: virtual table not copied"), "{notes}");
    assert!(
        notes.contains("docs_data: shadow table of a virtual table not copied"),
        "{notes}"
    );
    let tables: Vec<&str> = plan.sources[0]
        .tables
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(tables, ["counters"]);
    let counters = &plan.sources[0].tables[0];
    assert_eq!(counters.columns[1].default.as_deref(), Some("E'x'"));
    let Some(target) = run_verified(&plan).await else {
        return;
    };
    let db = target.conn();
    assert_eq!(
        count(db, "INSERT INTO odd.counters DEFAULT VALUES RETURNING id").await,
        6
    );
}

#[tokio::test]
async fn keys_that_postgres_would_refuse_are_kept_apart_as_text_or_left_out_in_the_plan() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = source_file(
        dir.path(),
        "keyed",
        &[
            // SQLite allows a NULL in a rowid table's TEXT PRIMARY KEY (seed 003's tier_metrics).
            "CREATE TABLE tier_metrics (item_id TEXT PRIMARY KEY, score REAL)",
            "INSERT INTO tier_metrics VALUES ('a', 1.0), (NULL, 2.0)",
            // One instant written with two offsets: distinct as text.
            "CREATE TABLE stamps (at TIMESTAMP PRIMARY KEY, note TEXT)",
            "INSERT INTO stamps VALUES ('2026-01-02 10:00:00Z', 'utc'), \
             ('2026-01-02 12:00:00+02:00', 'cest')",
            // The integer 1 and the text '1' are the same text: no type keeps them apart.
            "CREATE TABLE mixed (k UNIQUE, note TEXT)",
            "INSERT INTO mixed VALUES (1, 'integer'), ('1', 'text')",
        ],
    )
    .await;
    let plan = plan(&[SourceSpec::new(&path, "keyed")])
        .await
        .expect("plan");
    let notes = notes(&plan);
    assert!(
        notes.contains(
            "tier_metrics: primary key (item_id) not created: rowid 2 has NULL in item_id"
        ),
        "{notes}"
    );
    assert!(
        notes.contains(
            "mixed: unique index sqlite_autoindex_mixed_1 (k) created without UNIQUE: \
             rowids 1 and 2 have the same converted values"
        ),
        "{notes}"
    );
    let stamps = plan.sources[0]
        .tables
        .iter()
        .find(|t| t.name == "stamps")
        .expect("planned");
    assert_eq!(stamps.columns[0].pg_type, PgType::Text);
    assert!(
        stamps.columns[0].reason.contains("kept as text"),
        "{:?}",
        stamps.columns[0]
    );
    let Some(target) = run_verified(&plan).await else {
        return;
    };
    let db = target.conn();
    assert_eq!(
        count(db, "SELECT count(*) FROM keyed.tier_metrics").await,
        2
    );
    assert_eq!(
        count(db, "SELECT count(DISTINCT at) FROM keyed.stamps").await,
        2
    );
    assert_eq!(count(db, "SELECT count(*) FROM keyed.mixed").await, 2);
    assert_eq!(
        count(
            db,
            "SELECT count(*) FROM information_schema.table_constraints \
             WHERE constraint_type = 'PRIMARY KEY' AND constraint_schema = 'keyed'"
        )
        .await,
        1
    );
}
