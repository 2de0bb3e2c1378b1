//! The enhanced track's foreign keys into legacy tables: legacy code deleting a legacy row must
//! never be refused because an enhanced row points at it, so every such key cascades or clears.

use memdb_enhanced_migration::ENHANCED_TABLES;
use memdb_migration::LEGACY_TABLES;
use memdb_tests::TestDb;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

/// `(enhanced table, legacy table, on delete action)` of every foreign key from the one to the
/// other, sorted.
async fn references(db: &impl ConnectionTrait) -> Vec<(String, String, String)> {
    let sql = match db.get_database_backend() {
        DbBackend::Sqlite => {
            "SELECT m.name, f.\"table\", f.on_delete FROM sqlite_master m \
             JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table'"
        }
        DbBackend::Postgres => {
            "SELECT conrelid::regclass::text, confrelid::regclass::text, \
                    CASE confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' \
                    WHEN 'd' THEN 'SET DEFAULT' WHEN 'r' THEN 'RESTRICT' ELSE 'NO ACTION' END \
             FROM pg_constraint WHERE contype = 'f'"
        }
        other => panic!("no catalog query for {other:?}"),
    };
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("read the foreign keys");
    let mut found: Vec<(String, String, String)> = rows
        .iter()
        .map(|row| {
            let text = |i| row.try_get_by_index::<String>(i).expect("a text column");
            (text(0), text(1), text(2))
        })
        .filter(|(from, to, _)| {
            ENHANCED_TABLES.contains(&from.as_str()) && LEGACY_TABLES.contains(&to.as_str())
        })
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn enhanced_references_to_legacy_rows_only_cascade_or_clear() {
    let test_db = TestDb::new().await;
    let found = references(test_db.conn()).await;
    let expected = [
        ("agents", "tasks", "SET NULL"),
        ("checkpoints", "tasks", "CASCADE"),
        ("session_tasks", "tasks", "CASCADE"),
    ]
    .map(|(from, to, action)| (from.to_owned(), to.to_owned(), action.to_owned()));
    assert_eq!(found, expected);
}
