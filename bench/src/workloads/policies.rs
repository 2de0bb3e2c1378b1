//! The lifecycle policies over every tiered memory of the data set (seed 004's
//! `run-policies`): a plan (the dry run), then the run, each timed once. The rules are the
//! defaults but for the per-user maximum, set to nine tenths of the data set so the trim
//! deletes a tenth, and the time is 40 days ahead, so every memory is old enough for the tier
//! moves. The run must change exactly what the plan said. It runs last among the tiered
//! workloads: it changes the memories they read.

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use anyhow::{Result, ensure};
use chrono::Utc;
use memdb_enhanced_repository::AuditTrail;
use memdb_enhanced_repository::policies::{DEFAULT_BATCH_SIZE, LifecyclePolicies, PolicyConfig};

use super::Bench;
use crate::report::ResultRow;
use crate::stats::Summary;

/// The plan's workload name.
pub(crate) const PLAN: &str = "tiered.policies plan (dry run) over every memory";

/// The run's workload name.
pub(crate) const RUN: &str = "tiered.policies run over every memory";

/// The plan and the run, when `selects` picks the run (a run without its plan has nothing to
/// check against) and the data set holds memories.
///
/// # Errors
/// A failing call, or a run that changed other than the plan said.
pub(crate) async fn run(bench: &Bench, selects: impl Fn(&str) -> bool) -> Result<Vec<ResultRow>> {
    let memories = bench.data.tiered;
    if memories == 0 || !(selects(PLAN) || selects(RUN)) {
        return Ok(Vec::new());
    }
    let config = PolicyConfig {
        max_memories_per_user: Some(memories - memories / 10),
        ..PolicyConfig::default()
    };
    let trail = AuditTrail::new("bench")?;
    let policies = LifecyclePolicies::new(bench.repos.connection().clone(), config, trail)?;
    let as_of = Utc::now() + chrono::Duration::days(40);

    eprintln!("  {PLAN}");
    let started = Instant::now();
    let plan = policies.plan(as_of).await?;
    let planned = started.elapsed();

    eprintln!("  {RUN}");
    let mut batches: Vec<Duration> = Vec::new();
    let mut last = Instant::now();
    let started = last;
    let done = policies
        .run(as_of, DEFAULT_BATCH_SIZE, |_| {
            batches.push(last.elapsed());
            last = Instant::now();
            ControlFlow::Continue(())
        })
        .await?;
    let wall = started.elapsed();
    ensure!(!done.stopped, "the run stopped early");
    ensure!(
        done.report == plan,
        "the run changed other than planned: {:?} vs {:?}",
        done.report,
        plan
    );
    let changed = done.report.total();
    ensure!(
        changed > 0,
        "the plan changed nothing: no workload measured"
    );
    eprintln!("    {changed} changes in {} batches", batches.len());
    Ok(vec![
        ResultRow::new(
            PLAN,
            "memdb",
            memories,
            &Summary::sequential(vec![planned]),
            None,
        ),
        ResultRow::new(
            RUN,
            "memdb (ops/s: changes/s; latencies: batches)",
            memories,
            &Summary::throughput(batches, changed as usize, wall),
            None,
        ),
    ])
}
