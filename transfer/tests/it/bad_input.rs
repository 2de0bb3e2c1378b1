//! Bad input: each refusal is its typed error, and the target is left as it was.

use memdb_migration::dialect::schema_tables;
use memdb_tests::TestDb;
use memdb_transfer::copy::{CopyError, CopyOptions};
use sea_orm::{ConnectionTrait as _, DbBackend};

use crate::support::{copy_all, copy_with, filled_source, migrated};

/// Runs a copy that must fail and returns its error, checking the target's tables did not
/// change.
async fn refused(source_url: &str, target: &TestDb, options: &CopyOptions) -> CopyError {
    let before = schema_tables(target.conn()).await.expect("tables");
    let err = copy_with(source_url, target.url(), options, &mut |_| {
        std::ops::ControlFlow::Continue(())
    })
    .await
    .expect_err("the copy is refused");
    assert_eq!(schema_tables(target.conn()).await.expect("tables"), before);
    err
}

#[tokio::test]
async fn a_missing_or_foreign_source_file_is_refused() {
    let target = TestDb::empty().await;
    let dir = tempfile::tempdir().expect("dir");
    let missing = dir.path().join("missing.sqlite");
    let err = refused(
        &format!("sqlite://{}", missing.display()),
        &target,
        &CopyOptions::default(),
    )
    .await;
    assert!(matches!(err, CopyError::SourceMissing { .. }), "{err}");
    assert!(!missing.exists(), "the source was not created");
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a database, just some text").expect("write");
    let err = refused(
        &format!("sqlite://{}", text.display()),
        &target,
        &CopyOptions::default(),
    )
    .await;
    assert!(matches!(err, CopyError::SourceNotSqlite { .. }), "{err}");
}

