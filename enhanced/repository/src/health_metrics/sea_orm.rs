//! [`HealthMetricRepository`] on SeaORM.

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use memdb_enhanced_entity::health_metrics;
use memdb_repository::query::{fetch_all, stored_u64};
use memdb_repository::{Executor, Page, RepoError, RepoResult, validate};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QuerySelect,
};

use super::latest::latest_ids;
use super::{HealthMetric, HealthMetricRepository, MetricStats, NewHealthMetric};
use crate::ids::HealthMetricId;
use crate::limits;
use crate::window::TimeWindow;

/// How many rows one insert of [`HealthMetricRepository::record_many`] writes at most: 6 bound
/// values a row, 6 000 a statement, far below SQLite's 32 766 and PostgreSQL's 65 535.
pub const ROWS_PER_INSERT: usize = 1000;

/// How many samples one batch of [`HealthMetricRepository::prune_older_than`] deletes at most.
pub const PRUNE_BATCH: u64 = 1000;

memdb_repository::sea_orm_repository! {
    /// [`HealthMetricRepository`] on SeaORM.
    SeaOrmHealthMetricRepository
}

impl From<health_metrics::Model> for HealthMetric {
    fn from(m: health_metrics::Model) -> Self {
        Self {
            id: m.id.into(),
            component: m.component,
            metric: m.metric,
            value: m.value,
            labels: m.labels,
            recorded_at: m.recorded_at.with_timezone(&Utc),
        }
    }
}

/// A finite value within the stored range, with one form of zero.
fn value(value: f64) -> RepoResult<f64> {
    if value.is_finite() && value.abs() <= limits::HEALTH_METRIC_MAGNITUDE {
        // -0.0 + 0.0 is +0.0: SQLite keeps the sign, PostgreSQL drops it.
        Ok(value + 0.0)
    } else {
        Err(RepoError::invalid(
            "value",
            format!(
                "must be a finite number of magnitude at most {:e}, got {value}",
                limits::HEALTH_METRIC_MAGNITUDE
            ),
        ))
    }
}

/// `sample`, checked, as the row to insert.
fn row(sample: NewHealthMetric) -> RepoResult<health_metrics::ActiveModel> {
    // JSON first: a rejected value is taken apart without recursion (see validate).
    let labels = validate::json_object("labels", sample.labels)?;
    Ok(health_metrics::ActiveModel {
        id: Set(HealthMetricId::new().into()),
        component: Set(validate::label("component", &sample.component)?),
        metric: Set(validate::label("metric", &sample.metric)?),
        value: Set(value(sample.value)?),
        labels: Set(labels),
        recorded_at: Set(sample.recorded_at.trunc_subsecs(6).fixed_offset()),
    })
}

/// Every sample checked before any is written; a bad one is named by its position.
fn rows(samples: Vec<NewHealthMetric>) -> RepoResult<Vec<health_metrics::ActiveModel>> {
    // Each sample is checked (its labels taken apart flat when rejected) before the next one
    // is looked at, so a rejected list drops only checked values.
    let mut checked = Vec::with_capacity(samples.len());
    let mut samples = samples.into_iter().enumerate();
    for (i, sample) in samples.by_ref() {
        match row(sample) {
            Ok(model) => checked.push(model),
            Err(err) => {
                samples.for_each(|(_, rest)| drop(validate::json_value("labels", rest.labels)));
                return Err(match err {
                    RepoError::Validation { field, reason } => {
                        RepoError::invalid(field, format!("sample {i}: {reason}"))
                    }
                    other => other,
                });
            }
        }
    }
    Ok(checked)
}

#[async_trait]
impl<C: Executor> HealthMetricRepository for SeaOrmHealthMetricRepository<C> {
    async fn record(&self, sample: NewHealthMetric) -> RepoResult<HealthMetric> {
        Ok(row(sample)?.insert(&self.db).await?.into())
    }

    async fn record_many(&self, samples: Vec<NewHealthMetric>) -> RepoResult<u64> {
        let rows = rows(samples)?;
        if rows.is_empty() {
            return Ok(0);
        }
        let txn = self.db.begin_write().await?;
        let mut stored = 0;
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            stored += health_metrics::Entity::insert_many(chunk.iter().cloned())
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(stored)
    }

    async fn latest(&self, component: &str, page: Page) -> RepoResult<Vec<HealthMetric>> {
        let component = validate::label("component", component)?;
        let select = health_metrics::Entity::find().filter(latest_ids(&component, page));
        let mut latest: Vec<HealthMetric> = fetch_all(select, &self.db).await?;
        latest.sort_unstable_by(|a, b| a.metric.cmp(&b.metric));
        Ok(latest)
    }

    async fn stats(
        &self,
        component: &str,
        metric: &str,
        window: TimeWindow,
    ) -> RepoResult<Option<MetricStats>> {
        use health_metrics::Column;

        let component = validate::label("component", component)?;
        let metric = validate::label("metric", metric)?;
        let (from, to) = window.bounds();
        let summary: Option<(i64, Option<f64>, Option<f64>, Option<f64>)> =
            health_metrics::Entity::find()
                .select_only()
                .expr(Expr::col(Column::Id).count())
                .expr(Expr::col(Column::Value).min())
                .expr(Expr::col(Column::Value).max())
                .expr(Expr::col(Column::Value).avg())
                .filter(Column::Component.eq(component))
                .filter(Column::Metric.eq(metric))
                .filter(Column::RecordedAt.gte(from))
                .filter(Column::RecordedAt.lt(to))
                .into_tuple()
                .one(&self.db)
                .await?;
        let Some((count, Some(min), Some(max), Some(mean))) = summary else {
            return Ok(None);
        };
        Ok(Some(MetricStats {
            count: stored_u64("health metric count", count)?,
            min,
            max,
            mean,
        }))
    }

    async fn prune_older_than(&self, cutoff: DateTime<Utc>) -> RepoResult<u64> {
        use health_metrics::Column;

        let cutoff = cutoff.trunc_subsecs(6).fixed_offset();
        let mut pruned = 0;
        loop {
            let oldest = Query::select()
                .column(Column::Id)
                .from(health_metrics::Entity)
                .and_where(Expr::col(Column::RecordedAt).lt(cutoff))
                .order_by(Column::RecordedAt, sea_orm::Order::Asc)
                .order_by(Column::Id, sea_orm::Order::Asc)
                .limit(PRUNE_BATCH)
                .to_owned();
            let txn = self.db.begin_write().await?;
            let batch = health_metrics::Entity::delete_many()
                .filter(Column::Id.in_subquery(oldest))
                .exec(&txn)
                .await?
                .rows_affected;
            txn.commit().await?;
            pruned += batch;
            if batch < PRUNE_BATCH {
                return Ok(pruned);
            }
        }
    }
}
