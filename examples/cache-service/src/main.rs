//! A cache service's smoke run: connects to `DATABASE_URL` (a database made by `memdb init`
//! built with the feature `cache`; this crate never migrates) and calls every
//! `CacheRepository` method, checking what comes back. Exits non-zero on the first wrong answer.
//!
//! Every key and template carries a fresh run id, so it runs any number of times on the same
//! database.

use std::ops::ControlFlow;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, ensure};
use memdb_cache_repository::{
    CacheRepository, NewCacheEntry, NewInteraction, Outcome, SeaOrmCacheRepository, TemplateCall,
    connect,
};
use serde_json::json;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => {
            println!("cache-service: every cache call works");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("cache-service: FAILED: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    let url = std::env::var("DATABASE_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .context("set DATABASE_URL to a database made by `memdb init` (feature cache)")?;
    let db = connect(&url).await.context("connect")?;
    let cache = SeaOrmCacheRepository::new(db);
    let run = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .context("clock")?
        .as_nanos();
    exercise(&cache, &format!("run{run}")).await
}

/// Every call, checked.
async fn exercise(cache: &dyn CacheRepository, run: &str) -> anyhow::Result<()> {
    let key = format!("{run}:summarise:1");
    let stored = cache
        .put(NewCacheEntry {
            key: key.clone(),
            model: "small-model".into(),
            prompt_hash: "9f2c".into(),
            response: json!({"text": "a summary"}),
            ttl: Duration::from_mins(1),
        })
        .await
        .context("put")?;
    ensure!(stored.hits == 0, "put: hits {}", stored.hits);
    let hit = cache
        .get(&key)
        .await
        .context("get")?
        .context("get: no entry")?;
    ensure!(hit.hits == 1, "get: hits {}", hit.hits);

    let template = format!("{run}:summarise");
    for (latency_ms, context) in [(100, Some(json!({"os": "linux"}))), (50, None)] {
        cache
            .record_call(TemplateCall {
                template: template.clone(),
                latency_ms,
                context,
            })
            .await
            .context("record_call")?;
    }
    let stats = cache
        .template_stats(&template)
        .await
        .context("template_stats")?
        .context("template_stats: none")?;
    ensure!(
        stats.call_count == 2 && (stats.avg_latency_ms - 75.0).abs() < 1e-9,
        "template_stats: {stats:?}"
    );

    for os in ["linux", "macos"] {
        cache
            .record_interaction(NewInteraction {
                template: template.clone(),
                input: "a text".into(),
                output: "a summary".into(),
                outcome: Outcome::Success,
                latency_ms: 80,
                environmental_context: Some(json!({"os": os})),
            })
            .await
            .context("record_interaction")?;
    }
    let report = cache
        .drift_report(&template, 10)
        .await
        .context("drift_report")?;
    ensure!(report.drifted.len() == 1, "drift_report: {report:?}");

    // Everything expiring within the next two minutes, this run's entry among them.
    let later = chrono::Utc::now() + chrono::Duration::minutes(2);
    let purge = cache
        .purge_expired(later, 100, &mut |_| ControlFlow::Continue(()))
        .await
        .context("purge_expired")?;
    ensure!(purge.deleted >= 1, "purge_expired: {purge:?}");
    ensure!(
        cache.get(&key).await.context("get")?.is_none(),
        "purged entry still there"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use memdb_cache_repository::MockCacheRepository;

    use super::*;

    #[tokio::test]
    async fn a_failing_call_is_reported() {
        let mut mock = MockCacheRepository::new();
        mock.expect_put().returning(|_| {
            Err(memdb_cache_repository::RepoError::Validation {
                field: "ttl",
                reason: "too long".into(),
            })
        });
        let err = exercise(&mock, "run").await.expect_err("put fails");
        assert!(format!("{err:#}").contains("too long"), "{err:#}");
    }
}
