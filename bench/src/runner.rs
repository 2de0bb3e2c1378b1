//! Timing: the memdb side and its raw twins run in alternating batches after a warm-up, so
//! drift on the machine (other processes, the database's caches, WAL growth) hits every side
//! alike.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::args::Scale;
use crate::report::{Ratio, ResultRow};
use crate::stats::Summary;

/// One timed call.
pub(crate) type OpFuture = Pin<Box<dyn Future<Output = Result<()>> + Send>>;

/// A side of a workload: called with the index of the call (to pick its key).
pub(crate) type Op = Box<dyn Fn(u64) -> OpFuture + Send + Sync>;

/// Boxes an async closure as an [`Op`].
pub(crate) fn op<F, Fut>(f: F) -> Op
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<()>> + Send + 'static,
{
    Box::new(move |i| Box::pin(f(i)))
}

/// A labelled side: `memdb` first, then its raw twins.
pub(crate) struct Side {
    /// `memdb`, `raw`, or what the raw twin runs.
    pub(crate) label: &'static str,
    /// The call.
    pub(crate) op: Op,
}

/// Times `scale.iterations` calls of every side, in batches of `scale.batch` taking turns
/// (the side that goes first rotates each round), after a warm-up batch of each side; stops
/// early, at the end of a round, once the measured calls took longer than `scale.budget`.
///
/// # Errors
/// The first failing call's error.
pub(crate) async fn latency(
    workload: &str,
    rows: u64,
    scale: &Scale,
    sides: &[Side],
) -> Result<Vec<ResultRow>> {
    eprintln!("  {workload}");
    for side in sides {
        for i in 0..scale.batch {
            (side.op)(i).await?;
        }
    }
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); sides.len()];
    let mut next = 0;
    let mut round = 0;
    let started = Instant::now();
    while next < scale.iterations {
        if next > 0 && started.elapsed() > scale.budget {
            eprintln!(
                "    stopped after {next} calls a side: over the {}s budget",
                scale.budget.as_secs()
            );
            break;
        }
        let batch = scale.batch.min(scale.iterations - next);
        for turn in 0..sides.len() {
            let k = (turn + round) % sides.len();
            for i in next..next + batch {
                let started = Instant::now();
                (sides[k].op)(i).await?;
                samples[k].push(started.elapsed());
            }
        }
        next += batch;
        round += 1;
    }
    let summaries = sides
        .iter()
        .zip(samples)
        .map(|(side, samples)| (side.label, Summary::sequential(samples)))
        .collect();
    Ok(compare(workload, rows, Ratio::P50, summaries))
}

/// Report rows for a workload's sides, the first being memdb's: each twin's row carries
/// memdb's figure over the twin's (p50 latencies, or throughputs).
pub(crate) fn compare(
    workload: &str,
    rows: u64,
    ratio: Ratio,
    sides: Vec<(&'static str, Summary)>,
) -> Vec<ResultRow> {
    let memdb = sides.first().map(|(_, s)| s.clone());
    sides
        .into_iter()
        .enumerate()
        .map(|(k, (label, summary))| {
            let versus = match (&memdb, k) {
                (Some(memdb), 1..) => ratio.of(memdb, &summary),
                _ => None,
            };
            ResultRow::new(workload, label, rows, &summary, versus.map(|v| (v, ratio)))
        })
        .collect()
}
