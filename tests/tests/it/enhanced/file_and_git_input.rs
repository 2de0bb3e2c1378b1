//! Bad input to the file hash and git operation repositories: a typed `Validation` naming the
//! field and nothing written; limits taken at their edge on each backend; the schema's own
//! checks behind them; stored values the domain cannot read reported as `Corrupt`.

use chrono::{TimeZone, Utc};
use memdb_enhanced_repository::file_hashes::NewFileHash;
use memdb_enhanced_repository::git_operations::{GitOperationKind, NewGitOperation};
use memdb_enhanced_repository::limits;
use memdb_enhanced_repository::{EnhancedRepositories, RepoError};
use memdb_tests::TestDb;
use memdb_tests::checks::assert_check_allows_exactly;
use sea_orm::ConnectionTrait;

use super::hash_fixtures::{commit, invalid_field, observed, operation, page, sha};

/// `n` characters of two, three and four bytes in turn.
fn wide(n: usize) -> String {
    ['é', '€', '𝄞'].iter().cycle().take(n).collect()
}

#[tokio::test]
async fn bad_file_hashes_are_refused_and_leave_nothing() {
    let db = TestDb::new().await;
    let repos = EnhancedRepositories::from_connection(db.pool());
    let files = &repos.file_hashes;
    let with = |f: fn(&mut NewFileHash)| {
        let mut input = observed("ok.txt", 1, None);
        f(&mut input);
        input
    };
    let cases: [(NewFileHash, &str); 12] = [
        (with(|i| i.path = String::new()), "path"),
        (with(|i| i.path = " \t".into()), "path"),
        (with(|i| i.path = "a\0b".into()), "path"),
        (with(|i| i.path = "a".repeat(limits::FILE_PATH + 1)), "path"),
        // 1000 characters, but 3001 bytes: more than an index entry may hold.
        (with(|i| i.path = wide(1000)), "path"),
        (with(|i| i.sha256 = "a".repeat(63)), "sha256"),
        (with(|i| i.sha256 = "g".repeat(64)), "sha256"),
        (
            with(|i| i.sha256 = format!("{}\0", "a".repeat(63))),
            "sha256",
        ),
        (with(|i| i.sha256 = String::new()), "sha256"),
        (with(|i| i.git_commit = Some("abc".into())), "git_commit"),
        (with(|i| i.git_commit = Some("z".repeat(40))), "git_commit"),
        (with(|i| i.size_bytes = i64::MAX as u64 + 1), "size_bytes"),
    ];
    for (input, field) in cases {
        let shown = format!("{input:?}");
        assert_eq!(invalid_field(files.record(input).await), field, "{shown}");
    }
    assert!(files.current(page(10, 0)).await.unwrap().is_empty());

    let too_late = Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).unwrap();
    assert_eq!(
        invalid_field(files.changed_since(too_late, page(1, 0)).await),
        "since"
    );
    assert_eq!(
        invalid_field(files.changed_since_commit("HEAD", page(1, 0)).await),
        "commit"
    );
    assert_eq!(invalid_field(files.latest("a\0").await), "path");
    assert_eq!(invalid_field(files.history("", page(1, 0)).await), "path");

    // At the limits: 1024 characters; 2048 bytes of four-byte characters.
    let at_limits = [
        "a".repeat(limits::FILE_PATH),
        "𝄞".repeat(limits::FILE_PATH_BYTES / 4),
    ];
    for path in at_limits {
        let stored = files.record(observed(&path, 1, None)).await.unwrap();
        assert_eq!(stored.observation().path, path);
        assert_eq!(files.latest(&path).await.unwrap().path, path);
    }
    assert!(
        files
            .record(observed("big", 0, None))
            .await
            .unwrap()
            .is_changed()
    );
    let largest = NewFileHash {
        size_bytes: i64::MAX as u64,
        ..observed("big", 1, None)
    };
    let largest = files.record(largest).await.unwrap().into_observation();
    assert_eq!(largest.size_bytes, i64::MAX as u64);
    drop(db);
}

