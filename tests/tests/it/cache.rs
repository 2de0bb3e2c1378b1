//! The LLM response cache repository on the disposable cache track: one story generic over
//! [`CacheRepository`], and template statistics under concurrent callers. Each test migrates a
//! fresh database with the legacy and cache tracks (the shared template holds legacy and
//! enhanced only).

use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use memdb_cache_entity::cache_entries;
use memdb_cache_migration::CacheMigrator;
use memdb_cache_repository::{
    CacheRepository, MAX_BATCH_SIZE, MAX_TTL, NewCacheEntry, NewInteraction, Outcome,
    SeaOrmCacheRepository, TemplateCall,
};
use memdb_migration::{Migrator, MigratorTrait};
use memdb_repository::RepoError;
use memdb_tests::TestDb;
use sea_orm::ActiveValue::Set;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::{Value, json};

/// A fresh database with the legacy and cache tracks.
async fn cache_db() -> TestDb {
    let db = TestDb::empty().await;
    Migrator::up(db.conn(), None).await.expect("legacy track");
    CacheMigrator::up(db.conn(), None)
        .await
        .expect("cache track");
    db
}

fn entry(key: &str, ttl: Duration) -> NewCacheEntry {
    NewCacheEntry {
        key: key.into(),
        model: "small-model".into(),
        prompt_hash: format!("hash-of-{key}"),
        response: json!({"text": format!("answer to {key}"), "tokens": 12}),
        ttl,
    }
}

fn interaction(outcome: Outcome, context: Option<Value>) -> NewInteraction {
    NewInteraction {
        template: "summarise".into(),
        input: "a long text".into(),
        output: "a summary".into(),
        outcome,
        latency_ms: 80,
        environmental_context: context,
    }
}

fn is_invalid(result: &Result<impl std::fmt::Debug, RepoError>, field: &str) -> bool {
    matches!(result, Err(RepoError::Validation { field: f, .. }) if *f == field)
}

