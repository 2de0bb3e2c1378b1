//! `memdb backup` / `memdb restore` and the backups destructive commands take first, end to
//! end on a fresh database per test (SQLite by default, PostgreSQL with `TEST_DATABASE_URL`).
//! Every run happens in a throwaway current directory, where default backup files land.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use memdb_repository::Repositories;
use memdb_repository::documents::NewDocument;
use memdb_tests::TestDb;
use memdb_tests::content::{TableChecksum, table_checksums};
use sea_orm::DbBackend;
use serde_json::{Value, json};

use support::{Run, SEEDED_ROWS, memdb_in};

/// A database with rows in several memdb tables: `init`'s defaults and three documents.
async fn filled(dir: &Path) -> TestDb {
    let db = TestDb::empty().await;
    let init = memdb_in(dir, db.url(), &["init"], &[]);
    assert!(init.success, "{init:?}");
    let repos = Repositories::from_connection(db.pool());
    let organization = repos
        .organizations
        .get_by_slug("default")
        .await
        .expect("the default organization");
    for n in 0..3 {
        repos
            .documents
            .create(NewDocument {
                organization_id: organization.id,
                path: format!("notes/{n}.md"),
                title: format!("Note {n} with 'quotes' and \"double\" ones"),
                doc_type: "note".into(),
                content: format!("line one\nline two of note {n}"),
                metadata: json!({ "n": n, "tags": ["a", "b"] }),
            })
            .await
            .expect("create a document");
    }
    db
}

/// Every table's content checksum.
async fn contents(db: &TestDb) -> BTreeMap<String, TableChecksum> {
    table_checksums(db.conn()).await.expect("table checksums")
}

/// The files in `dir`.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("list the directory")
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    files.sort();
    files
}

/// The JSON a `--json` run printed.
fn json_of(run: &Run) -> Value {
    assert!(run.success, "{run:?}");
    serde_json::from_str(&run.stdout).unwrap_or_else(|err| panic!("{err}: {run:?}"))
}

fn backend_key(db: &TestDb) -> &'static str {
    if db.backend() == DbBackend::Postgres {
        "postgres"
    } else {
        "sqlite"
    }
}

#[tokio::test]
async fn backup_restores_into_an_empty_database_with_identical_contents() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let source = filled(dir.path()).await;
    let before = contents(&source).await;
    assert!(before["documents"].rows == 3 && before["organizations"].rows == 1);

    let out = dir.path().join("nightly.backup");
    let backup = memdb_in(
        dir.path(),
        source.url(),
        &["backup", "--out", "nightly.backup", "--json"],
        &[],
    );
    let report = json_of(&backup);
    assert_eq!(report["backend"], backend_key(&source), "{backup:?}");
    assert_eq!(report["path"], out.display().to_string(), "{backup:?}");
    let bytes = std::fs::metadata(&out).expect("the backup exists").len();
    assert!(bytes > 0 && report["bytes"] == bytes, "{backup:?}");

    // A second backup to the same file is refused and leaves the first one alone.
    let again = memdb_in(
        dir.path(),
        source.url(),
        &["backup", "--out", "nightly.backup"],
        &[],
    );
    assert!(
        !again.success && again.stderr.contains("the file exists"),
        "{again:?}"
    );
    assert_eq!(std::fs::metadata(&out).expect("still there").len(), bytes);

    let target = TestDb::empty().await;
    let restore = memdb_in(
        dir.path(),
        target.url(),
        &["migrate", "restore", "nightly.backup"],
        &[],
    );
    assert!(restore.success, "{restore:?}");
    assert!(
        restore.stdout.contains("restored nightly.backup"),
        "{restore:?}"
    );
    for name in support::migration_names() {
        let line = restore.stdout.lines().find(|l| l.starts_with(&name));
        assert!(
            line.is_some_and(|l| l.ends_with("Applied")),
            "{name}: {restore:?}"
        );
    }
    assert_eq!(contents(&target).await, before);
    // The source was only read.
    assert_eq!(contents(&source).await, before);
}

