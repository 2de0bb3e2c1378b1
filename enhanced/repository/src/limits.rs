//! Every length limit of a stored text field of the enhanced repositories, in characters
//! (Unicode scalar values) unless said otherwise, and the bounds of stored numbers: the one
//! place they are taken from, as
//! `memdb_repository::limits` is for the legacy ones. Columns declared `VARCHAR(n)` in the
//! enhanced migrations carry the same numbers; the integration tests read the migrated schema
//! and fail when a column and its limit here drift apart.

pub use memdb_repository::limits::{LABEL, STATUS};

/// File paths (file hash history, the paths a git operation touched, tagged files, places of
/// violations), kept as given: a file system tells paths apart by their bytes.
pub const FILE_PATH: usize = 1024;
/// File paths in bytes of UTF-8, besides [`FILE_PATH`] characters: paths are indexed, and
/// PostgreSQL refuses B-tree entries above 2704 bytes (1024 four-byte characters would not fit).
pub const FILE_PATH_BYTES: usize = 2048;
/// A git object id as hex digits: 40 (SHA-1) or 64 (SHA-256 repositories).
pub const GIT_OBJECT_ID: usize = 64;
/// Git branch names.
pub const GIT_BRANCH: usize = 255;
/// Git authors (name and e-mail as git prints them).
pub const GIT_AUTHOR: usize = 200;
/// Git commit messages.
pub const GIT_MESSAGE: usize = 10_000;
/// How many paths one git operation may list as changed.
pub const GIT_FILES_CHANGED: usize = 10_000;

/// Who made an audited change (a user, a service, an agent).
pub const AUDIT_ACTOR: usize = 200;
/// The id of the audited row, as text (a UUID, or a composite key of an edge).
pub const AUDIT_ENTITY_ID: usize = 200;
/// The largest magnitude of a health metric value: finite values this small keep every sum
/// over a time window, and PostgreSQL's running sum of squares behind `AVG`, finite (the
/// migration's CHECK constraint holds the same bound).
pub const HEALTH_METRIC_MAGNITUDE: f64 = 1e100;

/// Graph node keys (a path, a name, an external id), unique within the node's kind.
pub const GRAPH_NODE_KEY: usize = 512;

/// Tag names and categories: labels of lowercase ASCII letters, digits, `_ - . :`.
pub const TAG_NAME: usize = LABEL;
/// Tag categories, labels like tag names.
pub const TAG_CATEGORY: usize = LABEL;
/// Tag colours: `#rrggbb`.
pub const TAG_COLOR: usize = 7;
/// Tag descriptions.
pub const TAG_DESCRIPTION: usize = 2000;
/// The most distinct tags one query for files with all or any of a set of tags may name: each
/// is one more index lookup per candidate file (all) or one more index range to merge (any).
pub const TAGS_PER_QUERY: usize = 32;
/// Names of the rules a violation breaks.
pub const VIOLATION_RULE: usize = 200;
/// Violation messages.
pub const VIOLATION_MESSAGE: usize = 10_000;

/// Memory entry namespaces: `:`-separated segments (see
/// [`memory`](crate::memory) for the character set). With [`MEMORY_KEY`] and the `/` between
/// them it fits an audit entry's [`AUDIT_ENTITY_ID`].
pub const MEMORY_NAMESPACE: usize = 100;
/// Memory entry keys.
pub const MEMORY_KEY: usize = 99;
/// The most entries one [`sweep_expired`](crate::memory::MemoryRepository::sweep_expired)
/// batch may remove.
pub const MEMORY_SWEEP_BATCH: u64 = 10_000;

/// Tiered memory user ids (and cluster user ids).
pub const TIERED_USER_ID: usize = 200;
/// Tiered memory thread ids, and each id of a memory's related threads.
pub const TIERED_THREAD_ID: usize = 200;
/// Tiered memory content.
pub const TIERED_CONTENT: usize = 100_000;
/// A tiered memory's metadata, as compact JSON text, in bytes.
pub const TIERED_METADATA_BYTES: usize = 64 * 1024;
/// How many related threads one tiered memory may name.
pub const TIERED_RELATED_THREADS: usize = 100;
/// A cluster's topic and category: the string values of a memory's metadata keys `topic` and
/// `category`.
pub const TIERED_CLUSTER_KEY: usize = 200;
/// A cluster's summary.
pub const TIERED_CLUSTER_SUMMARY: usize = 10_000;
/// The most memories or clusters one page may hold.
pub const TIERED_PAGE: u64 = 1000;

/// Agent names.
pub const AGENT_NAME: usize = 200;
/// What an agent specializes in.
pub const AGENT_SPECIALIZATION: usize = 200;
/// The model an agent runs on, as its provider names it.
pub const AGENT_MODEL: usize = 128;
/// The highest checkpoint iteration (the column is a 32-bit integer).
pub const CHECKPOINT_ITERATION: u32 = i32::MAX as u32;
/// Session app names.
pub const SESSION_APP_NAME: usize = 128;
/// Session user ids.
pub const SESSION_USER_ID: usize = 200;
/// Session project ids.
pub const SESSION_PROJECT_ID: usize = 200;
/// The name of a session state key after its scope prefix (`app:`, `user:` or none).
pub const SESSION_STATE_KEY: usize = 200;
/// Session event types.
pub const SESSION_EVENT_TYPE: usize = 64;
/// Who caused a session event.
pub const SESSION_EVENT_ACTOR: usize = 200;
/// The most events one append may add, and the most one page of events may hold.
pub const SESSION_EVENTS_PAGE: u64 = 1000;
/// The most sessions one listing page may hold.
pub const SESSION_LIST_PAGE: u64 = 1000;

