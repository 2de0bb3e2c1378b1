//! Typed ids of the enhanced repositories' rows, declared like memdb-repository's own.

memdb_repository::id_type!(
    /// Id of a file hash observation (a row of a path's hash history).
    FileHashId
);
memdb_repository::id_type!(
    /// Id of a recorded git operation.
    GitOperationId
);
memdb_repository::id_type!(
    /// Id of a rule violation.
    ViolationId
);
memdb_repository::id_type!(
    /// Id of an audit log entry.
    AuditEntryId
);
memdb_repository::id_type!(
    /// Id of a health metric sample.
    HealthMetricId
);
memdb_repository::id_type!(
    /// Id of a graph node.
    GraphNodeId
);
memdb_repository::id_type!(
    /// Id of a graph edge.
    GraphEdgeId
);
memdb_repository::id_type!(
    /// Id of one version of a memory entry.
    MemoryEntryId
);
memdb_repository::id_type!(
    /// Id of an agent.
    AgentId
);
memdb_repository::id_type!(
    /// Id of a checkpoint.
    CheckpointId
);
memdb_repository::id_type!(
    /// Id of an agent session (UUIDv7: ids sort by creation time).
    SessionId
);
memdb_repository::id_type!(
    /// Id of a tiered memory.
    TieredMemoryId
);
memdb_repository::id_type!(
    /// Id of a memory cluster.
    MemoryClusterId
);
memdb_repository::id_type!(
    /// Id of a row of the document index (UUIDv7: ids sort by creation time).
    DocumentIndexId
);
