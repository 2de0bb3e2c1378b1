//! The health metrics story, run against the SeaORM implementation on a real database:
//! recording one sample and many, the latest value of each metric, summaries over a window and
//! pruning, each larger than one statement or batch where that matters.

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use memdb_enhanced_repository::health_metrics::{
    HealthMetric, HealthMetricRepository, MetricStats, NewHealthMetric, PRUNE_BATCH,
    ROWS_PER_INSERT,
};
use memdb_enhanced_repository::{
    MockHealthMetricRepository, Page, RepoResult, SeaOrmHealthMetricRepository, TimeWindow,
};
use memdb_tests::TestDb;
use serde_json::json;

fn sample(metric: &str, value: f64, at: DateTime<Utc>) -> NewHealthMetric {
    NewHealthMetric {
        component: "api".into(),
        metric: metric.into(),
        value,
        labels: json!({"region": "eu"}),
        recorded_at: at,
    }
}

fn values(samples: &[HealthMetric]) -> Vec<(&str, f64)> {
    samples
        .iter()
        .map(|s| (s.metric.as_str(), s.value))
        .collect()
}

/// What a caller does with health metrics, written against the trait.
async fn health_story(repo: &dyn HealthMetricRepository) {
    let t0 = Utc::now() - TimeDelta::minutes(30);
    let at = |minutes: i64| t0 + TimeDelta::minutes(minutes);

    // One sample: stored as given, the time cut to microseconds.
    let precise = t0 + TimeDelta::nanoseconds(1_234_567);
    let one = repo.record(sample("cpu", 0.5, precise)).await.unwrap();
    assert_eq!(
        (one.component.as_str(), one.metric.as_str(), one.value),
        ("api", "cpu", 0.5)
    );
    assert_eq!(one.labels, json!({"region": "eu"}));
    assert_eq!(one.recorded_at, precise.trunc_subsecs(6));

    // Many: metric names that sort differently by code point and by a linguistic collation.
    let mut many = Vec::new();
    for (minute, metric, value) in [
        (1, "cpu", 0.7),
        (2, "cpu", 0.6),
        (1, "mem_used", 10.0),
        (3, "mem_used", 30.0),
        (2, "mem-used", -1.5),
        (2, "mem.used", 2.0),
        (2, "q", 1.0),
    ] {
        many.push(sample(metric, value, at(minute)));
    }
    let mut other = sample("cpu", 99.0, at(5));
    other.component = "worker".into();
    many.push(other);
    assert_eq!(repo.record_many(many).await.unwrap(), 8);
    assert_eq!(repo.record_many(Vec::new()).await.unwrap(), 0);

    // The latest value of each metric of a component, by name in code-point order, paged.
    let page = Page::default();
    let latest = repo.latest("api", page).await.unwrap();
    assert_eq!(
        values(&latest),
        [
            ("cpu", 0.6),
            ("mem-used", -1.5),
            ("mem.used", 2.0),
            ("mem_used", 30.0),
            ("q", 1.0)
        ]
    );
    let first_two = repo.latest("api", Page::new(2, 0).unwrap()).await.unwrap();
    assert_eq!(first_two, latest[..2]);
    let middle = repo.latest("api", Page::new(2, 2).unwrap()).await.unwrap();
    assert_eq!(middle, latest[2..4]);
    let last = repo.latest("api", Page::new(2, 4).unwrap()).await.unwrap();
    assert_eq!(last, latest[4..]);
    assert!(
        repo.latest("api", Page::new(2, 5).unwrap())
            .await
            .unwrap()
            .is_empty()
    );
    let far = Page::new(Page::MAX_LIMIT, Page::MAX_OFFSET).unwrap();
    assert!(repo.latest("api", far).await.unwrap().is_empty());
    assert_eq!(
        values(&repo.latest("worker", page).await.unwrap()),
        [("cpu", 99.0)]
    );
    assert!(repo.latest("nobody", page).await.unwrap().is_empty());

    // Two samples at the same instant: the later id is the latest.
    let tie = at(10);
    repo.record(sample("disk", 1.0, tie)).await.unwrap();
    let second = repo.record(sample("disk", 2.0, tie)).await.unwrap();
    let disk = repo.latest("api", page).await.unwrap();
    assert_eq!(disk.iter().find(|s| s.metric == "disk"), Some(&second));

    // Summaries over a window, from the start (included) to the end (excluded).
    let window = |from: i64, to: i64| TimeWindow::new(at(from), at(to)).unwrap();
    let cpu = repo.stats("api", "cpu", window(0, 3)).await.unwrap();
    let expected = MetricStats {
        count: 3,
        min: 0.5,
        max: 0.7,
        mean: 0.6,
    };
    let cpu = cpu.unwrap();
    assert_eq!(
        (cpu.count, cpu.min, cpu.max),
        (expected.count, expected.min, expected.max)
    );
    assert!((cpu.mean - expected.mean).abs() < 1e-12, "{cpu:?}");
    let mem = repo
        .stats("api", "mem_used", window(1, 3))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (mem.count, mem.min, mem.max, mem.mean),
        (1, 10.0, 10.0, 10.0)
    );
    assert_eq!(
        repo.stats("api", "cpu", window(20, 25)).await.unwrap(),
        None
    );
    assert_eq!(
        repo.stats("api", "nothing", window(0, 60)).await.unwrap(),
        None
    );
    assert_eq!(
        repo.stats("worker", "cpu", window(0, 60))
            .await
            .unwrap()
            .unwrap()
            .count,
        1
    );
}

