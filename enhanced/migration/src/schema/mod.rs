//! The enhanced track's migrations, oldest first, and the tables they create.

use sea_orm_migration::MigrationTrait;

mod m20261123_000001_create_audit_log;
mod m20261123_000007_create_health_metrics;

/// Every table the track creates, parents first.
pub(crate) const TABLES: &[&str] = &["audit_log", "health_metrics"];

pub(crate) fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261123_000001_create_audit_log::Migration),
        Box::new(m20261123_000007_create_health_metrics::Migration),
    ]
}
