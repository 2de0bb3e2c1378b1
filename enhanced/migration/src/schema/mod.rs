//! The enhanced track's migrations, oldest first, and the tables they create.

use sea_orm_migration::MigrationTrait;

mod m20261123_000001_create_audit_log;
mod m20261123_000002_create_file_hash_history;
mod m20261123_000003_create_git_operations;
mod m20261123_000004_create_tags;
mod m20261123_000005_create_violations;
mod m20261123_000006_create_graph;
mod m20261123_000007_create_health_metrics;
mod m20261123_000008_create_memory_entries;
mod m20261123_000009_create_sessions;
mod m20261123_000010_create_agents_and_checkpoints;
mod m20261123_000011_create_tiered_memories;
mod m20261123_000012_create_document_index;

/// Every table the track creates, parents first.
pub(crate) const TABLES: &[&str] = &[
    "audit_log",
    "file_hash_history",
    "file_hash_current",
    "git_operations",
    "git_operation_files",
    "tag_definitions",
    "file_tags",
    "violations",
    "health_metrics",
    "graph_nodes",
    "graph_edges",
    "memory_entries",
    "sessions",
    "session_events",
    "app_state_entries",
    "user_state_entries",
    "session_tasks",
    "agents",
    "checkpoints",
    "memories",
    "memory_clusters",
    "document_index",
];

pub(crate) fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261123_000001_create_audit_log::Migration),
        Box::new(m20261123_000002_create_file_hash_history::Migration),
        Box::new(m20261123_000003_create_git_operations::Migration),
        Box::new(m20261123_000004_create_tags::Migration),
        Box::new(m20261123_000005_create_violations::Migration),
        Box::new(m20261123_000006_create_graph::Migration),
        Box::new(m20261123_000007_create_health_metrics::Migration),
        Box::new(m20261123_000008_create_memory_entries::Migration),
        Box::new(m20261123_000009_create_sessions::Migration),
        Box::new(m20261123_000010_create_agents_and_checkpoints::Migration),
        Box::new(m20261123_000011_create_tiered_memories::Migration),
        Box::new(m20261123_000012_create_document_index::Migration),
    ]
}
