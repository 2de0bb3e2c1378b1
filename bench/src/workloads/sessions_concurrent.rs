//! 50 concurrent sessions: 50 tasks, each on a session of its own created for the workload,
//! each making K rounds of `append_events` (one event and a session state key) and
//! `update_state`; throughput in writes/s and the latency of each write. At the end every
//! session must hold exactly K events numbered 1 to K, be at version 1 + 2K and show its last
//! state: anything else fails the run. memdb only: the raw twins of the single append are in
//! `sessions`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, ensure};
use memdb_enhanced_repository::SeaOrmSessionRepository;
use memdb_enhanced_repository::ids::SessionId;
use memdb_enhanced_repository::sessions::{NewSession, SessionRepository, StateDelta};
use serde_json::json;
use tokio::task::JoinSet;

use super::Bench;
use super::sessions::repository;
use crate::dataset_sessions::events;
use crate::report::{Ratio, ResultRow};
use crate::runner::compare;
use crate::stats::Summary;

/// Concurrent sessions, one task each.
const SESSIONS: u64 = 50;

/// The app of the workload's sessions (apart from the data set's).
const APP: &str = "bench-concurrent";

/// The name of the workload.
pub(crate) const NAME: &str = "sessions.50 concurrent";

/// The 50-sessions workload.
///
/// # Errors
/// The first failing call's error, or a session whose events or version are not what its
/// task wrote.
pub(crate) async fn run(bench: &Bench) -> Result<Vec<ResultRow>> {
    let rounds: u64 = if bench.scale.iterations < 2_000 {
        4
    } else {
        20
    };
    let name = format!("{NAME}, {rounds} rounds of append + update_state");
    eprintln!("  {name}");
    let repo = Arc::new(repository(&bench.repos)?);
    let mut ids = Vec::with_capacity(SESSIONS as usize);
    for s in 0..SESSIONS {
        let input = NewSession::new(APP, format!("user{s:02}"));
        ids.push(repo.create(input).await?.summary.id);
    }
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for (s, id) in ids.iter().copied().enumerate() {
        let repo = repo.clone();
        tasks.spawn(async move { session_task(&repo, id, s as u64, rounds).await });
    }
    let mut latencies = Vec::with_capacity((SESSIONS * rounds * 2) as usize);
    while let Some(joined) = tasks.join_next().await {
        latencies.extend(joined.context("a session task panicked")??);
    }
    let wall = started.elapsed();
    for id in &ids {
        check(&repo, *id, rounds).await?;
    }
    let sides = vec![("memdb", Summary::over(latencies, wall))];
    Ok(compare(&name, bench.scale.rows, Ratio::Throughput, sides))
}

/// Session `s`'s task: `rounds` appends, each followed by a state update; each write's latency.
async fn session_task(
    repo: &SeaOrmSessionRepository,
    id: SessionId,
    s: u64,
    rounds: u64,
) -> Result<Vec<Duration>> {
    let mut latencies = Vec::with_capacity(rounds as usize * 2);
    for round in 0..rounds {
        let call = Instant::now();
        let delta = StateDelta::new().set("appended", json!(round));
        repo.append_events(id, events(s, round, 1), None, delta)
            .await?;
        latencies.push(call.elapsed());
        let call = Instant::now();
        let delta = StateDelta::new().set("round", json!(round));
        repo.update_state(id, delta, None).await?;
        latencies.push(call.elapsed());
    }
    Ok(latencies)
}

/// Whether session `id` holds exactly `rounds` events numbered 1 to `rounds`, is at version
/// 1 + 2 x `rounds` and shows its last round's state.
async fn check(repo: &SeaOrmSessionRepository, id: SessionId, rounds: u64) -> Result<()> {
    let stored = repo.events_after(id, 0, rounds + 1).await?;
    let seqs: Vec<i64> = stored.iter().map(|e| e.seq).collect();
    let expected: Vec<i64> = (1..=rounds as i64).collect();
    ensure!(
        seqs == expected,
        "session {id} holds events {seqs:?}, not 1 to {rounds}"
    );
    let session = repo.get(id).await?;
    let last = json!(rounds - 1);
    ensure!(
        session.summary.version == 1 + 2 * rounds as i32
            && session.summary.last_event_seq == rounds as i64
            && session.state["round"] == last
            && session.state["appended"] == last,
        "session {id} is at version {} with state {}",
        session.summary.version,
        session.state
    );
    Ok(())
}