#[tokio::test]
async fn bad_git_operations_are_refused_and_leave_nothing() {
    let db = TestDb::new().await;
    let repos = EnhancedRepositories::from_connection(db.pool());
    let git = &repos.git_operations;
    let with = |f: fn(&mut NewGitOperation)| {
        let mut input = operation(1, "main", &["a.txt"]);
        f(&mut input);
        input
    };
    let cases: [(NewGitOperation, &str); 17] = [
        (with(|i| i.commit_sha = "abc".into()), "commit_sha"),
        (with(|i| i.commit_sha = "x".repeat(40)), "commit_sha"),
        (with(|i| i.commit_sha = "a".repeat(65)), "commit_sha"),
        (with(|i| i.branch = " ".into()), "branch"),
        (with(|i| i.branch = "ma\0in".into()), "branch"),
        (with(|i| i.branch = wide(limits::GIT_BRANCH + 1)), "branch"),
        (with(|i| i.author = "\u{200b}".into()), "author"),
        (with(|i| i.author = wide(limits::GIT_AUTHOR + 1)), "author"),
        (
            with(|i| i.message = wide(limits::GIT_MESSAGE + 1)),
            "message",
        ),
        (with(|i| i.message = "fix\0".into()), "message"),
        (
            with(|i| i.files_changed = vec!["a".into(), "a".into()]),
            "files_changed",
        ),
        (
            with(|i| i.files_changed = vec![String::new()]),
            "files_changed",
        ),
        (
            with(|i| i.files_changed = vec!["a\0".into()]),
            "files_changed",
        ),
        (
            with(|i| i.files_changed = vec![wide(1000)]),
            "files_changed",
        ),
        (
            with(|i| {
                i.files_changed = (0..=limits::GIT_FILES_CHANGED)
                    .map(|n| n.to_string())
                    .collect();
            }),
            "files_changed",
        ),
        (
            with(|i| i.occurred_at = Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).unwrap()),
            "occurred_at",
        ),
        (
            with(|i| i.occurred_at = Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0).unwrap()),
            "occurred_at",
        ),
    ];
    for (input, field) in cases {
        let shown: String = format!("{input:?}").chars().take(200).collect();
        assert_eq!(invalid_field(git.record(input).await), field, "{shown}");
    }
    assert!(
        git.list_on_branch("main", page(10, 0))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        git.touching_path("a.txt", page(10, 0))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(invalid_field(git.get_by_commit("HEAD").await), "commit_sha");
    assert_eq!(invalid_field(git.latest_on_branch("").await), "branch");
    assert_eq!(
        invalid_field(git.list_on_branch("a\0", page(1, 0)).await),
        "branch"
    );
    assert_eq!(
        invalid_field(git.touching_path(&"a".repeat(1025), page(1, 0)).await),
        "path"
    );
    assert_eq!(
        invalid_field(git.file_hashes("0", page(1, 0)).await),
        "commit_sha"
    );

    // At the limits, in multi-byte characters, with every path the limit allows (several
    // insert statements of them), and a SHA-256 object id.
    let widest = NewGitOperation {
        commit_sha: "e".repeat(64),
        branch: wide(limits::GIT_BRANCH),
        author: wide(limits::GIT_AUTHOR),
        message: wide(limits::GIT_MESSAGE),
        operation: GitOperationKind::Rebase,
        files_changed: (0..limits::GIT_FILES_CHANGED)
            .map(|n| format!("dir/{n}"))
            .collect(),
        occurred_at: Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
    };
    let stored = git.record(widest.clone()).await.unwrap();
    assert_eq!(
        (stored.branch.as_str(), stored.author.as_str()),
        (widest.branch.as_str(), widest.author.as_str())
    );
    assert_eq!(stored.message, widest.message);
    assert_eq!(stored.files_changed, widest.files_changed);
    assert_eq!(git.get_by_commit(&"E".repeat(64)).await.unwrap(), stored);
    let last = format!("dir/{}", limits::GIT_FILES_CHANGED - 1);
    assert_eq!(
        git.touching_path(&last, page(10, 0)).await.unwrap(),
        [stored]
    );
    drop(db);
}

#[tokio::test]
async fn the_schema_refuses_what_the_repositories_refuse() {
    let db = TestDb::new().await;
    let repos = EnhancedRepositories::from_connection(db.pool());
    repos
        .file_hashes
        .record(observed("a.txt", 1, Some(commit(1))))
        .await
        .unwrap();
    let op = repos
        .git_operations
        .record(operation(1, "main", &["a.txt"]))
        .await
        .unwrap();
    assert_check_allows_exactly(
        db.conn(),
        ("git_operations", "operation"),
        ("id", op.id.as_uuid().into()),
        GitOperationKind::VALUES,
    )
    .await;
    for column in ["file_hash_history", "file_hash_current"] {
        for assignment in [
            "size_bytes = -1",
            "seq = 0",
            "sha256 = 'abc'",
            "git_commit = 'abc'",
        ] {
            let sql = format!("UPDATE {column} SET {assignment}");
            let refused = db.conn().execute_unprepared(&sql).await;
            assert!(refused.is_err(), "{sql} was accepted");
        }
    }
    let sql = format!("UPDATE git_operations SET commit_sha = '{}'", sha(1));
    db.conn().execute_unprepared(&sql).await.unwrap();
    let refused = db
        .conn()
        .execute_unprepared("UPDATE git_operations SET commit_sha = 'abc'")
        .await;
    assert!(refused.is_err());
    drop(db);
}

#[tokio::test]
async fn stored_paths_that_are_not_a_list_of_strings_are_corrupt() {
    let db = TestDb::new().await;
    let repos = EnhancedRepositories::from_connection(db.pool());
    let git = &repos.git_operations;
    git.record(operation(1, "main", &["a.txt"])).await.unwrap();
    for stored in [r#"{"a.txt": true}"#, "[1]"] {
        let sql = format!("UPDATE git_operations SET files_changed = '{stored}'");
        db.conn().execute_unprepared(&sql).await.unwrap();
        let read = git.get_by_commit(&commit(1)).await;
        assert!(
            matches!(read, Err(RepoError::Corrupt { .. })),
            "{stored}: {read:?}"
        );
    }
    drop(db);
}
