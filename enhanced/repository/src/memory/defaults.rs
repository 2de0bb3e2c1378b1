//! The memory entries a fresh enhanced database starts with: the application's default
//! workflow, the template of user preferences and the memory lifecycle policies, under
//! `app:memdb:*` (see [`MEMORY_DEFAULTS`]).
//!
//! [`seed_memory_defaults`] writes each entry only when the entry has no version at all, with a
//! compare-and-set put on version 0, so:
//! - running it again never adds a second version, and leaves entries a user changed as they
//!   are;
//! - an entry a user soft-deleted stays deleted (its versions are still there); one that was
//!   purged, or removed by the sweeper after it expired, has no version left and is written
//!   again;
//! - seeders running at once (several `memdb init`) each try the same put on version 0: one
//!   writes version 1, the others' puts fail with a `StaleVersion` conflict, which means the
//!   entry is present, so none fails and none writes a duplicate.

use memdb_repository::{ConflictKind, Executor, RepoError, RepoResult};
use serde_json::{Value, json};

use super::{MemoryRepository, MemoryType, PutMemory, SeaOrmMemoryRepository};
use crate::audited::AuditTrail;

/// The actor the defaults are written (and audited) as: their `created_by`.
pub const SEED_ACTOR: &str = "system";

/// Namespace of the default agent workflow.
pub const AGENT_INSTRUCTIONS_NAMESPACE: &str = "app:memdb:agent_instructions";
/// Key of the default agent workflow.
pub const DEFAULT_WORKFLOW_KEY: &str = "default_workflow";
/// Namespace of the defaults for users.
pub const DEFAULTS_NAMESPACE: &str = "app:memdb:defaults";
/// Key of the template of user preferences.
pub const USER_PREFERENCE_TEMPLATE_KEY: &str = "user_preference_template";
/// Namespace of memdb's configuration entries.
pub const CONFIG_NAMESPACE: &str = "app:memdb:config";
/// Key of the memory lifecycle policies.
pub const MEMORY_LIFECYCLE_POLICIES_KEY: &str = "memory_lifecycle_policies";

/// One memory entry a fresh database starts with.
#[derive(Clone, Copy, Debug)]
pub struct MemoryDefault {
    /// Its namespace.
    pub namespace: &'static str,
    /// Its key.
    pub key: &'static str,
    /// What kind of memory it is.
    pub memory_type: MemoryType,
    /// Builds its value (JSON values cannot be constants).
    pub value: fn() -> Value,
}

/// The default memory entries, in the order they are written.
pub const MEMORY_DEFAULTS: [MemoryDefault; 3] = [
    MemoryDefault {
        namespace: AGENT_INSTRUCTIONS_NAMESPACE,
        key: DEFAULT_WORKFLOW_KEY,
        memory_type: MemoryType::Procedural,
        value: default_workflow,
    },
    MemoryDefault {
        namespace: DEFAULTS_NAMESPACE,
        key: USER_PREFERENCE_TEMPLATE_KEY,
        memory_type: MemoryType::Semantic,
        value: user_preference_template,
    },
    MemoryDefault {
        namespace: CONFIG_NAMESPACE,
        key: MEMORY_LIFECYCLE_POLICIES_KEY,
        memory_type: MemoryType::Procedural,
        value: memory_lifecycle_policies,
    },
];

fn default_workflow() -> Value {
    json!({
        "steps": [
            "Read and analyze task requirements",
            "Retrieve relevant context from memory",
            "Execute task with best practices",
            "Update session state and memory",
            "Log audit trail"
        ],
        "error_handling": "Always provide detailed error messages",
        "logging": "Comprehensive audit logging enabled"
    })
}

fn user_preference_template() -> Value {
    json!({
        "communication_style": "balanced",
        "technical_level": "intermediate",
        "response_length": "moderate",
        "code_comments": true
    })
}

fn memory_lifecycle_policies() -> Value {
    json!({
        "episodic_ttl_days": 90,
        "consolidation_frequency": "weekly",
        "archival_after_days": 365
    })
}

/// What [`seed_memory_defaults`] did with one default entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryDefaultOutcome {
    /// The entry's namespace.
    pub namespace: &'static str,
    /// The entry's key.
    pub key: &'static str,
    /// Whether this call wrote it (false: it had a version already).
    pub created: bool,
}

/// What [`seed_memory_defaults`] did, one outcome per entry of [`MEMORY_DEFAULTS`] in its
/// order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemorySeedReport {
    /// The outcome of each default entry.
    pub entries: Vec<MemoryDefaultOutcome>,
}

impl MemorySeedReport {
    /// Whether this call wrote any entry.
    #[must_use]
    pub fn created_any(&self) -> bool {
        self.entries.iter().any(|e| e.created)
    }
}

/// Writes each entry of [`MEMORY_DEFAULTS`] that has no version yet, as [`SEED_ACTOR`], on `db`
/// (the pool or a unit of work); see the [module docs](self).
///
/// # Errors
/// `Db` when a query fails (for example because the enhanced schema has not been migrated).
pub async fn seed_memory_defaults<C: Executor>(db: C) -> RepoResult<MemorySeedReport> {
    let memory = SeaOrmMemoryRepository::new(db, AuditTrail::new(SEED_ACTOR)?);
    seed_memory_defaults_with(&memory).await
}

/// Writes each entry of [`MEMORY_DEFAULTS`] that has no version yet through `memory`, as its
/// actor; see the [module docs](self).
///
/// # Errors
/// What `memory`'s reads and puts return, but the `StaleVersion` conflict of an entry that
/// has a version already.
pub async fn seed_memory_defaults_with(
    memory: &dyn MemoryRepository,
) -> RepoResult<MemorySeedReport> {
    let mut entries = Vec::with_capacity(MEMORY_DEFAULTS.len());
    for default in MEMORY_DEFAULTS {
        let created = seed_one(memory, default).await?;
        entries.push(MemoryDefaultOutcome {
            namespace: default.namespace,
            key: default.key,
            created,
        });
    }
    Ok(MemorySeedReport { entries })
}

/// Writes `default` when it has no version; true when written.
async fn seed_one(memory: &dyn MemoryRepository, default: MemoryDefault) -> RepoResult<bool> {
    // Versions are only ever removed all together: an entry has version 1 exactly when it
    // has any version. Reading first keeps a rerun on a seeded database to reads.
    if memory
        .get_version(default.namespace, default.key, 1)
        .await?
        .is_some()
    {
        return Ok(false);
    }
    let put = PutMemory {
        expected_version: Some(0),
        ..PutMemory::new(
            default.namespace,
            default.key,
            default.memory_type,
            (default.value)(),
        )
    };
    match memory.put(put).await {
        Ok(_) => Ok(true),
        // A version exists: written by a concurrent seeder, or an expired entry the read did
        // not see.
        Err(RepoError::Conflict {
            kind: ConflictKind::StaleVersion,
            ..
        }) => Ok(false),
        Err(err) => Err(err),
    }
}
