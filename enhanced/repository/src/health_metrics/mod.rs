//! Health metrics: timestamped samples of each component's metrics (a value and labels), their
//! latest values, summaries over time windows, and pruning of old samples.

mod latest;
mod sea_orm;

pub use self::sea_orm::{PRUNE_BATCH, ROWS_PER_INSERT, SeaOrmHealthMetricRepository};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use memdb_repository::{Page, RepoResult};
use serde::{Deserialize, Serialize};

use crate::ids::HealthMetricId;
use crate::window::TimeWindow;

/// One stored sample.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HealthMetric {
    /// Its id.
    pub id: HealthMetricId,
    /// What was measured, a label such as `api-gateway`.
    pub component: String,
    /// Which of its metrics, a label such as `latency_ms`.
    pub metric: String,
    /// The measured value.
    pub value: f64,
    /// A JSON object qualifying the sample (`{"region": "eu"}`).
    pub labels: serde_json::Value,
    /// When it was measured, to the microsecond.
    pub recorded_at: DateTime<Utc>,
}

/// Input of [`HealthMetricRepository::record`] and [`HealthMetricRepository::record_many`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewHealthMetric {
    /// A label: 1 to 64 of lowercase letters, digits, `_ - . :`.
    pub component: String,
    /// A label: 1 to 64 of lowercase letters, digits, `_ - . :`.
    pub metric: String,
    /// A finite number of magnitude at most
    /// [`HEALTH_METRIC_MAGNITUDE`](crate::limits::HEALTH_METRIC_MAGNITUDE) (`1e100`); `-0.0` is
    /// stored as `0.0`.
    pub value: f64,
    /// A JSON object (`{}` when there is nothing to say): no NUL in any string or key, arrays
    /// and objects nested at most 127 deep.
    pub labels: serde_json::Value,
    /// When it was measured; stored cut to microseconds.
    pub recorded_at: DateTime<Utc>,
}

impl NewHealthMetric {
    /// A sample of `value` measured now, without labels.
    #[must_use]
    pub fn now(component: impl Into<String>, metric: impl Into<String>, value: f64) -> Self {
        Self {
            component: component.into(),
            metric: metric.into(),
            value,
            labels: serde_json::json!({}),
            recorded_at: Utc::now(),
        }
    }
}

/// A summary of one metric's samples in a time window.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricStats {
    /// How many samples (at least one).
    pub count: u64,
    /// The smallest value.
    pub min: f64,
    /// The largest value.
    pub max: f64,
    /// The mean value.
    pub mean: f64,
}

/// Health metrics.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait HealthMetricRepository: Send + Sync {
    /// Stores one sample.
    ///
    /// # Errors
    /// `Validation` for a bad component or metric label, a NaN, infinite or too large value
    /// (field `value`), or labels that are not a storable JSON object.
    async fn record(&self, sample: NewHealthMetric) -> RepoResult<HealthMetric>;

    /// Stores many samples, all or none: every sample is checked first, then they are written
    /// in one transaction by multi-row inserts of at most [`ROWS_PER_INSERT`] rows (well under
    /// every backend's bound-parameter limit). Returns how many were stored; an empty list
    /// stores nothing and does not touch the database.
    ///
    /// # Errors
    /// As [`record`](Self::record) for the first bad sample, its position in the reason
    /// (`sample 3: ...`); nothing is stored then.
    async fn record_many(&self, samples: Vec<NewHealthMetric>) -> RepoResult<u64>;

    /// The latest sample (by `recorded_at`, ids breaking ties) of each metric of `component`,
    /// in metric-name order (by code point), one page of metrics at a time. Reads one index
    /// entry per metric name and one per metric's latest sample, however many samples there
    /// are.
    ///
    /// # Errors
    /// `Validation` for a bad component label.
    async fn latest(&self, component: &str, page: Page) -> RepoResult<Vec<HealthMetric>>;

    /// Count, min, max and mean of one metric's samples recorded within `window`, computed by
    /// the database; `None` when there is none.
    ///
    /// # Errors
    /// `Validation` for a bad component or metric label.
    async fn stats(
        &self,
        component: &str,
        metric: &str,
        window: TimeWindow,
    ) -> RepoResult<Option<MetricStats>>;

    /// Deletes every sample recorded before `cutoff`, oldest first, in batches of at most
    /// [`PRUNE_BATCH`] samples, each in a transaction of its own (a savepoint inside a unit of
    /// work), so a large backlog never holds the write lock for long. Returns how many were
    /// deleted.
    ///
    /// # Errors
    /// `Db` when a batch fails; that batch is not applied (earlier batches are).
    async fn prune_older_than(&self, cutoff: DateTime<Utc>) -> RepoResult<u64>;
}