/// Every call of the trait, as a service uses them.
async fn story(cache: &dyn CacheRepository, expired_key: &str) {
    let hour = Duration::from_hours(1);
    // get / put with TTL and hit counting.
    assert_eq!(cache.get("summarise:1").await.unwrap(), None);
    let stored = cache.put(entry("summarise:1", hour)).await.unwrap();
    assert_eq!(stored.hits, 0);
    assert_eq!(
        stored.expires_at - stored.created_at,
        chrono::Duration::hours(1)
    );
    let first = cache
        .get("summarise:1")
        .await
        .unwrap()
        .expect("a live entry");
    assert_eq!((first.hits, &first.response), (1, &stored.response));
    assert_eq!(cache.get("summarise:1").await.unwrap().unwrap().hits, 2);
    let mut replaced = entry("summarise:1", hour);
    replaced.response = json!(["another", "answer"]);
    let replaced = cache.put(replaced).await.unwrap();
    assert_eq!(
        (replaced.hits, replaced.response),
        (0, json!(["another", "answer"]))
    );
    // An expired entry is not returned, nor counted.
    assert_eq!(cache.get(expired_key).await.unwrap(), None);
    for ttl in [Duration::ZERO, MAX_TTL + Duration::from_secs(1)] {
        assert!(is_invalid(&cache.put(entry("k", ttl)).await, "ttl"));
    }
    assert!(is_invalid(&cache.put(entry("", hour)).await, "key"));
    assert!(is_invalid(&cache.get(&"k".repeat(513)).await, "key"));

    // Template statistics: running average, last cached context.
    assert_eq!(cache.template_stats("summarise").await.unwrap(), None);
    let linux = json!({"os": "linux", "region": {"zone": "a", "dc": 1}});
    let call = |latency_ms, context| TemplateCall {
        template: "summarise".into(),
        latency_ms,
        context,
    };
    cache
        .record_call(call(100, Some(linux.clone())))
        .await
        .unwrap();
    let stats = cache.record_call(call(51, None)).await.unwrap();
    assert_eq!((stats.call_count, stats.total_latency_ms), (2, 151));
    assert!((stats.avg_latency_ms - 75.5).abs() < f64::EPSILON);
    assert_eq!(
        stats.last_cached_context,
        Some(linux.clone()),
        "kept by a call without one"
    );
    assert!(stats.last_context_time.is_some());
    assert_eq!(
        cache.template_stats("summarise").await.unwrap(),
        Some(stats)
    );
    assert!(is_invalid(
        &cache.record_call(call(1, Some(json!([1])))).await,
        "context"
    ));

    // Interactions and the drift report: the same context in another key order is no drift.
    let same = json!({"region": {"dc": 1, "zone": "a"}, "os": "linux"});
    let mac = json!({"os": "macos", "region": {"zone": "a", "dc": 1}});
    let recorded = cache
        .record_interaction(interaction(Outcome::Success, Some(same)))
        .await
        .unwrap();
    assert_eq!(recorded.outcome, Outcome::Success);
    let drifted = cache
        .record_interaction(interaction(Outcome::Outlier, Some(mac.clone())))
        .await
        .unwrap();
    cache
        .record_interaction(interaction(Outcome::Failure, None))
        .await
        .unwrap();
    let report = cache.drift_report("summarise", 10).await.unwrap();
    assert_eq!(report.last_cached_context, Some(linux));
    assert_eq!(report.drifted, std::slice::from_ref(&drifted));
    assert_eq!(report.drifted[0].environmental_context, Some(mac));
    let unknown = cache.drift_report("never-called", 10).await.unwrap();
    assert!(unknown.drifted.is_empty() && unknown.last_cached_context.is_none());
    assert!(is_invalid(
        &cache.drift_report("summarise", 0).await,
        "limit"
    ));
    let mut bad = interaction(Outcome::Success, None);
    bad.input = "nul\0".into();
    assert!(is_invalid(&cache.record_interaction(bad).await, "input"));

    // Purge in batches: three expired entries (the one the caller made, two more that expire
    // within the hour), two a batch, progress after each; the live entry stays.
    cache
        .put(entry("short:1", Duration::from_mins(1)))
        .await
        .unwrap();
    cache
        .put(entry("short:2", Duration::from_mins(2)))
        .await
        .unwrap();
    let in_two_hours = Utc::now() + chrono::Duration::minutes(30);
    let mut seen = Vec::new();
    let purge = cache
        .purge_expired(in_two_hours, 2, &mut |batch| {
            seen.push(*batch);
            ControlFlow::Continue(())
        })
        .await
        .unwrap();
    assert_eq!((purge.deleted, purge.batches, purge.stopped), (3, 2, false));
    assert_eq!(
        seen.iter()
            .map(|b| (b.number, b.deleted, b.deleted_so_far))
            .collect::<Vec<_>>(),
        [(1, 2, 2), (2, 1, 3)]
    );
    assert!(cache.get("summarise:1").await.unwrap().is_some());
    let none = cache
        .purge_expired(in_two_hours, 2, &mut |_| ControlFlow::Break(()))
        .await
        .unwrap();
    assert_eq!((none.deleted, none.stopped), (0, false));
    assert!(is_invalid(
        &cache
            .purge_expired(in_two_hours, MAX_BATCH_SIZE + 1, &mut |_| {
                ControlFlow::Continue(())
            })
            .await,
        "batch_size"
    ));
    // A Break stops after the batch it was given.
    for i in 0..3 {
        cache
            .put(entry(&format!("soon:{i}"), Duration::from_secs(1)))
            .await
            .unwrap();
    }
    let stopped = cache
        .purge_expired(in_two_hours, 1, &mut |_| ControlFlow::Break(()))
        .await
        .unwrap();
    assert_eq!(
        (stopped.deleted, stopped.batches, stopped.stopped),
        (1, 1, true)
    );
}

