//! Inputs and result checks the file hash and git operation tests share.

use chrono::{DateTime, TimeZone, Utc};
use memdb_enhanced_repository::file_hashes::{FileHash, NewFileHash};
use memdb_enhanced_repository::git_operations::{GitOperationKind, NewGitOperation};
use memdb_enhanced_repository::{Page, RepoError};

/// A distinct SHA-256 (64 lowercase hex digits) for each `n`.
pub(crate) fn sha(n: u32) -> String {
    format!("{n:064x}")
}

/// A distinct git commit id (40 lowercase hex digits) for each `n`.
pub(crate) fn commit(n: u32) -> String {
    format!("c{n:039x}")
}

/// An observation of `path` with content hash `sha(n)`, `n` bytes long.
pub(crate) fn observed(path: &str, n: u32, git_commit: Option<String>) -> NewFileHash {
    NewFileHash {
        path: path.into(),
        sha256: sha(n),
        size_bytes: u64::from(n),
        git_commit,
    }
}

/// A time on 2026-11-23, `minute` minutes after 10:00 UTC.
pub(crate) fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, minute, 0).unwrap()
}

/// A commit on `branch` with commit id `commit(n)` at `at(n)`, touching `files`.
pub(crate) fn operation(n: u32, branch: &str, files: &[&str]) -> NewGitOperation {
    NewGitOperation {
        commit_sha: commit(n),
        branch: branch.into(),
        author: "Ada Lovelace <ada@example.com>".into(),
        message: format!("change {n}"),
        operation: GitOperationKind::Commit,
        files_changed: files.iter().map(|f| (*f).to_owned()).collect(),
        occurred_at: at(n),
    }
}

/// `page` rows from `offset`.
pub(crate) fn page(limit: u64, offset: u64) -> Page {
    Page::new(limit, offset).unwrap()
}

/// `(path, seq)` of each observation.
pub(crate) fn places(hashes: &[FileHash]) -> Vec<(&str, u64)> {
    hashes.iter().map(|h| (h.path.as_str(), h.seq)).collect()
}

/// The field a validation error blames; any other outcome fails the test.
pub(crate) fn invalid_field<T: std::fmt::Debug>(result: Result<T, RepoError>) -> &'static str {
    match result {
        Err(RepoError::Validation { field, .. }) => field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}
