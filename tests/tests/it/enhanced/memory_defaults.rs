//! The default memory entries (`seed_memory_defaults`): written once with the values of the
//! original seed, never a second version on a rerun, a user's change or deletion left alone,
//! and one version each however many seeders run at once.

use memdb_enhanced_repository::Page;
use memdb_enhanced_repository::memory::defaults::{
    MEMORY_DEFAULTS, MemorySeedReport, SEED_ACTOR, seed_memory_defaults,
};
use memdb_enhanced_repository::memory::{MemoryRepository, MemoryType};
use memdb_tests::TestDb;
use serde_json::{Value, json};

use super::memory::{memory, put};

/// The entries of the original seed, written out here rather than taken from the crate.
fn expected() -> [(&'static str, &'static str, MemoryType, Value); 3] {
    [
        (
            "app:memdb:agent_instructions",
            "default_workflow",
            MemoryType::Procedural,
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
            }),
        ),
        (
            "app:memdb:defaults",
            "user_preference_template",
            MemoryType::Semantic,
            json!({
                "communication_style": "balanced",
                "technical_level": "intermediate",
                "response_length": "moderate",
                "code_comments": true
            }),
        ),
        (
            "app:memdb:config",
            "memory_lifecycle_policies",
            MemoryType::Procedural,
            json!({
                "episodic_ttl_days": 90,
                "consolidation_frequency": "weekly",
                "archival_after_days": 365
            }),
        ),
    ]
}

/// Which entries a report says were created, in order.
fn created(report: &MemorySeedReport) -> Vec<bool> {
    report.entries.iter().map(|e| e.created).collect()
}

/// How many versions `namespace`/`key` has.
async fn versions(repo: &dyn MemoryRepository, namespace: &str, key: &str) -> usize {
    repo.history(namespace, key, Page::new(100, 0).unwrap())
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn seeding_twice_writes_each_default_once_with_the_seed_values() {
    let db = TestDb::new().await;
    let repo = memory(&db, "reader");

    let first = seed_memory_defaults(db.pool()).await.unwrap();
    assert_eq!(created(&first), [true; 3]);
    let second = seed_memory_defaults(db.pool()).await.unwrap();
    assert_eq!(created(&second), [false; 3]);
    assert!(!second.created_any());

    let names: Vec<_> = first.entries.iter().map(|e| (e.namespace, e.key)).collect();
    let defaults: Vec<_> = MEMORY_DEFAULTS
        .iter()
        .map(|d| (d.namespace, d.key))
        .collect();
    assert_eq!(names, defaults);
    for (namespace, key, memory_type, value) in expected() {
        assert!(names.contains(&(namespace, key)), "{namespace}/{key}");
        let entry = repo.get(namespace, key).await.unwrap().unwrap();
        assert_eq!(entry.value, value, "{namespace}/{key}");
        assert_eq!(entry.memory_type, memory_type);
        assert_eq!((entry.version, entry.is_deleted), (1, false));
        assert_eq!(entry.created_by, SEED_ACTOR);
        assert_eq!(entry.created_by, "system");
        assert_eq!(versions(&repo, namespace, key).await, 1);
    }
    let listed = repo.list("app:memdb", None, 10).await.unwrap();
    assert_eq!(listed.entries.len(), 3);
}

#[tokio::test]
async fn a_users_change_or_deletion_survives_a_rerun_and_a_purge_is_seeded_again() {
    let db = TestDb::new().await;
    let repo = memory(&db, "alice");
    seed_memory_defaults(db.pool()).await.unwrap();
    let [
        (workflow_ns, workflow, ..),
        (template_ns, template, ..),
        (config_ns, config, ..),
    ] = expected();

    repo.put(put(workflow_ns, workflow, json!({"steps": []})))
        .await
        .unwrap();
    repo.delete(template_ns, template).await.unwrap();
    repo.purge(config_ns, config).await.unwrap();

    let rerun = seed_memory_defaults(db.pool()).await.unwrap();
    assert_eq!(created(&rerun), [false, false, true]);

    let changed = repo.get(workflow_ns, workflow).await.unwrap().unwrap();
    assert_eq!((changed.version, changed.value), (2, json!({"steps": []})));
    assert_eq!(repo.get(template_ns, template).await.unwrap(), None);
    assert_eq!(versions(&repo, template_ns, template).await, 2);
    let again = repo.get(config_ns, config).await.unwrap().unwrap();
    assert_eq!((again.version, again.created_by.as_str()), (1, "system"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_seeders_write_each_default_exactly_once() {
    const SEEDERS: usize = 8;
    let db = TestDb::new().await;
    let tasks: Vec<_> = (0..SEEDERS)
        .map(|_| tokio::spawn(seed_memory_defaults(db.pool())))
        .collect();
    let mut reports = Vec::new();
    for task in tasks {
        reports.push(task.await.unwrap().expect("every seeder succeeds"));
    }
    for (i, (namespace, key, ..)) in expected().into_iter().enumerate() {
        let writers = reports.iter().filter(|r| r.entries[i].created).count();
        assert_eq!(writers, 1, "{namespace}/{key} written by one seeder");
    }
    let repo = memory(&db, "reader");
    for (namespace, key, _, value) in expected() {
        assert_eq!(
            versions(&repo, namespace, key).await,
            1,
            "{namespace}/{key}"
        );
        let entry = repo.get(namespace, key).await.unwrap().unwrap();
        assert_eq!((entry.version, entry.value), (1, value));
    }
}
