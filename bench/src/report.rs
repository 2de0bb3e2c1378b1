//! The results: a table on stdout and, with `--json`, the same rows in a file with the
//! run's context.

use std::path::Path;

use anyhow::{Context as _, Result};
use serde::Serialize;

use crate::stats::Summary;

/// What a twin's ratio compares.
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Ratio {
    /// memdb's median latency over the twin's: above 1 means memdb is slower.
    P50,
    /// memdb's throughput over the twin's: below 1 means memdb is slower.
    Throughput,
}

impl Ratio {
    /// memdb's figure over the twin's, when the twin's is not zero.
    pub(crate) fn of(self, memdb: &Summary, twin: &Summary) -> Option<f64> {
        let (m, t) = match self {
            Self::P50 => (memdb.p50.as_secs_f64(), twin.p50.as_secs_f64()),
            Self::Throughput => (memdb.ops_per_sec, twin.ops_per_sec),
        };
        (t > 0.0).then(|| m / t)
    }
}

/// One line of the report: one side of one workload.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct ResultRow {
    /// The workload's name.
    pub(crate) workload: String,
    /// `memdb`, or the raw twin.
    pub(crate) side: String,
    /// Rows in the table(s) it works on.
    pub(crate) rows: u64,
    /// Timed operations.
    pub(crate) count: usize,
    /// Latency percentiles in microseconds.
    pub(crate) p50_us: f64,
    pub(crate) p95_us: f64,
    pub(crate) p99_us: f64,
    /// Operations per second.
    pub(crate) ops_per_sec: f64,
    /// memdb over this twin (twins only).
    pub(crate) memdb_over_raw: Option<f64>,
    /// What `memdb_over_raw` compares.
    pub(crate) ratio_of: Option<Ratio>,
}

impl ResultRow {
    /// A row from a summary.
    pub(crate) fn new(
        workload: &str,
        side: &str,
        rows: u64,
        summary: &Summary,
        ratio: Option<(f64, Ratio)>,
    ) -> Self {
        let us = |d: std::time::Duration| d.as_secs_f64() * 1e6;
        Self {
            workload: workload.to_owned(),
            side: side.to_owned(),
            rows,
            count: summary.count,
            p50_us: us(summary.p50),
            p95_us: us(summary.p95),
            p99_us: us(summary.p99),
            ops_per_sec: summary.ops_per_sec,
            memdb_over_raw: ratio.map(|(v, _)| v),
            ratio_of: ratio.map(|(_, kind)| kind),
        }
    }
}

/// Prints the table (a Markdown table, so it pastes into BENCHMARKS.md as it is).
pub(crate) fn print_table(rows: &[ResultRow]) {
    println!("| workload | side | rows | n | p50 | p95 | p99 | ops/s | memdb/raw |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        let ratio = match (row.memdb_over_raw, row.ratio_of) {
            (Some(v), Some(Ratio::P50)) => format!("{v:.2}x p50"),
            (Some(v), Some(Ratio::Throughput)) => format!("{v:.2}x ops/s"),
            _ => String::new(),
        };
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {:.0} | {} |",
            row.workload,
            row.side,
            row.rows,
            row.count,
            duration(row.p50_us),
            duration(row.p95_us),
            duration(row.p99_us),
            row.ops_per_sec,
            ratio
        );
    }
}

/// Microseconds below 10 ms, milliseconds above.
fn duration(us: f64) -> String {
    if us < 10_000.0 {
        format!("{us:.0} µs")
    } else {
        format!("{:.1} ms", us / 1000.0)
    }
}

/// The file `--json` writes.
#[derive(Serialize)]
struct JsonReport<'a> {
    backend: &'a str,
    memdb_version: &'a str,
    host: Host,
    date: String,
    rows: &'a [ResultRow],
}

#[derive(Serialize)]
struct Host {
    hostname: String,
    cores: usize,
}

/// Writes the rows with the backend, memdb's version, the host and the date to `path`.
///
/// # Errors
/// When the file cannot be written.
pub(crate) fn write_json(path: &Path, backend: &str, rows: &[ResultRow]) -> Result<()> {
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::env::var("HOSTNAME"))
        .map_or_else(|_| "unknown".to_owned(), |h| h.trim().to_owned());
    let report = JsonReport {
        backend,
        memdb_version: env!("CARGO_PKG_VERSION"),
        host: Host {
            hostname,
            cores: std::thread::available_parallelism().map_or(1, usize::from),
        },
        date: chrono::Utc::now().to_rfc3339(),
        rows,
    };
    let text = serde_json::to_string_pretty(&report)?;
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}
