//! The task queue: `submit` beside the INSERT it sends, and `claim_next` + `complete` from 1,
//! 8, 50 and 200 concurrent workers beside a one-statement claim and a one-statement complete,
//! each round checked for double claims.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail, ensure};
use memdb_repository::taskmaster::NewTask;
use memdb_repository::{RepoError, TaskId, now};
use serde_json::json;
use tokio::task::JoinSet;
use uuid::Uuid;

use super::{Bench, TASK_COLUMNS};
use crate::raw::{Param, RawPool};
use crate::report::{Ratio, ResultRow};
use crate::runner::{Side, compare, latency, op};
use crate::stats::Summary;

/// Worker counts of the claim workload: one, the SQLite pool's size, and many more callers
/// than either pool has connections (8 on SQLite, 16 on PostgreSQL).
const WORKERS: [u64; 4] = [1, 8, 50, 200];

/// A one-hour lease, as `NewTask::new` asks for.
const LEASE_SECONDS: i64 = 3600;

/// `submit` of a task without parent or dependencies beside its INSERT.
///
/// # Errors
/// The first failing call's error.
pub(crate) async fn submit(bench: &Bench) -> Result<Vec<ResultRow>> {
    const AGENT: &str = "bench-submit";
    let repos = bench.repos.clone();
    let memdb = op(move |i| {
        let repos = repos.clone();
        async move {
            let task = NewTask {
                agent_type: AGENT.to_owned(),
                ..NewTask::new(format!("submitted {i}"))
            };
            repos.legacy.tasks.submit(task).await?;
            Ok(())
        }
    });
    let raw = bench.raw.clone();
    let sql = Arc::new(raw.sql(&format!(
        "INSERT INTO tasks ({TASK_COLUMNS}) VALUES ($1, $2, $3, $4, 'ready', $5, NULL, NULL, \
         0, $6, $7, $8, NULL, NULL, $9, NULL, NULL, NULL) RETURNING {TASK_COLUMNS}"
    )));
    let raw = op(move |i| {
        let (raw, sql) = (raw.clone(), sql.clone());
        async move {
            let at = now();
            let params = [
                Param::Uuid(TaskId::new().as_uuid()),
                Param::Text(format!("submitted {i}")),
                Param::Text(AGENT.to_owned()),
                Param::Int(5),
                Param::Json(json!({})),
                Param::Int(3),
                Param::Int(LEASE_SECONDS),
                Param::Time(at),
                Param::Time(at),
            ];
            ensure!(
                raw.fetch_count(&sql, &params).await? == 1,
                "no row inserted"
            );
            Ok(())
        }
    });
    let sides = [
        Side {
            label: "memdb",
            op: memdb,
        },
        Side {
            label: "raw INSERT",
            op: raw,
        },
    ];
    latency("tasks.submit", bench.scale.rows, &bench.scale, &sides).await
}

/// `claim_next` + `complete` throughput with each worker count, memdb and raw rounds in
/// A-B-B-A order.
///
/// # Errors
/// The first failing call's error, or a round where a task was claimed twice or not at all.
pub(crate) async fn claim_complete(bench: &Bench) -> Result<Vec<ResultRow>> {
    let mut out = Vec::new();
    for workers in WORKERS {
        let name = format!(
            "tasks.claim_next + complete, {workers} worker{}",
            if workers == 1 { "" } else { "s" }
        );
        eprintln!("  {name}");
        let per_round = (bench.scale.tasks / 2).max(workers);
        let mut memdb = Vec::new();
        let mut raw = Vec::new();
        for (round, memdb_side) in [true, false, false, true].into_iter().enumerate() {
            let agent = format!("bench-claim-{workers}-{round}");
            seed(bench, &agent, per_round).await?;
            let measured = drain(bench, &agent, workers, memdb_side).await?;
            check_each_once(bench, &agent, &measured.1, per_round).await?;
            if memdb_side {
                memdb.push(measured);
            } else {
                raw.push(measured);
            }
        }
        let sides = vec![("memdb", merge(memdb)), ("raw one-statement", merge(raw))];
        out.extend(compare(&name, bench.scale.rows, Ratio::Throughput, sides));
    }
    Ok(out)
}

/// One round's latencies, claimed ids and wall time.
type Round = (Vec<Duration>, Vec<Uuid>, Duration);

/// The summary of several rounds: their latencies over their summed wall time.
fn merge(rounds: Vec<Round>) -> Summary {
    let wall = rounds.iter().map(|r| r.2).sum();
    Summary::over(rounds.into_iter().flat_map(|r| r.0).collect(), wall)
}

/// Submits `count` ready tasks for `agent` (not timed).
async fn seed(bench: &Bench, agent: &str, count: u64) -> Result<()> {
    for i in 0..count {
        let mut task = NewTask::new(format!("claim me {i}"));
        task.agent_type = agent.to_owned();
        task.priority = (i % 11) as u8;
        bench.repos.legacy.tasks.submit(task).await?;
    }
    Ok(())
}

