//! Typed ids of the enhanced rows, UUIDv7 made in Rust like every memdb id.

memdb_repository::id_type!(
    /// Id of an audit log entry.
    AuditEntryId
);
memdb_repository::id_type!(
    /// Id of a health metric sample.
    HealthMetricId
);