#[tokio::test]
async fn health_story_on_sea_orm() {
    let db = TestDb::new().await;
    health_story(&SeaOrmHealthMetricRepository::new(db.pool())).await;
}

#[tokio::test]
async fn many_samples_span_several_inserts_and_prune_in_several_batches() {
    let db = TestDb::new().await;
    let repo = SeaOrmHealthMetricRepository::new(db.pool());
    let now = Utc::now();
    let old = now - TimeDelta::days(30);
    let count = ROWS_PER_INSERT * 2 + 500;
    // Old samples of many metrics, one minute apart, and a few recent ones.
    let samples: Vec<NewHealthMetric> = (0..count)
        .map(|i| {
            let minute = TimeDelta::minutes(i64::try_from(i).unwrap());
            sample(
                &format!("m{:02}", i % 40),
                f64::from(u32::try_from(i).unwrap()),
                old + minute,
            )
        })
        .collect();
    assert_eq!(repo.record_many(samples).await.unwrap(), count as u64);
    for metric in ["m00", "m01", "fresh"] {
        repo.record(sample(metric, -1.0, now)).await.unwrap();
    }
    let everything = TimeWindow::new(old, now + TimeDelta::seconds(1)).unwrap();
    let m00 = repo.stats("api", "m00", everything).await.unwrap().unwrap();
    assert_eq!(m00.count, (count.div_ceil(40) + 1) as u64);

    let latest = repo
        .latest("api", Page::new(Page::MAX_LIMIT, 0).unwrap())
        .await
        .unwrap();
    assert_eq!(latest.len(), 41);
    assert_eq!(latest[0].metric, "fresh");
    assert_eq!((latest[1].metric.as_str(), latest[1].value), ("m00", -1.0));
    let last_m39 = (0..count).filter(|i| i % 40 == 39).max().unwrap();
    assert_eq!(
        (latest[40].metric.as_str(), latest[40].value),
        ("m39", f64::from(u32::try_from(last_m39).unwrap()))
    );

    // Everything older than a day goes, more than two batches' worth; nothing newer does.
    let cutoff = now - TimeDelta::days(1);
    assert!(count as u64 > 2 * PRUNE_BATCH);
    assert_eq!(repo.prune_older_than(cutoff).await.unwrap(), count as u64);
    assert_eq!(repo.prune_older_than(cutoff).await.unwrap(), 0);
    let left = repo.latest("api", Page::default()).await.unwrap();
    assert_eq!(
        left.iter().map(|s| s.metric.as_str()).collect::<Vec<_>>(),
        ["fresh", "m00", "m01"]
    );
    // The cutoff itself is kept: only samples strictly older go.
    assert_eq!(repo.prune_older_than(now).await.unwrap(), 0);
    assert_eq!(
        repo.prune_older_than(now + TimeDelta::microseconds(1))
            .await
            .unwrap(),
        3
    );
}

/// A caller: whether a metric's mean over the last `minutes` is above `threshold`.
async fn above(
    repo: &dyn HealthMetricRepository,
    metric: &str,
    minutes: i64,
    threshold: f64,
) -> RepoResult<bool> {
    let now = Utc::now();
    let window = TimeWindow::new(now - TimeDelta::minutes(minutes), now)?;
    Ok(repo
        .stats("api", metric, window)
        .await?
        .is_some_and(|s| s.mean > threshold))
}

#[tokio::test]
async fn a_caller_of_health_metrics_runs_on_a_mock() {
    let mut repo = MockHealthMetricRepository::new();
    repo.expect_stats()
        .withf(|component, metric, window| {
            component == "api"
                && metric == "latency_ms"
                && window.to() - window.from() == TimeDelta::minutes(5)
        })
        .returning(|_, _, _| {
            Ok(Some(MetricStats {
                count: 3,
                min: 90.0,
                max: 400.0,
                mean: 250.0,
            }))
        });
    repo.expect_stats()
        .withf(|_, metric, _| metric == "quiet")
        .returning(|_, _, _| Ok(None));
    assert!(above(&repo, "latency_ms", 5, 200.0).await.unwrap());
    assert!(!above(&repo, "latency_ms", 5, 300.0).await.unwrap());
    assert!(!above(&repo, "quiet", 5, 0.0).await.unwrap());
    assert!(
        above(&repo, "latency_ms", 0, 0.0).await.is_err(),
        "an empty window"
    );
}
