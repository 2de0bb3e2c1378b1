//! Every health metrics statement, for the plan check.

use chrono::{TimeDelta, Utc};
use memdb_enhanced_repository::EnhancedRepositories;
use memdb_enhanced_repository::health_metrics::NewHealthMetric;
use memdb_enhanced_repository::{Page, TimeWindow};

use super::recorder::Recorder;

pub(super) async fn health_metrics(repos: &EnhancedRepositories, rec: &Recorder) {
    let metrics = &repos.health_metrics;
    let old = Utc::now() - TimeDelta::days(2);
    rec.call("health_metrics.record");
    metrics
        .record(NewHealthMetric::now("api", "cpu", 0.5))
        .await
        .unwrap();
    rec.call("health_metrics.record_many");
    let samples = ["cpu", "mem", "disk"]
        .iter()
        .flat_map(|metric| {
            (0..3).map(move |i| NewHealthMetric {
                recorded_at: old + TimeDelta::minutes(i),
                ..NewHealthMetric::now("api", *metric, 1.0)
            })
        })
        .collect();
    metrics.record_many(samples).await.unwrap();
    rec.call("health_metrics.latest");
    let first = metrics
        .latest("api", Page::new(2, 0).unwrap())
        .await
        .unwrap();
    assert_eq!(first.len(), 2);
    rec.call("health_metrics.latest of a later page");
    metrics
        .latest("api", Page::new(2, 2).unwrap())
        .await
        .unwrap();
    rec.call("health_metrics.stats");
    let window = TimeWindow::new(old, Utc::now() + TimeDelta::seconds(1)).unwrap();
    let stats = metrics.stats("api", "cpu", window).await.unwrap();
    assert_eq!(stats.map(|s| s.count), Some(4));
    rec.call("health_metrics.prune_older_than");
    let pruned = metrics
        .prune_older_than(Utc::now() - TimeDelta::days(1))
        .await
        .unwrap();
    assert_eq!(pruned, 9);
}
