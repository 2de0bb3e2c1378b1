//! Copies that succeed: a full copy, a merge with a planted conflict, a resumed copy, and
//! PostgreSQL to SQLite.

use std::ops::ControlFlow;

use memdb_migration::dialect::schema_tables;
use memdb_tests::TestDb;
use memdb_transfer::copy::{self, CopyError, CopyOptions, PROGRESS_TABLE, Phase};
use sea_orm::{ConnectionTrait as _, DbBackend, Statement};

use crate::support::{all_tracks, copy_all, copy_with, count, filled_source, rows_per_table};

/// Every table of every track, on both sides, holds the same rows.
async fn assert_same_tables(source: &TestDb, target: &TestDb) {
    for track in all_tracks().iter() {
        for table in track.tables {
            let theirs = copy::checksum(target.conn(), table).await.expect("target");
            let ours = copy::checksum(source.conn(), table).await.expect("source");
            assert!(ours.rows > 0, "{table} is filled");
            assert_eq!(ours, theirs, "{table}");
        }
    }
}

#[tokio::test]
async fn a_filled_source_is_copied_and_verified() {
    let n = rows_per_table();
    let source = filled_source(n, "a").await;
    let target = TestDb::empty().await;
    let started = std::time::Instant::now();
    let report = copy_all(source.url(), target.url()).await.expect("copy");
    let rows: u64 = report.tables.iter().map(|t| t.read).sum();
    eprintln!(
        "copied {rows} rows SQLite -> {:?} in {:.2?} ({:.0} rows/s), verified in {:.2?}; \
         {:.2?} in all with the migrations",
        target.backend(),
        report.copy_time,
        report.rows_per_second(),
        report.verify_time,
        started.elapsed()
    );
    assert!(report.verified(), "{report:#?}");
    assert_eq!(report.inserted(), rows);
    assert!(!report.migrated.is_empty(), "the target was migrated");
    assert_same_tables(&source, &target).await;
    let tables = schema_tables(target.conn()).await.expect("tables");
    assert!(!tables.iter().any(|t| t == PROGRESS_TABLE), "{tables:?}");
    // A second copy of the same source inserts nothing and still verifies.
    let again = copy_all(source.url(), target.url())
        .await
        .expect("copy again");
    assert!(again.verified());
    assert_eq!(again.inserted(), 0);
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
    let second_default = second
        .conn()
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT id FROM organizations WHERE slug = 'default'",
        ))
        .await
        .expect("read")
        .expect("a row");
    let second_default =
        uuid::Uuid::from_slice(&second_default.try_get_by_index::<Vec<u8>>(0).expect("id"))
            .expect("uuid")
            .hyphenated()
            .to_string();
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

#[tokio::test]
async fn an_interrupted_copy_resumes_without_duplicates_or_recopying_finished_tables() {
    let source = filled_source(30, "a").await;
    let target = TestDb::empty().await;
    let options = CopyOptions {
        batch_rows: 7,
        ..CopyOptions::default()
    };
    let stopped = copy_with(source.url(), target.url(), &options, &mut |p| {
        if p.phase == Phase::Copying && p.table == "tasks" && p.done >= 14 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .await;
    assert!(
        matches!(stopped, Err(CopyError::Interrupted)),
        "{stopped:?}"
    );
    assert_eq!(count(target.conn(), "tasks").await, 14);
    assert_eq!(count(target.conn(), "organizations").await, 30);
    assert_eq!(count(target.conn(), "personas").await, 0);
    let report = copy_with(source.url(), target.url(), &options, &mut |_| {
        ControlFlow::Continue(())
    })
    .await
    .expect("rerun");
    assert!(report.verified(), "{report:#?}");
    let by_table = |name: &str| {
        report
            .tables
            .iter()
            .find(|t| t.table == name)
            .expect("table")
            .clone()
    };
    assert!(by_table("organizations").already_finished);
    assert_eq!(by_table("organizations").read, 0);
    assert_eq!(by_table("tasks").read, 16, "resumed after the last batch");
    assert_eq!(by_table("tasks").inserted, 16);
    assert_eq!(count(target.conn(), "tasks").await, 30);
    assert_same_tables(&source, &target).await;
}

#[tokio::test]
async fn postgres_copies_back_to_sqlite() {
    if memdb_tests::configured_backend() != DbBackend::Postgres {
        return;
    }
    let source = filled_source(25, "a").await;
    let postgres = TestDb::empty().await;
    assert!(
        copy_all(source.url(), postgres.url())
            .await
            .expect("to pg")
            .verified()
    );
    let home = TestDb::empty_on(DbBackend::Sqlite).await;
    let report = copy_all(postgres.url(), home.url())
        .await
        .expect("to sqlite");
    assert!(report.verified(), "{report:#?}");
    assert_same_tables(&source, &home).await;
}
