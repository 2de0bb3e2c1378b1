//! Sources built for one awkward schema each: foreign keys whose parent and child types
//! differ or whose `REFERENCES` clause spells names in another case, an `INTEGER PRIMARY
//! KEY` with a default, and virtual tables with their shadow tables. Planning runs on both
//! backends; the copy when PostgreSQL is configured.

use memdb_transfer::consolidate::{Plan, SourceSpec, plan};

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
