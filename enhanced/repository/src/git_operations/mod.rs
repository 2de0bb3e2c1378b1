//! Git operations: commits, merges, rebases, reverts and tags, with the paths each touched.

mod sea_orm;

pub use self::sea_orm::SeaOrmGitOperationRepository;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use memdb_repository::{Page, RepoResult};
use serde::{Deserialize, Serialize};

use crate::file_hashes::FileHash;
use crate::ids::GitOperationId;

memdb_repository::db_enum! {
    /// What a git operation was.
    pub enum GitOperationKind: "git operation" {
        /// A commit.
        Commit => "commit",
        /// A merge.
        Merge => "merge",
        /// A rebase.
        Rebase => "rebase",
        /// A revert.
        Revert => "revert",
        /// A tag.
        Tag => "tag",
    }
}

/// A recorded git operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitOperation {
    /// Its id.
    pub id: GitOperationId,
    /// The commit it made or pointed at: 40 or 64 lowercase hex digits, unique.
    pub commit_sha: String,
    /// The branch it happened on.
    pub branch: String,
    /// Who made it, as git prints the author.
    pub author: String,
    /// The commit message.
    pub message: String,
    /// What it was.
    pub operation: GitOperationKind,
    /// The paths it touched, in the order recorded.
    pub files_changed: Vec<String>,
    /// When it happened, to the microsecond.
    pub occurred_at: DateTime<Utc>,
}

/// Input of [`GitOperationRepository::record`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewGitOperation {
    /// The commit: 40 (SHA-1) or 64 (SHA-256) hex digits in either case, stored in
    /// lowercase; unique among recorded operations.
    pub commit_sha: String,
    /// Not blank, without NUL, at most 255 characters; kept as given.
    pub branch: String,
    /// 1 to 200 characters after trimming, with a visible character; stored trimmed and in
    /// Unicode NFC.
    pub author: String,
    /// At most 10 000 characters without NUL; may be empty.
    pub message: String,
    /// What it was.
    pub operation: GitOperationKind,
    /// The paths it touched (each a valid file path, see
    /// [`NewFileHash::path`](crate::file_hashes::NewFileHash::path)), at most 10 000, none
    /// twice; may be empty.
    pub files_changed: Vec<String>,
    /// When it happened, in the years 1 to 9999; stored to the microsecond.
    pub occurred_at: DateTime<Utc>,
}

/// Git operations and the file hashes their commits produced.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait GitOperationRepository: Send + Sync {
    /// Records an operation and the paths it touched, in one transaction.
    ///
    /// # Errors
    /// `Validation` naming the field for bad input (a malformed `commit_sha`, a blank or
    /// too long branch or author, a message too long, a bad or repeated path in
    /// `files_changed` or too many of them, NUL in any text, a time outside the years 1 to
    /// 9999); `Conflict` (`Duplicate`) when an operation with this `commit_sha` exists.
    /// Nothing is written then.
    async fn record(&self, input: NewGitOperation) -> RepoResult<GitOperation>;

    /// The operation of `commit_sha` (any case).
    ///
    /// # Errors
    /// `Validation` for a malformed sha; `NotFound` when none was recorded.
    async fn get_by_commit(&self, commit_sha: &str) -> RepoResult<GitOperation>;

    /// The newest operation on `branch` (by `occurred_at`).
    ///
    /// # Errors
    /// `Validation` for a branch that could not be recorded; `NotFound` when the branch has
    /// no operation.
    async fn latest_on_branch(&self, branch: &str) -> RepoResult<GitOperation>;

    /// The operations on `branch`, newest first.
    ///
    /// # Errors
    /// `Validation` for a branch that could not be recorded.
    async fn list_on_branch(&self, branch: &str, page: Page) -> RepoResult<Vec<GitOperation>>;

    /// The operations that touched `path`, newest first.
    ///
    /// # Errors
    /// `Validation` for a path that could not be recorded.
    async fn touching_path(&self, path: &str, page: Page) -> RepoResult<Vec<GitOperation>>;

    /// The file hash changes recorded with the commit of `commit_sha` (rows of the file hash
    /// history whose `git_commit` is it), by path and then history order.
    ///
    /// # Errors
    /// `Validation` for a malformed sha; `NotFound` when no operation of that commit was
    /// recorded.
    async fn file_hashes(&self, commit_sha: &str, page: Page) -> RepoResult<Vec<FileHash>>;
}
