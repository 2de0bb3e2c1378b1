//! The tag and violation columns against their Rust definitions: every `db_enum!` value passes
//! its CHECK constraint and nothing else does; ranges and colours are held by the database too;
//! a stored value outside an enum reads as `Corrupt`.

use std::num::NonZeroU32;

use memdb_enhanced_repository::tags::TagSource;
use memdb_enhanced_repository::violations::{Severity, ViolationFilter, ViolationStatus};
use memdb_enhanced_repository::{EnhancedRepositories, RepoError};
use memdb_repository::Page;
use memdb_tests::TestDb;
use memdb_tests::checks::assert_check_allows_exactly;
use sea_orm::{ConnectionTrait, DbBackend, TransactionTrait};

use super::tags::{definition, tagging};
use super::violations::violation;

/// Whether `sql` succeeds, run in a transaction that is rolled back.
async fn accepted(db: &TestDb, sql: &str) -> bool {
    let txn = db.conn().begin().await.unwrap();
    let result = txn.execute_unprepared(sql).await;
    txn.rollback().await.unwrap();
    result.is_ok()
}

#[tokio::test]
async fn enum_columns_allow_exactly_their_values() {
    let db = TestDb::new().await;
    let repos = EnhancedRepositories::from_connection(db.pool());
    repos
        .tags
        .define(definition("typed", "misc", "#101010"))
        .await
        .unwrap();
    repos
        .tags
        .tag(tagging("typed.rs", "typed", TagSource::Manual, 1.0))
        .await
        .unwrap();
    assert_check_allows_exactly(
        db.conn(),
        ("file_tags", "source"),
        ("path", "typed.rs".into()),
        TagSource::VALUES,
    )
    .await;
    let recorded = repos
        .violations
        .record(violation("typed", Severity::Info, "typed.rs", 1))
        .await
        .unwrap()
        .violation;
    let id = recorded.id.as_uuid();
    assert_check_allows_exactly(
        db.conn(),
        ("violations", "severity"),
        ("id", id.into()),
        Severity::VALUES,
    )
    .await;
    // A status comes with its resolution time: set both.
    for status in ViolationStatus::ALL {
        let resolved_at = if *status == ViolationStatus::Resolved {
            "detected_at"
        } else {
            "NULL"
        };
        // The only row: no id to spell per backend.
        let sql = format!("UPDATE violations SET status = '{status}', resolved_at = {resolved_at}");
        assert!(accepted(&db, &sql).await, "{sql}");
    }
    for sql in [
        "UPDATE violations SET status = 'closed'",
        "UPDATE violations SET status = 'resolved'",
        "UPDATE violations SET resolved_at = detected_at",
        "UPDATE violations SET line = -1",
        "UPDATE file_tags SET confidence = 1.5",
        "UPDATE file_tags SET confidence = -0.5",
        "UPDATE tag_definitions SET color = '#ABCDEF'",
        "UPDATE tag_definitions SET color = '#12345g'",
        "UPDATE tag_definitions SET color = 'abcdefg'",
        "UPDATE tag_definitions SET color = '#12345'",
    ] {
        assert!(!accepted(&db, sql).await, "accepted: {sql}");
    }
    assert!(accepted(&db, "UPDATE tag_definitions SET color = '#09afaf'").await);
    drop(db);
}

#[tokio::test]
async fn a_stored_severity_outside_the_enum_is_corrupt() {
    let db = TestDb::new().await;
    let repos = EnhancedRepositories::from_connection(db.pool());
    let recorded = repos
        .violations
        .record(violation("corrupt", Severity::Info, "c.rs", 0))
        .await
        .unwrap()
        .violation;
    assert_eq!(recorded.line, None::<NonZeroU32>);
    let backend = db.backend();
    let outcome = repos
        .transaction(|tx| async move {
            // Go around the CHECK constraint, as a hand-made change to the database would.
            let conn = tx.connection();
            let bypass = match backend {
                DbBackend::Postgres => {
                    "ALTER TABLE violations DROP CONSTRAINT ck_violations_severity"
                }
                _ => "PRAGMA ignore_check_constraints = ON",
            };
            conn.execute_unprepared(bypass).await?;
            conn.execute_unprepared("UPDATE violations SET severity = 'apocalyptic'")
                .await?;
            let got = tx.violations.get(recorded.id).await;
            let listed = tx
                .violations
                .list(ViolationFilter::default(), Page::default())
                .await;
            let counted = tx.violations.open_counts().await;
            if backend == DbBackend::Sqlite {
                conn.execute_unprepared("PRAGMA ignore_check_constraints = OFF")
                    .await?;
            }
            // Roll everything back: the error carries the outcomes out.
            Err::<(), _>(RepoError::invalid(
                "outcome",
                format!("{got:?} | {listed:?} | {counted:?}"),
            ))
        })
        .await
        .unwrap_err();
    let RepoError::Validation { reason, .. } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(
        reason
            .matches(r#"Corrupt { what: "violation severity", value: "apocalyptic" }"#)
            .count(),
        3,
        "{reason}"
    );
    assert_eq!(repos.violations.get(recorded.id).await.unwrap(), recorded);
    drop(db);
}