#[tokio::test]
async fn restore_refuses_a_database_that_is_not_empty() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let source = filled(dir.path()).await;
    let backup = memdb_in(dir.path(), source.url(), &["backup", "--out", "b"], &[]);
    assert!(backup.success, "{backup:?}");
    assert!(backup.stdout.contains("backed up"), "{backup:?}");

    let target = TestDb::new().await;
    let before = contents(&target).await;
    let refused = memdb_in(dir.path(), target.url(), &["restore", "b"], &[]);
    assert!(!refused.success, "{refused:?}");
    assert!(
        refused.stderr.contains("refusing to restore")
            && refused.stderr.contains("not empty")
            && refused.stderr.contains("table organizations"),
        "{refused:?}"
    );
    assert_eq!(contents(&target).await, before, "nothing was written");

    // A file that is not a backup of this backend is refused before anything is read.
    std::fs::write(dir.path().join("junk"), "not a backup").expect("write a file");
    let empty = TestDb::empty().await;
    let junk = memdb_in(dir.path(), empty.url(), &["restore", "junk"], &[]);
    assert!(
        !junk.success && junk.stderr.contains("junk is not"),
        "{junk:?}"
    );
    let missing = memdb_in(dir.path(), empty.url(), &["restore", "nowhere"], &[]);
    assert!(
        !missing.success && missing.stderr.contains("no backup file"),
        "{missing:?}"
    );
}

#[tokio::test]
async fn fresh_takes_a_backup_first_that_restores_the_previous_contents() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let source = filled(dir.path()).await;
    let before = contents(&source).await;
    let run_dir = tempfile::tempdir().expect("a temporary directory");

    let fresh = memdb_in(
        run_dir.path(),
        source.url(),
        &["migrate", "fresh", "--yes"],
        &[],
    );
    assert!(fresh.success, "{fresh:?}");
    let backups = files(run_dir.path());
    assert_eq!(backups.len(), 1, "one backup: {backups:?} {fresh:?}");
    let backup = &backups[0];
    let name = backup.file_name().and_then(|n| n.to_str()).expect("a name");
    let ext = if source.backend() == DbBackend::Postgres {
        ".dump"
    } else {
        ".sqlite"
    };
    assert!(
        name.starts_with("memdb-backup-") && name.ends_with(ext),
        "{name}"
    );
    assert!(
        fresh.stdout.contains(&format!(
            "backed up {} rows to {}",
            SEEDED_ROWS + 3,
            backup.display()
        )),
        "{fresh:?}"
    );
    let after = contents(&source).await;
    assert_eq!(after["documents"].rows, 0, "fresh dropped the rows");

    let target = TestDb::empty().await;
    let file = backup.to_str().expect("a UTF-8 path");
    let restore = memdb_in(run_dir.path(), target.url(), &["restore", file], &[]);
    assert!(restore.success, "{restore:?}");
    assert_eq!(contents(&target).await, before);
}

#[tokio::test]
async fn no_backup_skips_it_and_empty_tables_need_none() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let source = filled(dir.path()).await;
    let run_dir = tempfile::tempdir().expect("a temporary directory");

    let fresh = memdb_in(
        run_dir.path(),
        source.url(),
        &["migrate", "fresh", "--yes", "--no-backup"],
        &[],
    );
    assert!(fresh.success, "{fresh:?}");
    assert!(!fresh.stdout.contains("backed up"), "{fresh:?}");
    assert_eq!(files(run_dir.path()), Vec::<PathBuf>::new());

    // After fresh the tables are empty: rolling back needs no backup.
    let down = memdb_in(run_dir.path(), source.url(), &["migrate", "down"], &[]);
    assert!(down.success, "{down:?}");
    assert!(!down.stdout.contains("backed up"), "{down:?}");
    // Nor does a dry run, whatever the tables hold.
    let dry = memdb_in(
        run_dir.path(),
        source.url(),
        &["migrate", "downgrade", "base", "--sql"],
        &[],
    );
    assert!(dry.success, "{dry:?}");
    assert_eq!(files(run_dir.path()), Vec::<PathBuf>::new());
}

