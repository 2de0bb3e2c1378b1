//! Merging sources into one target: ids present with other content and unique values (other
//! than the key) held under another id are conflicts, reported and never overwritten; the rows
//! referencing a row left out are skipped; the rest of the merge completes.

use memdb_tests::TestDb;
use sea_orm::{ConnectionTrait as _, DbBackend, Statement};

use crate::support::{copy_all, count, filled_source};

/// The id of `db`'s (SQLite) organization `default`, hyphenated.
async fn default_organization_id(db: &TestDb) -> String {
    let row = db
        .conn()
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT id FROM organizations WHERE slug = 'default'",
        ))
        .await
        .expect("read")
        .expect("a row");
    uuid::Uuid::from_slice(&row.try_get_by_index::<Vec<u8>>(0).expect("id"))
        .expect("uuid")
        .hyphenated()
        .to_string()
}

/// Gives `db` (SQLite) what `memdb init` gives every database: an organization `default` (its
/// own id) with `documents` documents under it.
async fn add_default_organization(db: &TestDb, documents: u32) {
    let backend = DbBackend::Sqlite;
    db.conn()
        .execute_unprepared(
            "INSERT INTO organizations VALUES (randomblob(16), 'Default', 'default', '{}', \
             '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')",
        )
        .await
        .expect("default organization");
    for i in 0..documents {
        db.conn()
            .execute_raw(Statement::from_sql_and_values(
                backend,
                "INSERT INTO documents SELECT randomblob(16), id, '/default/' || ?, 't', 'md', \
                 '', printf('%064d', ?), 1, '{}', '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00' \
                 FROM organizations WHERE slug = 'default'",
                [i.into(), i.into()],
            ))
            .await
            .expect("default document");
    }
}

#[tokio::test]
async fn two_sources_merge_with_unique_value_and_id_conflicts_reported_not_overwritten() {
    let first = filled_source(20, "a").await;
    let second = filled_source(20, "b").await;
    // Both ran `memdb init`: an organization `default` each, under different ids.
    add_default_organization(&first, 2).await;
    add_default_organization(&second, 3).await;
    // The second source gets an organization with the id of one of the first's, other content.
    let backend = DbBackend::Sqlite;
    let planted = first
        .conn()
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT id, name FROM organizations ORDER BY rowid LIMIT 1",
        ))
        .await
        .expect("read")
        .expect("a row");
    let id: Vec<u8> = planted.try_get_by_index(0).expect("id");
    let name: String = planted.try_get_by_index(1).expect("name");
    second
        .conn()
        .execute_raw(Statement::from_sql_and_values(
            backend,
            "INSERT INTO organizations VALUES (?, 'planted', 'planted', '{}', \
             '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')",
            [id.clone().into()],
        ))
        .await
        .expect("plant");
    let second_default = default_organization_id(&second).await;
    let target = TestDb::empty().await;
    assert!(
        copy_all(first.url(), target.url())
            .await
            .expect("first")
            .verified()
    );
    // The merge completes: everything but the conflicting rows and their documents.
    let report = copy_all(second.url(), target.url()).await.expect("second");
    assert!(!report.verified());
    let bad: Vec<_> = report
        .verification
        .iter()
        .filter(|v| !v.matches())
        .collect();
    assert_eq!(bad.len(), 2, "{bad:#?}");
    let organizations = bad[0];
    assert_eq!(organizations.table, "organizations");
    assert_eq!(organizations.conflicts, 1);
    let uuid = uuid::Uuid::from_slice(&id).expect("uuid");
    assert_eq!(organizations.conflict_keys, [uuid.hyphenated().to_string()]);
    assert_eq!(organizations.unique_conflicts, 1);
    assert_eq!(organizations.missing, 0);
    assert_eq!(organizations.target_total_rows, 41);
    let unique = &organizations.listed_unique_conflicts[0];
    assert_eq!(unique.key, second_default);
    assert_ne!(unique.target_key, second_default);
    assert!(
        ["name", "slug"].contains(&unique.columns.join(",").as_str()),
        "{unique:?}"
    );
    let documents = bad[1];
    assert_eq!(documents.table, "documents");
    assert_eq!((documents.skipped, documents.missing), (3, 0));
    assert!(
        documents
            .listed_skipped
            .iter()
            .all(|s| s.because_table == "organizations" && s.because_key == second_default),
        "{documents:?}"
    );
    // The target's row is the first source's.
    let kept = target
        .conn()
        .query_one_raw(Statement::from_sql_and_values(
            target.backend(),
            if target.backend() == DbBackend::Postgres {
                "SELECT name FROM organizations WHERE id = $1"
            } else {
                "SELECT name FROM organizations WHERE id = ?"
            },
            [uuid.into()],
        ))
        .await
        .expect("read")
        .expect("the row");
    assert_eq!(kept.try_get_by_index::<String>(0).expect("name"), name);
    // Every other row of both sources is there.
    assert_eq!(count(target.conn(), "tasks").await, 40);
    assert_eq!(count(target.conn(), "organizations").await, 41);
    assert_eq!(count(target.conn(), "documents").await, 42);
    // A rerun reports the same and writes nothing.
    let again = copy_all(second.url(), target.url()).await.expect("rerun");
    assert_eq!(again.inserted(), 0);
    assert_eq!(again.verification, report.verification);
}
