//! Tests of the enhanced repositories, on databases with both migration tracks applied.

mod audit;
mod audited;
mod audited_races;
mod audited_rollback;
mod health_metrics;
mod health_metrics_input;
mod limits;
mod support;
