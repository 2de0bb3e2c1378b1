//! The enhanced track's migrations, oldest first, and the tables they create.

use sea_orm_migration::MigrationTrait;

mod m20261123_000001_create_audit_log;
mod m20261123_000006_create_graph;

/// Every table the track creates, parents first.
pub(crate) const TABLES: &[&str] = &["audit_log", "graph_nodes", "graph_edges"];

pub(crate) fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261123_000001_create_audit_log::Migration),
        Box::new(m20261123_000006_create_graph::Migration),
    ]
}
