//! `health_metrics`: samples of a component's metrics over time, with labels.

use memdb_migration::dialect::{add_json_checks, bytewise};
use sea_orm_migration::{prelude::*, schema::*};

use crate::adopt::{create_index, create_table, drop_tables};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum HealthMetrics {
    Table,
    Id,
    Component,
    Metric,
    Value,
    Labels,
    RecordedAt,
}

/// The largest magnitude a sample may have, frozen as of this migration. Finite values this
/// small keep every sum, and PostgreSQL's running sum of squares behind `AVG`, finite over any
/// number of rows; the range also keeps out NaN and the infinities (PostgreSQL orders NaN above
/// every number, so it fails the range too).
const MAX_MAGNITUDE: f64 = 1e100;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut table = Table::create()
            .table(HealthMetrics::Table)
            .col(pk_uuid(HealthMetrics::Id))
            // Metric names are listed in code-point order (the latest values of a component).
            .col(bytewise(backend, string_len(HealthMetrics::Component, 64)))
            .col(bytewise(backend, string_len(HealthMetrics::Metric, 64)))
            .col(double(HealthMetrics::Value))
            .col(json_binary(HealthMetrics::Labels))
            .col(timestamp_with_time_zone(HealthMetrics::RecordedAt))
            .check(Check::named(
                "ck_health_metrics_value",
                Expr::col(HealthMetrics::Value)
                    .gte(-MAX_MAGNITUDE)
                    .and(Expr::col(HealthMetrics::Value).lte(MAX_MAGNITUDE)),
            ))
            .to_owned();
        add_json_checks(backend, &mut table, "health_metrics", &["labels"]);
        create_table(manager, "health_metrics", table).await?;

        // The latest sample of each metric of a component (a walk over the component's metric
        // names, then one backward seek per metric) and a metric's samples in a time window;
        // samples in age order for pruning. Ids break ties.
        let indexes: [(&str, &[HealthMetrics]); 2] = [
            (
                "ix_health_metrics_component_metric_at",
                &[
                    HealthMetrics::Component,
                    HealthMetrics::Metric,
                    HealthMetrics::RecordedAt,
                    HealthMetrics::Id,
                ],
            ),
            (
                "ix_health_metrics_at",
                &[HealthMetrics::RecordedAt, HealthMetrics::Id],
            ),
        ];
        for (name, columns) in indexes {
            let mut index = Index::create()
                .name(name)
                .table(HealthMetrics::Table)
                .to_owned();
            for column in columns {
                index.col(*column);
            }
            create_index(manager, "health_metrics", index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["health_metrics"]).await
    }
}
