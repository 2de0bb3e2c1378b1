//! What the health metrics repository refuses, by field, with nothing half-written: NaN,
//! infinite and out-of-range values, bad labels and names; a list with one bad sample stores
//! none, and so does a list the database refuses part of; the value's CHECK constraint holds
//! without the repository too.

use chrono::Utc;
use memdb_enhanced_entity::health_metrics;
use memdb_enhanced_repository::health_metrics::{
    HealthMetricRepository, NewHealthMetric, ROWS_PER_INSERT,
};
use memdb_enhanced_repository::limits::HEALTH_METRIC_MAGNITUDE;
use memdb_enhanced_repository::{Page, RepoError, SeaOrmHealthMetricRepository};
use memdb_tests::TestDb;
use sea_orm::ActiveValue::Set;
use sea_orm::EntityTrait;
use serde_json::json;

use super::support::{invalid_field, nested_object, poison_rows};

fn sample(metric: &str, value: f64) -> NewHealthMetric {
    NewHealthMetric::now("api", metric, value)
}

async fn stored(repo: &dyn HealthMetricRepository) -> usize {
    repo.latest("api", Page::default()).await.unwrap().len()
}

#[tokio::test]
async fn bad_samples_are_refused_by_field() {
    let db = TestDb::new().await;
    let repo = SeaOrmHealthMetricRepository::new(db.pool());
    let with = |change: fn(&mut NewHealthMetric)| {
        let mut input = sample("cpu", 1.0);
        change(&mut input);
        input
    };
    let cases = vec![
        (with(|s| s.value = f64::NAN), "value"),
        (with(|s| s.value = f64::INFINITY), "value"),
        (with(|s| s.value = f64::NEG_INFINITY), "value"),
        (with(|s| s.value = HEALTH_METRIC_MAGNITUDE * 10.0), "value"),
        (with(|s| s.value = -f64::MAX), "value"),
        (with(|s| s.component = "API".into()), "component"),
        (with(|s| s.component = String::new()), "component"),
        (with(|s| s.metric = "cpu load".into()), "metric"),
        (with(|s| s.metric = "m".repeat(65)), "metric"),
        (with(|s| s.labels = json!(["eu"])), "labels"),
        (with(|s| s.labels = json!({"region": "e\u{0}u"})), "labels"),
        (with(|s| s.labels = nested_object(128)), "labels"),
        // A value deeper than any parser allows beside a bad field: rejected, not overflowing.
        (
            with(|s| (s.value, s.labels) = (f64::NAN, nested_object(100_000))),
            "labels",
        ),
    ];
    for (case, (input, field)) in cases.into_iter().enumerate() {
        assert_eq!(
            invalid_field(repo.record(input).await),
            field,
            "case {case}"
        );
    }
    assert_eq!(stored(&repo).await, 0);
    let page = Page::default();
    assert_eq!(invalid_field(repo.latest("Api", page).await), "component");
    let window = memdb_enhanced_repository::TimeWindow::new(
        Utc::now() - chrono::TimeDelta::hours(1),
        Utc::now(),
    )
    .unwrap();
    assert_eq!(invalid_field(repo.stats("api", "", window).await), "metric");
    assert_eq!(
        invalid_field(repo.stats("a\0", "cpu", window).await),
        "component"
    );

    // At the edges, everything is stored; negative zero is stored as zero.
    for value in [
        HEALTH_METRIC_MAGNITUDE,
        -HEALTH_METRIC_MAGNITUDE,
        -0.0,
        f64::MIN_POSITIVE,
    ] {
        let mut edge = sample(&"m".repeat(64), value);
        edge.labels = nested_object(127);
        let kept = repo.record(edge.clone()).await.unwrap();
        // Bit for bit, except negative zero, which is stored as zero.
        assert_eq!(kept.value.to_bits(), (value + 0.0).to_bits(), "{value}");
        assert_eq!(kept.labels, edge.labels);
    }
    let latest = repo.latest("api", page).await.unwrap();
    assert_eq!(latest.len(), 1);
    assert_eq!(latest[0].value.to_bits(), f64::MIN_POSITIVE.to_bits());
}

#[tokio::test]
async fn one_bad_sample_in_many_stores_none() {
    let db = TestDb::new().await;
    let repo = SeaOrmHealthMetricRepository::new(db.pool());
    let mut samples: Vec<NewHealthMetric> = (0..ROWS_PER_INSERT + 10)
        .map(|i| sample(&format!("m{}", i % 7), 1.0))
        .collect();
    samples[ROWS_PER_INSERT + 3].value = f64::NAN;
    samples[ROWS_PER_INSERT + 5].labels = nested_object(100_000);
    match repo.record_many(samples).await {
        Err(RepoError::Validation {
            field: "value",
            reason,
        }) => {
            assert!(
                reason.starts_with(&format!("sample {}: ", ROWS_PER_INSERT + 3)),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(stored(&repo).await, 0);
}

#[tokio::test]
async fn many_samples_are_all_or_nothing_in_the_database_too() {
    let db = TestDb::new().await;
    let repo = SeaOrmHealthMetricRepository::new(db.pool());
    // A trigger refuses one metric, so the database fails an insert after earlier ones went
    // through in the same call.
    poison_rows(&db, "health_metrics", "metric").await;
    let mut samples: Vec<NewHealthMetric> = (0..ROWS_PER_INSERT * 2)
        .map(|i| sample(&format!("m{}", i % 7), 1.0))
        .collect();
    samples.push(sample("poison", 1.0));
    let outcome = repo.record_many(samples).await;
    assert!(matches!(outcome, Err(RepoError::Db(_))), "{outcome:?}");
    assert_eq!(stored(&repo).await, 0);
    // The pool carries on.
    assert_eq!(repo.record_many(vec![sample("cpu", 1.0)]).await.unwrap(), 1);
}

#[tokio::test]
async fn the_value_check_constraint_holds_without_the_repository() {
    let db = TestDb::new().await;
    let row = |value: f64| health_metrics::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        component: Set("api".into()),
        metric: Set("cpu".into()),
        value: Set(value),
        labels: Set(json!({})),
        recorded_at: Set(Utc::now().fixed_offset()),
    };
    for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e101, -1e101] {
        let refused = health_metrics::Entity::insert(row(value))
            .exec(db.conn())
            .await;
        assert!(refused.is_err(), "{value} was stored");
    }
    health_metrics::Entity::insert(row(1e100))
        .exec(db.conn())
        .await
        .unwrap();
}