/// Runs `workers` workers claiming and completing `agent`'s tasks until the queue is empty.
async fn drain(bench: &Bench, agent: &str, workers: u64, memdb: bool) -> Result<Round> {
    let raw = Arc::new(RawStatements::new(&bench.raw));
    let started = Instant::now();
    let mut set = JoinSet::new();
    for _ in 0..workers {
        let (repos, raw, agent) = (bench.repos.clone(), raw.clone(), agent.to_owned());
        set.spawn(async move {
            let (mut latencies, mut ids) = (Vec::new(), Vec::new());
            loop {
                let call = Instant::now();
                let claimed = if memdb {
                    match repos.legacy.tasks.claim_next(&agent).await {
                        Ok(task) => {
                            repos
                                .legacy
                                .tasks
                                .complete(task.id, json!({"ok": true}))
                                .await?;
                            Some(task.id.as_uuid())
                        }
                        Err(RepoError::QueueEmpty { .. }) => None,
                        Err(err) => return Err(err.into()),
                    }
                } else {
                    raw.claim_and_complete(&agent).await?
                };
                let Some(id) = claimed else { break };
                latencies.push(call.elapsed());
                ids.push(id);
            }
            anyhow::Ok((latencies, ids))
        });
    }
    let (mut latencies, mut ids) = (Vec::new(), Vec::new());
    while let Some(joined) = set.join_next().await {
        let (l, i) = joined.context("a worker panicked")??;
        latencies.extend(l);
        ids.extend(i);
    }
    Ok((latencies, ids, started.elapsed()))
}

/// Fails unless every one of the `count` tasks was claimed exactly once and is completed.
async fn check_each_once(bench: &Bench, agent: &str, claimed: &[Uuid], count: u64) -> Result<()> {
    let mut unique = claimed.to_vec();
    unique.sort_unstable();
    unique.dedup();
    if unique.len() != claimed.len() {
        bail!(
            "{} tasks of {agent} were claimed twice",
            claimed.len() - unique.len()
        );
    }
    let sql = bench
        .raw
        .sql("SELECT id FROM tasks WHERE agent_type = $1 AND status = 'completed'");
    let completed = bench
        .raw
        .fetch_count(&sql, &[Param::Text(agent.to_owned())])
        .await?;
    ensure!(
        claimed.len() as u64 == count && completed as u64 == count,
        "{agent}: {count} tasks, {} claims, {completed} completed",
        claimed.len()
    );
    Ok(())
}

/// The raw twin: one statement claims, one completes.
struct RawStatements {
    pool: RawPool,
    claim: String,
    complete: String,
}

impl RawStatements {
    fn new(pool: &RawPool) -> Self {
        let lock = match pool {
            RawPool::Postgres(_) => " FOR UPDATE SKIP LOCKED",
            RawPool::Sqlite(_) => "",
        };
        let claim = pool.sql(&format!(
            "UPDATE tasks SET status = 'running', last_updated_at = $1, started_at = $2, \
             lease_expires_at = $3 WHERE id = (SELECT t.id FROM tasks t WHERE t.agent_type = $4 \
             AND t.status IN ('pending', 'ready') AND NOT EXISTS (SELECT 1 FROM task_dependencies d \
             JOIN tasks dt ON dt.id = d.depends_on_task_id WHERE d.task_id = t.id \
             AND dt.status <> 'completed') ORDER BY t.priority DESC, t.submitted_at, t.id \
             LIMIT 1{lock}) AND status IN ('pending', 'ready') RETURNING id"
        ));
        let complete = pool.sql(
            "UPDATE tasks SET status = 'completed', last_updated_at = $1, completed_at = $2, \
             lease_expires_at = NULL, result_data = $3 WHERE id = $4 AND status = 'running' \
             RETURNING id",
        );
        Self {
            pool: pool.clone(),
            claim,
            complete,
        }
    }

    /// Claims the next task of `agent` and completes it; `None` when the queue is empty.
    async fn claim_and_complete(&self, agent: &str) -> Result<Option<Uuid>> {
        let at = now();
        let lease = at + chrono::TimeDelta::seconds(LEASE_SECONDS);
        let params = [
            Param::Time(at),
            Param::Time(at),
            Param::Time(lease),
            Param::Text(agent.to_owned()),
        ];
        let Some(id) = self.pool.fetch_id(&self.claim, &params).await? else {
            return Ok(None);
        };
        let at = now();
        let params = [
            Param::Time(at),
            Param::Time(at),
            Param::Json(json!({"ok": true})),
            Param::Uuid(id),
        ];
        let done = self.pool.fetch_id(&self.complete, &params).await?;
        ensure!(done == Some(id), "task {id} was not running when completed");
        Ok(Some(id))
    }
}
