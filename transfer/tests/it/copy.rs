//! Copies that succeed: a full copy, reruns after a failed verification and after a stop
//! during verification, a resumed copy, and PostgreSQL to SQLite.

use std::ops::ControlFlow;

use memdb_migration::dialect::schema_tables;
use memdb_tests::TestDb;
use memdb_transfer::copy::{self, CopyError, CopyOptions, PROGRESS_TABLE, Phase};
use sea_orm::{ConnectionTrait as _, DbBackend};

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
    if std::env::var_os("MEMDB_COPY_ROWS").is_none() {
        assert!(
            rows > 100_000,
            "the acceptance copy is over 100,000 rows: {rows}"
        );
    }
    // One row in three has a timestamp with nanoseconds (the fixture's spellings).
    let organizations = &report.verification[0];
    assert_eq!(organizations.table, "organizations");
    assert_eq!(organizations.truncated_timestamps, u64::from(n.div_ceil(3)));
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

#[tokio::test]
async fn a_rerun_after_a_failed_verification_copies_every_table_again() {
    let source = filled_source(10, "a").await;
    let target = TestDb::empty().await;
    assert!(
        copy_all(source.url(), target.url())
            .await
            .expect("first")
            .verified()
    );
    // A row changed in the target fails the verification of the next copy.
    target
        .conn()
        .execute_unprepared("UPDATE personas SET description = 'changed in the target'")
        .await
        .expect("change");
    let failed = copy_all(source.url(), target.url()).await.expect("second");
    assert!(!failed.verified());
    let tables = schema_tables(target.conn()).await.expect("tables");
    assert!(!tables.iter().any(|t| t == PROGRESS_TABLE), "{tables:?}");
    // Rows deleted from the target since then are copied again by a rerun.
    target
        .conn()
        .execute_unprepared("DELETE FROM audit_log")
        .await
        .expect("delete");
    let rerun = copy_all(source.url(), target.url()).await.expect("rerun");
    let audit = |report: &copy::CopyReport| {
        report
            .verification
            .iter()
            .find(|v| v.table == "audit_log")
            .cloned()
            .expect("audit_log verified")
    };
    assert_eq!(rerun.inserted(), 10, "{rerun:#?}");
    assert!(audit(&rerun).matches(), "{rerun:#?}");
    assert_eq!(audit(&rerun).target_total_rows, 10);
    let personas = rerun
        .verification
        .iter()
        .find(|v| v.table == "personas")
        .expect("personas");
    assert_eq!((personas.conflicts, personas.target_total_rows), (10, 10));
}

#[tokio::test]
async fn a_stop_during_verification_interrupts_and_a_rerun_verifies_without_copying() {
    let source = filled_source(10, "a").await;
    let target = TestDb::empty().await;
    let stopped = copy_with(
        source.url(),
        target.url(),
        &CopyOptions::default(),
        &mut |p| {
            if p.phase == Phase::Verifying {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        },
    )
    .await;
    assert!(
        matches!(stopped, Err(CopyError::Interrupted)),
        "{stopped:?}"
    );
    let tables = schema_tables(target.conn()).await.expect("tables");
    assert!(tables.iter().any(|t| t == PROGRESS_TABLE), "{tables:?}");
    // The progress table is memdb's: `migrate fresh` and the like do not call it foreign.
    let foreign = memdb_migration::inspect::foreign_tables(target.conn(), &all_tracks())
        .await
        .expect("foreign tables");
    assert!(foreign.is_empty(), "{foreign:?}");
    let rerun = copy_all(source.url(), target.url()).await.expect("rerun");
    assert!(rerun.verified());
    assert_eq!(rerun.read(), 0, "every table was finished");
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

/// Through the other backend and back (PostgreSQL when it is configured, else another SQLite
/// file), every stored value is unchanged, compared in SQLite's `quote()` form (independent
/// of the copy's own decoding). The first hop puts the values in the form the copy writes
/// (timestamps in UTC at microseconds, so none is truncated later; PostgreSQL's JSON
/// spelling), which the round trip must then keep exactly.
#[tokio::test]
async fn a_round_trip_through_the_other_backend_changes_no_stored_value() {
    let filled = filled_source(25, "a").await;
    let hop = |from: String| async move {
        let to = TestDb::empty().await;
        let report = copy_all(&from, to.url()).await.expect("hop");
        assert!(report.verified(), "{report:#?}");
        let home = TestDb::empty_on(DbBackend::Sqlite).await;
        let report = copy_all(to.url(), home.url()).await.expect("home");
        assert!(report.verified(), "{report:#?}");
        home
    };
    let first = hop(filled.url().to_owned()).await;
    let second = hop(first.url().to_owned()).await;
    let ours = memdb_tests::content::table_checksums(first.conn())
        .await
        .expect("first");
    let theirs = memdb_tests::content::table_checksums(second.conn())
        .await
        .expect("second");
    for track in all_tracks().iter() {
        for table in track.tables {
            assert!(ours[*table].rows > 0, "{table} is filled");
            assert_eq!(ours[*table], theirs[*table], "{table}");
        }
    }
}
