//! File hash history: the SHA-256 of each file path as it changes over time.

mod sea_orm;

pub use self::sea_orm::SeaOrmFileHashRepository;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use memdb_repository::{Page, RepoResult};
use serde::{Deserialize, Serialize};

use crate::ids::FileHashId;

/// One observed change of a path's content: a row of its hash history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileHash {
    /// Its id.
    pub id: FileHashId,
    /// The file's path, as recorded.
    pub path: String,
    /// Its place in the path's history: 1 for the first hash recorded, then 2, 3, ...
    pub seq: u64,
    /// SHA-256 of the content, 64 lowercase hex digits.
    pub sha256: String,
    /// Size of the content in bytes.
    pub size_bytes: u64,
    /// When the change was recorded (never earlier than the path's previous change).
    pub observed_at: DateTime<Utc>,
    /// The commit the change was recorded with, 40 or 64 lowercase hex digits, if any.
    pub git_commit: Option<String>,
}

/// Input of [`FileHashRepository::record`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewFileHash {
    /// The file's path: not blank, without NUL, at most 1024 characters and 2048 bytes of
    /// UTF-8 (see [`crate::limits`]); kept exactly as given, without Unicode normalization.
    pub path: String,
    /// SHA-256 of the content: 64 hex digits in either case, stored in lowercase.
    pub sha256: String,
    /// Size of the content in bytes, at most `i64::MAX` (what the backends store).
    pub size_bytes: u64,
    /// The commit this content belongs to, if any: 40 or 64 hex digits, stored in lowercase.
    pub git_commit: Option<String>,
}

/// What [`FileHashRepository::record`] did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Recorded {
    /// The hash differs from the path's latest one (or the path is new): this row was added.
    Changed(FileHash),
    /// The hash is the path's latest one: nothing was written; this is that latest row.
    Unchanged(FileHash),
}

impl Recorded {
    /// The path's latest observation after the call.
    #[must_use]
    pub fn observation(&self) -> &FileHash {
        match self {
            Self::Changed(hash) | Self::Unchanged(hash) => hash,
        }
    }

    /// The path's latest observation after the call, by value.
    #[must_use]
    pub fn into_observation(self) -> FileHash {
        match self {
            Self::Changed(hash) | Self::Unchanged(hash) => hash,
        }
    }

    /// Whether the call added a row.
    #[must_use]
    pub fn is_changed(&self) -> bool {
        matches!(self, Self::Changed(_))
    }
}

/// The hash history of file paths.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait FileHashRepository: Send + Sync {
    /// Records that `input.path` has content with this hash now. A row is added only when the
    /// hash differs from the path's latest one; recording the latest hash again, even from many
    /// callers at once, adds nothing and returns that latest row.
    ///
    /// # Errors
    /// `Validation` naming the field for a blank path, a path too long or containing NUL, a
    /// `sha256` that is not 64 hex digits, a `git_commit` that is not 40 or 64 hex digits, or a
    /// size above `i64::MAX`. Nothing is written then.
    async fn record(&self, input: NewFileHash) -> RepoResult<Recorded>;

    /// The latest observation of `path`.
    ///
    /// # Errors
    /// `NotFound` when the path has none; `Validation` for a path that could not be recorded.
    async fn latest(&self, path: &str) -> RepoResult<FileHash>;

    /// The history of `path`, newest first.
    ///
    /// # Errors
    /// `Validation` for a path that could not be recorded.
    async fn history(&self, path: &str, page: Page) -> RepoResult<Vec<FileHash>>;

    /// The paths whose hash changed after `since`, each as its latest observation, oldest
    /// change first (then by path).
    ///
    /// Times are the recorders' clocks when they recorded: a change recorded concurrently with
    /// this call may carry a time before the newest one this call returns.
    ///
    /// # Errors
    /// `Validation` (field `since`) for a time outside the years 1 to 9999.
    async fn changed_since(&self, since: DateTime<Utc>, page: Page) -> RepoResult<Vec<FileHash>>;

    /// The paths whose hash changed after the changes recorded with `commit` (after the newest
    /// of them), as [`FileHashRepository::changed_since`] lists them.
    ///
    /// # Errors
    /// `Validation` when `commit` is not 40 or 64 hex digits; `NotFound` when no change was
    /// recorded with that commit.
    async fn changed_since_commit(&self, commit: &str, page: Page) -> RepoResult<Vec<FileHash>>;

    /// The latest observation of every path, in path order (by code point).
    ///
    /// # Errors
    /// `Db` when the query fails.
    async fn current(&self, page: Page) -> RepoResult<Vec<FileHash>>;
}
