#![doc = include_str!("../README.md")]

mod canonical;
mod sea_orm;
mod types;

pub use self::sea_orm::SeaOrmCacheRepository;
pub use canonical::context_hash;
/// What a service needs beside the repository, so it can depend on this crate alone: the
/// error type every memdb repository returns, and memdb's connection setup.
pub use memdb_repository::{RepoError, RepoResult, connect, database_url_from_env};
pub use types::{
    CacheEntry, DriftReport, Interaction, MAX_BATCH_SIZE, MAX_TTL, NewCacheEntry, NewInteraction,
    Outcome, Purge, PurgeBatch, TemplateCall, TemplateStats,
};

use std::ops::ControlFlow;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// What `purge_expired` calls after each committed batch; `Break` stops the purge there.
pub type Progress<'a> = &'a mut (dyn FnMut(&PurgeBatch) -> ControlFlow<()> + Send);

/// The LLM response cache: cached responses with a TTL and hit counts, per-template call
/// statistics, stored interactions with their environmental context, and what drifted.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait CacheRepository: Send + Sync {
    /// The live entry under `key`, its hit counted (one `UPDATE ... RETURNING`: concurrent
    /// readers each count); `None` when there is none or it has expired.
    ///
    /// # Errors
    /// `Validation` for a key that is empty or longer than 512 characters; `Db`.
    async fn get(&self, key: &str) -> RepoResult<Option<CacheEntry>>;

    /// Stores `entry` under its key for its TTL, replacing what was there (hits start again at
    /// zero), in one upsert.
    ///
    /// # Errors
    /// `Validation` for a TTL of zero or above [`MAX_TTL`], an empty or overlong key, model or
    /// prompt hash, or a response with NUL or nested too deep; `Db`.
    async fn put(&self, entry: NewCacheEntry) -> RepoResult<CacheEntry>;

    /// Counts one call of a template and its latency into the template's statistics, and when
    /// `context` is given makes it the template's last cached context: one upsert, so
    /// concurrent callers never lose a call and the average is exactly total / count.
    ///
    /// # Errors
    /// `Validation` for an empty or overlong template, a latency above `i64::MAX`, or a context
    /// that is not a JSON object; `Db`.
    async fn record_call(&self, call: TemplateCall) -> RepoResult<TemplateStats>;

    /// The statistics of `template`, `None` before its first call.
    ///
    /// # Errors
    /// `Validation` for an empty or overlong template; `Db`.
    async fn template_stats(&self, template: &str) -> RepoResult<Option<TemplateStats>>;

    /// Stores one interaction.
    ///
    /// # Errors
    /// `Validation` for an empty or overlong template, text with NUL, a latency above
    /// `i64::MAX`, or a context that is not a JSON object; `Db`.
    async fn record_interaction(&self, interaction: NewInteraction) -> RepoResult<Interaction>;

    /// The first `limit` interactions of `template`, oldest first, whose environmental context
    /// differs from the template's last cached context (both present). Contexts are compared
    /// by their canonical form ([`context_hash`]), in SQL.
    ///
    /// # Errors
    /// `Validation` for an empty or overlong template or a `limit` of 0 or above
    /// [`MAX_BATCH_SIZE`]; `Db`.
    async fn drift_report(&self, template: &str, limit: u64) -> RepoResult<DriftReport>;

    /// Deletes the entries expired at `as_of`, at most `batch_size` a batch, each batch one
    /// statement (its own transaction), calling `progress` after each; stops when none is
    /// left or `progress` breaks.
    ///
    /// # Errors
    /// `Validation` for a `batch_size` of 0 or above [`MAX_BATCH_SIZE`]; `Db` when a batch
    /// fails (the batches before it stay deleted).
    async fn purge_expired<'a>(
        &self,
        as_of: DateTime<Utc>,
        batch_size: u64,
        progress: Progress<'a>,
    ) -> RepoResult<Purge>;
}
