//! Every cache repository statement, for the plan check: the primary keys for get, put and the
//! template statistics, `idx_cache_entries_expires` for the purge, `idx_interactions_template`
//! for the drift report. The test database gets the cache track here (the shared template holds
//! legacy and enhanced only).

use std::ops::ControlFlow;
use std::time::Duration;

use chrono::Utc;
use memdb_cache_migration::CacheMigrator;
use memdb_cache_repository::{
    CacheRepository, NewCacheEntry, NewInteraction, Outcome, SeaOrmCacheRepository, TemplateCall,
};
use memdb_migration::MigratorTrait;
use sea_orm::DatabaseConnection;
use serde_json::json;

use super::recorder::Recorder;

pub(super) async fn cache(db: &DatabaseConnection, recording: &DatabaseConnection, rec: &Recorder) {
    CacheMigrator::up(db, None).await.expect("the cache track");
    let cache = SeaOrmCacheRepository::new(recording.clone());
    rec.call("cache.put");
    for i in 0..4 {
        cache
            .put(NewCacheEntry {
                key: format!("k{i}"),
                model: "m".into(),
                prompt_hash: "h".into(),
                response: json!({"i": i}),
                ttl: Duration::from_secs(3600 * (i + 1)),
            })
            .await
            .unwrap();
    }
    rec.call("cache.get");
    cache.get("k0").await.unwrap();
    rec.call("cache.record_call");
    let call = |context| TemplateCall {
        template: "t".into(),
        latency_ms: 5,
        context,
    };
    cache
        .record_call(call(Some(json!({"os": "linux"}))))
        .await
        .unwrap();
    cache.record_call(call(None)).await.unwrap();
    rec.call("cache.template_stats");
    cache.template_stats("t").await.unwrap();
    rec.call("cache.record_interaction");
    for os in ["linux", "macos"] {
        cache
            .record_interaction(NewInteraction {
                template: "t".into(),
                input: "i".into(),
                output: "o".into(),
                outcome: Outcome::Success,
                latency_ms: 5,
                environmental_context: Some(json!({"os": os})),
            })
            .await
            .unwrap();
    }
    rec.call("cache.drift_report");
    assert_eq!(cache.drift_report("t", 10).await.unwrap().drifted.len(), 1);
    rec.call("cache.purge_expired");
    let later = Utc::now() + chrono::Duration::minutes(150);
    let purged = cache
        .purge_expired(later, 1, &mut |_| ControlFlow::Continue(()))
        .await
        .unwrap();
    assert_eq!(purged.deleted, 2);
}
