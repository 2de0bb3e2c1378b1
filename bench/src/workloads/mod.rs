//! The workloads, one file per group. Each returns report rows: memdb's side first, then its
//! raw twins.

pub(crate) mod audited;
pub(crate) mod bulk;
pub(crate) mod copy;
pub(crate) mod document_index;
pub(crate) mod enhanced_reads;
pub(crate) mod graph;
pub(crate) mod listing;
pub(crate) mod memory;
pub(crate) mod memory_bulk;
pub(crate) mod mixed_writers;
pub(crate) mod policies;
pub(crate) mod queue;
pub(crate) mod reads;
pub(crate) mod sessions;
pub(crate) mod sessions_concurrent;
pub(crate) mod tiered;
pub(crate) mod twins;

use std::sync::Arc;

use memdb_enhanced_repository::EnhancedRepositories;

use crate::args::Scale;
use crate::dataset::Dataset;
use crate::raw::RawPool;

// The columns of each table in entity order: what SeaORM selects and returns.
pub(crate) const DOCUMENT_COLUMNS: &str = "id, organization_id, path, title, doc_type, content, \
     content_hash, size_bytes, metadata, created_at, updated_at";
pub(crate) const PERSONA_COLUMNS: &str =
    "id, name, description, system_prompt, traits, is_active, version, created_at, updated_at";
pub(crate) const TASK_COLUMNS: &str = "id, prompt, agent_type, priority, status, input_data, result_data, \
     error_message, retry_count, max_retries, max_execution_timeout_seconds, submitted_at, \
     started_at, completed_at, last_updated_at, lease_expires_at, created_by, parent_task_id";
pub(crate) const KNOWLEDGE_COLUMNS: &str = "id, content, source, knowledge_type, confidence_score, \
     retention_score, access_count, last_accessed, metadata, created_at, updated_at";
pub(crate) const GRAPH_NODE_COLUMNS: &str = "id, kind, key, properties, created_at, updated_at";
pub(crate) const MEMORY_COLUMNS: &str = "id, namespace, key, value, memory_type, version, \
     is_deleted, metadata, created_by, updated_by, created_at, updated_at, expires_at";

/// What every workload gets: both sides' connections, the data set and the run's sizes.
#[derive(Clone)]
pub(crate) struct Bench {
    pub(crate) repos: Arc<EnhancedRepositories>,
    pub(crate) raw: RawPool,
    pub(crate) data: Arc<Dataset>,
    pub(crate) scale: Scale,
}

impl Bench {
    /// The row index call `i` reads: a fixed pseudo-random spread over `len` rows.
    pub(crate) fn pick(i: u64, len: usize) -> usize {
        (crate::rng::SplitMix64::new(i).next_u64() % len as u64) as usize
    }
}
