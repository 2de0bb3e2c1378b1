//! Latency samples and what the report says about them.

use std::time::Duration;

/// What one side of a workload measured.
#[derive(Clone, Debug)]
pub(crate) struct Summary {
    /// How many operations were timed.
    pub(crate) count: usize,
    /// Median latency.
    pub(crate) p50: Duration,
    /// 95th percentile latency.
    pub(crate) p95: Duration,
    /// 99th percentile latency.
    pub(crate) p99: Duration,
    /// Operations per second: operations over the wall time they took together.
    pub(crate) ops_per_sec: f64,
}

impl Summary {
    /// Summarises latencies of operations that ran one after another (wall time = their sum).
    pub(crate) fn sequential(samples: Vec<Duration>) -> Self {
        let total: Duration = samples.iter().sum();
        Self::over(samples, total)
    }

    /// Summarises latencies of `samples` that together took `wall` (concurrent workers or a
    /// throughput measured as one block).
    pub(crate) fn over(samples: Vec<Duration>, wall: Duration) -> Self {
        let ops = samples.len();
        Self::throughput(samples, ops, wall)
    }

    /// Summarises `samples` of calls that together did `ops` operations in `wall` (a bulk
    /// insert times whole statements but counts rows).
    #[expect(
        clippy::cast_precision_loss,
        reason = "operation counts stay far below 2^52"
    )]
    pub(crate) fn throughput(mut samples: Vec<Duration>, ops: usize, wall: Duration) -> Self {
        samples.sort_unstable();
        let count = samples.len();
        let secs = wall.as_secs_f64();
        Self {
            count,
            p50: percentile(&samples, 50),
            p95: percentile(&samples, 95),
            p99: percentile(&samples, 99),
            ops_per_sec: if secs > 0.0 { ops as f64 / secs } else { 0.0 },
        }
    }
}

/// The nearest-rank percentile of sorted samples (zero when there are none).
fn percentile(sorted: &[Duration], pct: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (sorted.len() * pct).div_ceil(100).max(1);
    sorted[rank - 1]
}