#[tokio::test]
async fn cache_repository_story() {
    let db = cache_db().await;
    // An entry that expired a minute ago, written as an older process would have left it.
    let past = (Utc::now() - chrono::Duration::minutes(1)).fixed_offset();
    cache_entries::Entity::insert(cache_entries::ActiveModel {
        key: Set("expired:1".into()),
        model: Set("m".into()),
        prompt_hash: Set("h".into()),
        response: Set(json!("old")),
        hits: Set(5),
        created_at: Set(past - chrono::Duration::hours(1)),
        expires_at: Set(past),
    })
    .exec(db.conn())
    .await
    .expect("an expired entry");
    let cache = SeaOrmCacheRepository::new(db.pool());
    story(&cache, "expired:1").await;
}

#[tokio::test]
async fn template_statistics_count_every_concurrent_call_exactly() {
    let db = cache_db().await;
    let cache: Arc<dyn CacheRepository> = Arc::new(SeaOrmCacheRepository::new(db.pool()));
    let callers: u64 = 40;
    let mut tasks = Vec::new();
    for i in 0..callers {
        let cache = Arc::clone(&cache);
        tasks.push(tokio::spawn(async move {
            cache
                .record_call(TemplateCall {
                    template: "busy".into(),
                    latency_ms: 10 + i * 7,
                    context: (i % 5 == 0).then(|| json!({"caller": i})),
                })
                .await
        }));
    }
    for task in tasks {
        task.await.expect("no panic").expect("every call recorded");
    }
    let total: u64 = (0..callers).map(|i| 10 + i * 7).sum();
    let stats = cache.template_stats("busy").await.unwrap().unwrap();
    assert_eq!((stats.call_count, stats.total_latency_ms), (callers, total));
    #[allow(clippy::cast_precision_loss, reason = "small integers")]
    let exact = total as f64 / callers as f64;
    assert!(
        (stats.avg_latency_ms - exact).abs() <= exact * 1e-12,
        "{} vs {exact}",
        stats.avg_latency_ms
    );
    assert!(stats.last_cached_context.is_some());
}

#[tokio::test]
async fn the_outcome_column_allows_exactly_the_outcomes() {
    let db = cache_db().await;
    let cache = SeaOrmCacheRepository::new(db.pool());
    for outcome in Outcome::ALL {
        let stored = cache
            .record_interaction(interaction(*outcome, None))
            .await
            .unwrap();
        assert_eq!(stored.outcome, *outcome);
    }
    let sql = "INSERT INTO interactions (id, template, input, output, outcome, latency_ms, created_at) \
               VALUES ('00000000-0000-7000-8000-000000000001', 't', 'i', 'o', 'maybe', 1, '2026-01-01 00:00:00+00:00')";
    assert!(db.conn().execute_unprepared(sql).await.is_err());
}

#[tokio::test]
async fn the_mock_stands_in_for_the_repository() {
    let mut mock = memdb_cache_repository::MockCacheRepository::new();
    mock.expect_get().returning(|_| Ok(None));
    let cache: &dyn CacheRepository = &mock;
    assert_eq!(cache.get("anything").await.unwrap(), None);
}

#[tokio::test]
async fn a_context_whose_numbers_the_backend_reprints_is_not_drift() {
    let db = cache_db().await;
    let cache = SeaOrmCacheRepository::new(db.pool());
    // PostgreSQL's jsonb prints 1e300 back with every digit; the drift report must not care.
    let context = json!({"big": 1e300, "small": 5e-324, "third": 0.1});
    cache
        .record_call(TemplateCall {
            template: "summarise".into(),
            latency_ms: 1,
            context: Some(context.clone()),
        })
        .await
        .unwrap();
    cache
        .record_interaction(interaction(Outcome::Success, Some(context)))
        .await
        .unwrap();
    let report = cache.drift_report("summarise", 10).await.unwrap();
    assert!(report.drifted.is_empty(), "{report:?}");
}
