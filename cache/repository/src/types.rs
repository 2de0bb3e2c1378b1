//! The cache's domain types: inputs, rows as the repository returns them, limits.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// The longest TTL `put` accepts: 365 days. A cache entry meant to outlive that is not a cache
/// entry.
pub const MAX_TTL: Duration = Duration::from_hours(365 * 24);

/// The largest `batch_size` of `purge_expired` and `limit` of `drift_report`.
pub const MAX_BATCH_SIZE: u64 = 10_000;

memdb_repository::db_enum! {
    /// How a stored interaction went.
    pub enum Outcome: "interaction outcome" {
        /// The call gave a usable answer.
        Success => "success",
        /// The call failed.
        Failure => "failure",
        /// The call answered, unusually (latency or content far from the template's norm).
        Outlier => "outlier",
    }
}

/// Input of [`put`](crate::CacheRepository::put).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewCacheEntry {
    /// The cache key, 1 to 512 characters.
    pub key: String,
    /// The model that answered, 1 to 200 characters.
    pub model: String,
    /// The hash of the prompt, 1 to 128 characters.
    pub prompt_hash: String,
    /// The response, any JSON value (no NUL, nested at most 127 deep).
    pub response: Value,
    /// How long the entry lives: more than zero, at most [`MAX_TTL`].
    pub ttl: Duration,
}

/// A cached response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CacheEntry {
    /// The cache key.
    pub key: String,
    /// The model that answered.
    pub model: String,
    /// The hash of the prompt.
    pub prompt_hash: String,
    /// The response.
    pub response: Value,
    /// How often `get` returned it (this call included).
    pub hits: u64,
    /// When it was stored, to the microsecond.
    pub created_at: DateTime<Utc>,
    /// When it stops being returned.
    pub expires_at: DateTime<Utc>,
}

/// Input of [`record_call`](crate::CacheRepository::record_call).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateCall {
    /// The prompt template, 1 to 200 characters.
    pub template: String,
    /// How long the call took.
    pub latency_ms: u64,
    /// The environment the response was cached in (a JSON object), when it was cached: it
    /// becomes the template's last cached context.
    pub context: Option<Value>,
}

/// A template's call statistics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateStats {
    /// The prompt template.
    pub template: String,
    /// How many calls were recorded.
    pub call_count: u64,
    /// Their latencies, summed.
    pub total_latency_ms: u64,
    /// `total_latency_ms / call_count`.
    pub avg_latency_ms: f64,
    /// The environment of the last cached call.
    pub last_cached_context: Option<Value>,
    /// When that call was recorded.
    pub last_context_time: Option<DateTime<Utc>>,
}

/// Input of [`record_interaction`](crate::CacheRepository::record_interaction).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewInteraction {
    /// The prompt template, 1 to 200 characters.
    pub template: String,
    /// What was sent (no NUL).
    pub input: String,
    /// What came back (no NUL).
    pub output: String,
    /// How it went.
    pub outcome: Outcome,
    /// How long it took.
    pub latency_ms: u64,
    /// The environment it ran in, a JSON object.
    pub environmental_context: Option<Value>,
}

/// A stored interaction.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Interaction {
    /// Its id (UUIDv7).
    pub id: Uuid,
    /// The prompt template.
    pub template: String,
    /// What was sent.
    pub input: String,
    /// What came back.
    pub output: String,
    /// How it went.
    pub outcome: Outcome,
    /// How long it took.
    pub latency_ms: u64,
    /// The environment it ran in.
    pub environmental_context: Option<Value>,
    /// When it was stored, to the microsecond.
    pub created_at: DateTime<Utc>,
}

/// What [`drift_report`](crate::CacheRepository::drift_report) found for a template.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DriftReport {
    /// The template.
    pub template: String,
    /// Its last cached context, `None` when it has none (then nothing drifted).
    pub last_cached_context: Option<Value>,
    /// Its interactions whose context differs from it, oldest first.
    pub drifted: Vec<Interaction>,
}

/// One committed batch of [`purge_expired`](crate::CacheRepository::purge_expired).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgeBatch {
    /// 1 for the first batch.
    pub number: u64,
    /// Entries this batch deleted.
    pub deleted: u64,
    /// Entries deleted so far, this batch included.
    pub deleted_so_far: u64,
}

/// What [`purge_expired`](crate::CacheRepository::purge_expired) did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purge {
    /// Entries deleted.
    pub deleted: u64,
    /// Batches that deleted something.
    pub batches: u64,
    /// Whether the progress callback stopped the purge before every expired entry was gone.
    pub stopped: bool,
}