#[tokio::test]
async fn a_failed_backup_stops_the_destructive_step() {
    // A current directory where no one, root included, can create a file.
    let unwritable = Path::new("/proc");
    if !unwritable.join("self").exists() {
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let source = filled(dir.path()).await;
    let before = contents(&source).await;

    for args in [
        &["migrate", "reset", "--yes"][..],
        &["migrate", "fresh", "--yes"],
    ] {
        let refused = memdb_in(unwritable, source.url(), args, &[]);
        assert!(!refused.success, "{refused:?}");
        assert!(
            refused
                .stderr
                .contains("the backup taken first failed, so nothing was changed"),
            "{refused:?}"
        );
        assert_eq!(contents(&source).await, before, "nothing was changed");
    }
}

/// The password of a PostgreSQL URL reaches `pg_dump` and `pg_restore`, and never their command
/// line, the output or an error (trust authentication accepts any password).
#[tokio::test]
async fn postgres_backups_never_show_the_password() {
    const PASSWORD: &str = "Sw0rdf1sh-not-for-logs";
    let dir = tempfile::tempdir().expect("a temporary directory");
    let source = filled(dir.path()).await;
    if source.backend() != DbBackend::Postgres {
        return;
    }
    // `postgres://user@host/...` (the test server's URLs have no password).
    let with_password = |url: &str| {
        assert!(url.contains('@'), "a URL with a user: {url}");
        url.replacen('@', &format!(":{PASSWORD}@"), 1)
    };
    let url = with_password(source.url());
    let target = TestDb::empty().await;
    let target_url = with_password(target.url());
    let runs = [
        memdb_in(dir.path(), &url, &["backup", "--out", "pw.dump"], &[]),
        memdb_in(dir.path(), &url, &["backup", "--out", "pw.dump"], &[]),
        memdb_in(dir.path(), &url, &["backup"], &[("PATH", "/nonexistent")]),
        memdb_in(
            dir.path(),
            &target_url,
            &["restore", "pw.dump", "--json"],
            &[],
        ),
        memdb_in(dir.path(), &target_url, &["restore", "pw.dump"], &[]),
        memdb_in(dir.path(), &url, &["migrate", "fresh", "--yes"], &[]),
    ];
    for run in &runs {
        assert!(
            !run.stdout.contains(PASSWORD) && !run.stderr.contains(PASSWORD),
            "{run:?}"
        );
    }
    let [first, exists, no_tool, restored, not_empty, fresh] = &runs;
    assert!(first.success, "{first:?}");
    assert!(
        !exists.success && exists.stderr.contains("the file exists"),
        "{exists:?}"
    );
    assert!(
        !no_tool.success && no_tool.stderr.contains("pg_dump was not found on PATH"),
        "{no_tool:?}"
    );
    assert_eq!(json_of(restored)["backend"], "postgres");
    assert!(!not_empty.success, "{not_empty:?}");
    assert!(
        fresh.success && fresh.stdout.contains("backed up"),
        "{fresh:?}"
    );
}

/// A backup taken while another caller keeps committing transactions holds each of them whole
/// or not at all: every transaction adds one organization and one document in it.
#[tokio::test]
async fn a_backup_under_concurrent_writes_is_a_consistent_snapshot() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let source = TestDb::new().await;
    let repos = Repositories::from_connection(source.pool());
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (repos, stop) = (repos.clone(), stop.clone());
        tokio::spawn(async move {
            let mut committed = 0_u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let n = committed;
                repos
                    .transaction(|tx| async move {
                        let org = tx
                            .organizations
                            .create(memdb_repository::organizations::NewOrganization {
                                name: format!("Org {n}"),
                                slug: format!("org-{n}"),
                                metadata: json!({}),
                            })
                            .await?;
                        tx.documents
                            .create(NewDocument {
                                organization_id: org.id,
                                path: "readme.md".into(),
                                title: "Readme".into(),
                                doc_type: "note".into(),
                                content: "x".repeat(2000),
                                metadata: json!({}),
                            })
                            .await?;
                        Ok::<_, memdb_repository::RepoError>(())
                    })
                    .await
                    .expect("a write transaction");
                committed += 1;
            }
            committed
        })
    };
    // Let the writer get going, then back up while it runs.
    while memdb_migration::inspect::row_counts(source.conn(), &["organizations"])
        .await
        .expect("count rows")[0]
        .rows
        < Some(5)
    {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let (dir_path, url) = (dir.path().to_owned(), source.url().to_owned());
    let backup = tokio::task::spawn_blocking(move || {
        memdb_in(&dir_path, &url, &["backup", "--out", "live.backup"], &[])
    })
    .await
    .expect("the backup ran");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let committed = writer.await.expect("the writer ran");
    assert!(backup.success, "{backup:?}");

    let target = TestDb::empty().await;
    let restore = memdb_in(dir.path(), target.url(), &["restore", "live.backup"], &[]);
    assert!(restore.success, "{restore:?}");
    let restored = contents(&target).await;
    let organizations = restored["organizations"].rows;
    assert_eq!(restored["documents"].rows, organizations, "{restored:?}");
    assert!(organizations >= 5, "the rows before the backup are in it");
    assert!(
        organizations <= committed as usize,
        "{organizations} > {committed}"
    );
}
