//! Every length limit of a stored text field of the enhanced schema, in characters, and the
//! bounds of stored numbers: the one place the enhanced repositories take them from. Columns
//! declared `VARCHAR(n)` in the enhanced migrations carry the same numbers;
//! `tests/tests/it/enhanced/limits.rs` reads the migrated schema and fails when a column and its
//! limit here drift apart.

pub use memdb_repository::limits::{LABEL, STATUS};

/// Who made an audited change (a user, a service, an agent).
pub const AUDIT_ACTOR: usize = 200;
/// The id of the audited row, as text (a UUID, or a composite key of an edge).
pub const AUDIT_ENTITY_ID: usize = 200;
/// The largest magnitude of a health metric value: finite values this small keep every sum
/// over a time window, and PostgreSQL's running sum of squares behind `AVG`, finite (the
/// migration's CHECK constraint holds the same bound).
pub const HEALTH_METRIC_MAGNITUDE: f64 = 1e100;

/// Every `VARCHAR(n)` column of the enhanced schema and the limit that bounds it:
/// `(table, column, limit)`. Audited entity kinds, components and metric names are labels.
pub const VARCHAR_COLUMNS: &[(&str, &str, usize)] = &[
    ("audit_log", "actor", AUDIT_ACTOR),
    ("audit_log", "action", STATUS),
    ("audit_log", "entity", LABEL),
    ("audit_log", "entity_id", AUDIT_ENTITY_ID),
    ("health_metrics", "component", LABEL),
    ("health_metrics", "metric", LABEL),
];