/// Metadata filter keys: each segment of a key path and each key of a containment pattern, of
/// `[A-Za-z0-9_-]` (see [`filters`](crate::filters)).
pub const FILTER_KEY: usize = 64;
/// The most segments a metadata filter's key path may have.
pub const FILTER_PATH_SEGMENTS: usize = 8;
/// The deepest a metadata filter may nest: `and`/`or`/`not` and the objects and arrays of a
/// containment pattern, counted together (each is one more level of SQL). A filter built in
/// code deeper than this is refused, and dropped, without recursion.
pub const FILTER_DEPTH: usize = 16;
/// The most nodes a metadata filter may have in total: its filters, the values of its
/// containment patterns and of its `in` lists (each is a few more bound parameters).
pub const FILTER_NODES: usize = 256;
/// The longest string a metadata filter may compare with or look for.
pub const FILTER_STRING: usize = 1000;
/// The most values one `in` of a metadata filter may list.
pub const FILTER_IN_VALUES: usize = 100;
/// Titles of indexed documents.
pub const DOCUMENT_TITLE: usize = 500;
/// Names of embedding models.
pub const EMBEDDING_MODEL: usize = 200;
/// The largest embedding dimension (16 KiB a vector).
pub const EMBEDDING_DIMS: usize = 4096;
/// The most neighbours one nearest-neighbour search may return.
pub const NEAREST_K: usize = 1000;
/// The rows a nearest-neighbour search reads per batch unless told otherwise: at 768
/// dimensions about 1.5 MiB of vectors, two round trips per 1,000 documents.
pub const NEAREST_BATCH: u32 = 512;
/// The most rows a nearest-neighbour search may read per batch.
pub const NEAREST_BATCH_MAX: u32 = 4096;

/// Every `VARCHAR(n)` column of the enhanced schema and the limit that bounds it:
/// `(table, column, limit)`. Audited entity kinds, components and metric names are labels.
pub const VARCHAR_COLUMNS: &[(&str, &str, usize)] = &[
    ("file_hash_history", "path", FILE_PATH),
    (
        "file_hash_history",
        "sha256",
        memdb_repository::limits::SHA256_HEX,
    ),
    ("file_hash_history", "git_commit", GIT_OBJECT_ID),
    ("file_hash_current", "path", FILE_PATH),
    (
        "file_hash_current",
        "sha256",
        memdb_repository::limits::SHA256_HEX,
    ),
    ("file_hash_current", "git_commit", GIT_OBJECT_ID),
    ("git_operations", "commit_sha", GIT_OBJECT_ID),
    ("git_operations", "branch", GIT_BRANCH),
    ("git_operations", "author", GIT_AUTHOR),
    ("git_operations", "operation", STATUS),
    ("git_operation_files", "path", FILE_PATH),
    ("tag_definitions", "name", TAG_NAME),
    ("tag_definitions", "category", TAG_CATEGORY),
    ("tag_definitions", "color", TAG_COLOR),
    ("tag_definitions", "description", TAG_DESCRIPTION),
    ("file_tags", "path", FILE_PATH),
    ("file_tags", "tag", TAG_NAME),
    ("file_tags", "source", STATUS),
    ("violations", "rule", VIOLATION_RULE),
    ("violations", "severity", STATUS),
    ("violations", "path", FILE_PATH),
    ("violations", "status", STATUS),
    ("audit_log", "actor", AUDIT_ACTOR),
    ("audit_log", "action", STATUS),
    ("audit_log", "entity", LABEL),
    ("audit_log", "entity_id", AUDIT_ENTITY_ID),
    ("health_metrics", "component", LABEL),
    ("health_metrics", "metric", LABEL),
    ("graph_nodes", "kind", LABEL),
    ("graph_nodes", "key", GRAPH_NODE_KEY),
    ("graph_edges", "relation", LABEL),
    ("memory_entries", "namespace", MEMORY_NAMESPACE),
    ("memory_entries", "key", MEMORY_KEY),
    ("memory_entries", "memory_type", STATUS),
    ("memory_entries", "created_by", AUDIT_ACTOR),
    ("memory_entries", "updated_by", AUDIT_ACTOR),
    ("agents", "name", AGENT_NAME),
    ("agents", "specialization", AGENT_SPECIALIZATION),
    ("agents", "state", STATUS),
    ("agents", "model", AGENT_MODEL),
    ("sessions", "app_name", SESSION_APP_NAME),
    ("sessions", "user_id", SESSION_USER_ID),
    ("sessions", "project_id", SESSION_PROJECT_ID),
    ("sessions", "status", STATUS),
    ("session_events", "event_type", SESSION_EVENT_TYPE),
    ("session_events", "actor", SESSION_EVENT_ACTOR),
    ("app_state_entries", "app_name", SESSION_APP_NAME),
    ("app_state_entries", "key", SESSION_STATE_KEY),
    ("user_state_entries", "app_name", SESSION_APP_NAME),
    ("user_state_entries", "user_id", SESSION_USER_ID),
    ("user_state_entries", "key", SESSION_STATE_KEY),
    ("memories", "user_id", TIERED_USER_ID),
    ("memories", "thread_id", TIERED_THREAD_ID),
    ("memories", "tier", STATUS),
    ("memory_clusters", "user_id", TIERED_USER_ID),
    ("memory_clusters", "topic", TIERED_CLUSTER_KEY),
    ("memory_clusters", "category", TIERED_CLUSTER_KEY),
    ("document_index", "file_path", FILE_PATH),
    ("document_index", "title", DOCUMENT_TITLE),
    ("document_index", "document_type", LABEL),
    (
        "document_index",
        "content_hash",
        memdb_repository::limits::SHA256_HEX,
    ),
    ("document_index", "embedding_model", EMBEDDING_MODEL),
    ("document_index", "sync_status", STATUS),
];
