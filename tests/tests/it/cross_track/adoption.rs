//! Enhanced tables a hand-made setup left behind: one of exactly the right shape is adopted with
//! its rows; anything else fails the migration with an error naming it, and the failed
//! migration leaves nothing behind (each runs in a transaction on SQLite and PostgreSQL).

use memdb_enhanced_migration::{ENHANCED_TABLES, ENHANCED_TRACKING_TABLE};
use memdb_migration::dialect::index_columns;
use memdb_migration::plan::Action;
use sea_orm::{ConnectionTrait, DatabaseConnection};

use super::catalog::{Catalog, checksum, schema_catalog, table_catalog};
use super::{legacy_database, run};

/// `audit_log` as the hand-made setup created it: the migration's columns, plain types.
const HAND_MADE_AUDIT_LOG: &str = "CREATE TABLE audit_log (id uuid PRIMARY KEY, \
     actor varchar(200) NOT NULL, action varchar(16) NOT NULL, entity varchar(64) NOT NULL, \
     entity_id varchar(200) NOT NULL, \"before\" jsonb, \"after\" jsonb, \
     \"at\" timestamptz NOT NULL)";

/// One row the hand-made setup wrote.
const HAND_MADE_ROW: &str = "INSERT INTO audit_log \
     (id, actor, action, entity, entity_id, \"before\", \"after\", \"at\") VALUES \
     ('01935c7e-0000-7000-8000-000000000001', 'setup', 'create', 'organization', 'acme', \
      NULL, '{\"slug\": \"acme\"}', '2025-01-01T00:00:00Z')";

/// The migration's index on `audit_log` with its columns in order.
const ENTITY_INDEX: (&str, [&str; 4]) = (
    "ix_audit_log_entity_at",
    ["entity", "entity_id", "at", "id"],
);

async fn execute_all(db: &DatabaseConnection, statements: &[&str]) {
    for statement in statements {
        db.execute_unprepared(statement).await.expect(statement);
    }
}

/// The schema's catalog without the enhanced tracking table (the migrator creates it before it
/// runs a migration, outside the migration's transaction), and how many migrations it records.
async fn catalog_and_recorded(db: &DatabaseConnection) -> (Catalog, usize) {
    let mut catalog = schema_catalog(db).await;
    let recorded = if catalog.remove(ENHANCED_TRACKING_TABLE).is_some() {
        checksum(db, ENHANCED_TRACKING_TABLE).await.rows
    } else {
        0
    };
    (catalog, recorded)
}

#[tokio::test]
async fn a_hand_made_audit_log_of_the_right_shape_is_adopted_with_its_rows() {
    let test_db = legacy_database().await;
    let db = test_db.conn();
    let (name, columns) = ENTITY_INDEX;
    execute_all(
        db,
        &[
            HAND_MADE_AUDIT_LOG,
            &format!("CREATE INDEX {name} ON audit_log ({})", columns.join(", ")),
            HAND_MADE_ROW,
        ],
    )
    .await;
    let rows = checksum(db, "audit_log").await;
    let hand_made = table_catalog(db, "audit_log").await;

    run(db, Action::Up { steps: None }, "enhanced")
        .await
        .expect("the hand-made table is adopted");
    assert_eq!(checksum(db, "audit_log").await, rows, "its rows are kept");
    assert_eq!(rows.rows, 1);
    assert_eq!(
        index_columns(db, "audit_log", name).await.unwrap(),
        Some(columns.map(str::to_owned).to_vec())
    );
    // The hand-made definitions are kept; the migration added only its missing indexes.
    let adopted = table_catalog(db, "audit_log").await;
    for entry in &hand_made {
        assert!(adopted.contains(entry), "{entry} kept: {adopted:#?}");
    }
    for index in ["ix_audit_log_actor_at", "ix_audit_log_at"] {
        assert!(
            index_columns(db, "audit_log", index)
                .await
                .unwrap()
                .is_some(),
            "{index} created"
        );
    }
    let (_, recorded) = catalog_and_recorded(db).await;
    assert!(recorded > 0, "the migration is recorded");
}

#[tokio::test]
async fn an_index_of_the_wrong_shape_fails_the_migration_and_leaves_nothing_behind() {
    let test_db = legacy_database().await;
    let db = test_db.conn();
    // The right table, but the last of its indexes over other columns: the migration adopts
    // the table and creates two indexes before it meets this one.
    execute_all(
        db,
        &[
            HAND_MADE_AUDIT_LOG,
            HAND_MADE_ROW,
            "CREATE INDEX ix_audit_log_at ON audit_log (actor)",
        ],
    )
    .await;
    let (before, _) = catalog_and_recorded(db).await;
    let rows = checksum(db, "audit_log").await;

    let failed = run(db, Action::Up { steps: None }, "enhanced")
        .await
        .expect_err("a wrong index is refused");
    let message = failed.to_string();
    assert!(
        message.contains("index ix_audit_log_at on audit_log already exists over (actor)"),
        "{message}"
    );
    let (after, recorded) = catalog_and_recorded(db).await;
    assert_eq!(after, before, "the failed migration left something behind");
    assert_eq!(recorded, 0);
    assert_eq!(
        index_columns(db, "audit_log", ENTITY_INDEX.0)
            .await
            .unwrap(),
        None
    );
    assert_eq!(checksum(db, "audit_log").await, rows);
}

/// For every enhanced table: a table of that name with other columns fails the migration that
/// would create it, naming the table, and the database is left exactly as the migrations
/// before that one leave it (built separately for comparison).
#[tokio::test]
async fn a_table_named_like_an_enhanced_one_with_other_columns_is_refused() {
    for table in ENHANCED_TABLES {
        let wrong = [
            format!("CREATE TABLE {table} (legacy_id integer PRIMARY KEY, note text)"),
            format!("INSERT INTO {table} (legacy_id, note) VALUES (1, 'kept')"),
        ];
        let wrong: Vec<&str> = wrong.iter().map(String::as_str).collect();
        let test_db = legacy_database().await;
        let db = test_db.conn();
        execute_all(db, &wrong).await;
        let rows = checksum(db, table).await;

        let failed = run(db, Action::Up { steps: None }, "enhanced")
            .await
            .expect_err("a table of the wrong shape is refused");
        let message = failed.to_string();
        assert!(
            message.contains(&format!(
                "table {table} already exists with columns (legacy_id, note)"
            )),
            "{message}"
        );
        assert_eq!(checksum(db, table).await, rows, "{table}: rows kept");
        let (after, recorded) = catalog_and_recorded(db).await;

        let reference_db = legacy_database().await;
        let reference = reference_db.conn();
        execute_all(reference, &wrong).await;
        if recorded > 0 {
            let steps = u32::try_from(recorded).expect("a few migrations");
            run(reference, Action::Up { steps: Some(steps) }, "enhanced")
                .await
                .expect("the migrations before the refused one");
        }
        let (expected, _) = catalog_and_recorded(reference).await;
        assert_eq!(
            after, expected,
            "{table}: the failed migration left something"
        );
    }
}
