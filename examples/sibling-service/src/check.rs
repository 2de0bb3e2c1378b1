//! Turning repository results into failures that name the call.

use memdb_repository::{RepoError, RepoResult};

/// Names the repository call a result came from, so a failure says which call failed and shows
/// memdb's error both as text and as the variant callers match on.
pub(crate) trait Call<T> {
    /// The value, or an error naming `call`.
    fn call(self, call: &str) -> anyhow::Result<T>;
}

impl<T> Call<T> for RepoResult<T> {
    fn call(self, call: &str) -> anyhow::Result<T> {
        self.map_err(|err| anyhow::anyhow!("{call} failed: {err} [{err:?}]"))
    }
}

/// Fails unless `result` is `RepoError::NotFound`: what a call on a deleted row must return.
pub(crate) fn not_found<T: std::fmt::Debug>(
    call: &str,
    result: RepoResult<T>,
) -> anyhow::Result<()> {
    match result {
        Err(RepoError::NotFound { .. }) => Ok(()),
        other => anyhow::bail!("{call}: expected NotFound, got {other:?}"),
    }
}