#[tokio::test]
async fn a_source_that_is_not_memdb_is_refused() {
    let target = TestDb::empty().await;
    let empty = TestDb::empty_on(DbBackend::Sqlite).await;
    empty
        .conn()
        .execute_unprepared("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
        .await
        .expect("create");
    let err = refused(empty.url(), &target, &CopyOptions::default()).await;
    assert!(matches!(err, CopyError::NotMemdb), "{err}");
    // A SQLite target that did not exist is not left behind by a refused copy.
    let dir = tempfile::tempdir().expect("dir");
    let new_file = dir.path().join("new.sqlite");
    let err = copy_all(empty.url(), &format!("sqlite://{}", new_file.display()))
        .await
        .expect_err("refused");
    assert!(matches!(err, CopyError::NotMemdb), "{err}");
    assert!(
        !new_file.exists(),
        "the refused copy left {}",
        new_file.display()
    );
}

#[tokio::test]
async fn copying_a_database_into_itself_is_refused() {
    let source = migrated(DbBackend::Sqlite).await;
    let before = schema_tables(source.conn()).await.expect("tables");
    // The same file through another spelling of its path.
    let path = source
        .url()
        .trim_start_matches("sqlite://")
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned();
    let dir = std::path::Path::new(&path).parent().expect("dir");
    let other = format!("sqlite://{}/./test.sqlite?mode=rwc", dir.display());
    let err = copy_all(source.url(), &other).await.expect_err("refused");
    assert!(matches!(err, CopyError::SameDatabase { .. }), "{err}");
    // The same file through a symbolic link.
    let links = tempfile::tempdir().expect("dir");
    let link = links.path().join("link.sqlite");
    std::os::unix::fs::symlink(&path, &link).expect("symlink");
    let err = copy_all(
        source.url(),
        &format!("sqlite://{}?mode=rwc", link.display()),
    )
    .await
    .expect_err("refused");
    assert!(matches!(err, CopyError::SameDatabase { .. }), "{err}");
    assert_eq!(schema_tables(source.conn()).await.expect("tables"), before);
    // The same PostgreSQL database under another name of the server.
    if memdb_tests::configured_backend() == DbBackend::Postgres {
        let db = TestDb::empty().await;
        let other = db.url().replace("127.0.0.1", "localhost");
        assert_ne!(other, db.url());
        let err = copy_all(db.url(), &other).await.expect_err("refused");
        assert!(matches!(err, CopyError::SameDatabase { .. }), "{err}");
    }
}

#[tokio::test]
async fn table_names_are_checked_before_use() {
    let source = filled_source(3, "a").await;
    let target = TestDb::empty().await;
    for name in ["tasks\"; DROP TABLE tasks; --", "Tasks", "my table"] {
        let options = CopyOptions {
            tables: Some(vec![name.to_owned()]),
            ..CopyOptions::default()
        };
        let err = refused(source.url(), &target, &options).await;
        assert!(matches!(err, CopyError::InvalidTableName { .. }), "{err}");
    }
    let options = CopyOptions {
        tables: Some(vec!["tasks".to_owned(), "no_such_table".to_owned()]),
        ..CopyOptions::default()
    };
    let err = refused(source.url(), &target, &options).await;
    assert!(
        matches!(err, CopyError::UnknownTable { ref name, .. } if name == "no_such_table"),
        "{err}"
    );
}

#[tokio::test]
async fn a_target_holding_other_data_is_refused() {
    let source = filled_source(3, "a").await;
    let target = TestDb::empty().await;
    target
        .conn()
        .execute_unprepared("CREATE TABLE invoices (id BIGINT PRIMARY KEY)")
        .await
        .expect("create");
    let err = refused(source.url(), &target, &CopyOptions::default()).await;
    assert!(
        matches!(err, CopyError::TargetHasOtherData { ref tables } if tables == "invoices"),
        "{err}"
    );
}

#[tokio::test]
async fn only_the_tables_asked_for_are_copied() {
    let source = filled_source(5, "a").await;
    let target = TestDb::empty().await;
    let options = CopyOptions {
        tables: Some(vec!["organizations".to_owned(), "personas".to_owned()]),
        ..CopyOptions::default()
    };
    let report = copy_with(source.url(), target.url(), &options, &mut |_| {
        std::ops::ControlFlow::Continue(())
    })
    .await
    .expect("copy");
    assert!(report.verified());
    let tables: Vec<&str> = report
        .verification
        .iter()
        .map(|v| v.table.as_str())
        .collect();
    assert_eq!(tables, ["organizations", "personas"]);
    assert_eq!(crate::support::count(target.conn(), "tasks").await, 0);
}

#[tokio::test]
async fn a_table_without_its_parent_tables_is_refused_before_anything_is_written() {
    let source = filled_source(3, "a").await;
    let target = TestDb::empty().await;
    let only = |names: &[&str]| CopyOptions {
        tables: Some(names.iter().map(|n| (*n).to_owned()).collect()),
        ..CopyOptions::default()
    };
    let err = refused(source.url(), &target, &only(&["documents"])).await;
    assert!(
        matches!(
            err,
            CopyError::MissingParentTables { ref table, ref parents }
                if table == "documents" && parents == "organizations"
        ),
        "{err}"
    );
    // With its parent (and a table referencing only itself), it is copied.
    let report = copy_with(
        source.url(),
        target.url(),
        &only(&["documents", "organizations", "tasks"]),
        &mut |_| std::ops::ControlFlow::Continue(()),
    )
    .await
    .expect("copy");
    assert!(report.verified(), "{report:#?}");
}

#[test]
fn an_endpoint_never_shows_its_password() {
    let endpoint = memdb_transfer::copy::Endpoint::source(
        "postgres://memdb:s3cret-pw@127.0.0.1:5432/memdb?sslmode=disable",
    )
    .expect("endpoint");
    let shown = format!("{endpoint:?} {}", endpoint.redacted());
    assert!(!shown.contains("s3cret-pw"), "{shown}");
    assert!(shown.contains("127.0.0.1:5432/memdb"), "{shown}");
}
