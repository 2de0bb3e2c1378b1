//! The statement behind [`HealthMetricRepository::latest`](super::HealthMetricRepository::latest):
//! the latest sample of each metric of a component, without reading every sample.
//!
//! A recursive CTE walks the component's distinct metric names through
//! `ix_health_metrics_component_metric_at (component, metric, recorded_at, id)`, one index seek
//! per name (`MIN(metric) WHERE metric > previous`: a loose index scan, which neither backend
//! does by itself), numbering them; for the names of the requested page, one backward seek of
//! the same index finds each name's latest sample:
//!
//! ```sql
//! id IN (WITH RECURSIVE metrics(metric, n) AS (
//!          SELECT MIN(metric), 1 FROM health_metrics WHERE component = $c
//!          UNION ALL
//!          SELECT (SELECT MIN(h.metric) FROM health_metrics AS h
//!                  WHERE h.component = $c AND h.metric > metrics.metric), metrics.n + 1
//!          FROM metrics WHERE metrics.metric IS NOT NULL AND metrics.n < $offset + $limit)
//!        SELECT (SELECT l.id FROM health_metrics AS l
//!                WHERE l.component = $c AND l.metric = metrics.metric
//!                ORDER BY l.recorded_at DESC, l.id DESC LIMIT 1)
//!        FROM metrics WHERE metrics.metric IS NOT NULL AND metrics.n > $offset)
//! ```
//!
//! The page's rows come back in no particular order; the repository sorts them by metric name
//! (at most one page of rows).

use memdb_enhanced_entity::health_metrics::{Column, Entity};
use memdb_repository::Page;
use sea_orm::sea_query::{
    Alias, BinOper, CommonTableExpression, Expr, ExprTrait, Order, Query, SelectStatement,
    UnionType, WithClause,
};

/// `id IN (...)`: the ids of the latest sample of each metric of `component` on `page`.
pub(super) fn latest_ids(component: &str, page: Page) -> Expr {
    let metrics = Alias::new("metrics");
    let (metric, n) = (Alias::new("metric"), Alias::new("n"));
    let seen = |column: &Alias| Expr::col((metrics.clone(), column.clone()));
    let offset = i64::try_from(page.offset()).unwrap_or(i64::MAX);
    let last = offset.saturating_add(i64::try_from(page.limit()).unwrap_or(i64::MAX));

    let mut first = Query::select()
        .expr(Expr::col(Column::Metric).min())
        .expr(Expr::val(1_i64))
        .from(Entity)
        .and_where(Expr::col(Column::Component).eq(component))
        .to_owned();
    let h = Alias::new("h");
    let next_name = Query::select()
        .expr(Expr::col((h.clone(), Column::Metric)).min())
        .from_as(Entity, h.clone())
        .and_where(Expr::col((h.clone(), Column::Component)).eq(component))
        .and_where(Expr::col((h, Column::Metric)).gt(seen(&metric)))
        .to_owned();
    let step = Query::select()
        .expr(subquery(next_name))
        .expr(seen(&n).add(1_i64))
        .from(metrics.clone())
        .and_where(seen(&metric).is_not_null())
        .and_where(seen(&n).lt(last))
        .to_owned();
    let names = CommonTableExpression::new()
        .query(first.union(UnionType::All, step).to_owned())
        .columns([metric.clone(), n.clone()])
        .table_name(metrics.clone())
        .to_owned();

    let l = Alias::new("l");
    let latest_of_name = Query::select()
        .column((l.clone(), Column::Id))
        .from_as(Entity, l.clone())
        .and_where(Expr::col((l.clone(), Column::Component)).eq(component))
        .and_where(Expr::col((l.clone(), Column::Metric)).eq(seen(&metric)))
        .order_by((l.clone(), Column::RecordedAt), Order::Desc)
        .order_by((l, Column::Id), Order::Desc)
        .limit(1)
        .to_owned();
    let on_page = Query::select()
        .expr(subquery(latest_of_name))
        .from(metrics.clone())
        .and_where(seen(&metric).is_not_null())
        .and_where(seen(&n).gt(offset))
        .to_owned();
    let with = WithClause::new()
        .recursive(true)
        .cte(names)
        .to_owned()
        .query(on_page);
    Expr::col(Column::Id).binary(BinOper::In, Expr::SubQuery(None, Box::new(with.into())))
}

/// A scalar subquery.
fn subquery(select: SelectStatement) -> Expr {
    Expr::SubQuery(None, Box::new(select.into()))
}
