//! The lifecycle configuration: read from the seeded entry (unknown keys ignored, missing keys
//! defaulted, `null` turning a rule off), and bad configurations, batch sizes and as-of times
//! refused with a `Validation` error before anything changes.

use std::ops::ControlFlow;

use chrono::{TimeZone, Utc};
use memdb_enhanced_repository::RepoError;
use memdb_enhanced_repository::audited::AuditTrail;
use memdb_enhanced_repository::memory::defaults::{
    CONFIG_NAMESPACE, MEMORY_LIFECYCLE_POLICIES_KEY, seed_memory_defaults,
};
use memdb_enhanced_repository::memory::{MemoryRepository, MemoryType, PutMemory};
use memdb_enhanced_repository::policies::{LifecyclePolicies, PolicyConfig, Tier};
use memdb_tests::TestDb;
use memdb_tests::content::table_checksums;
use serde_json::json;

use super::memory::memory;
use super::policy_fixtures::{Mem, as_of, insert_memories, policies};
use super::support::invalid_field;

async fn store_config(db: &TestDb, value: serde_json::Value) {
    let put = PutMemory::new(
        CONFIG_NAMESPACE,
        MEMORY_LIFECYCLE_POLICIES_KEY,
        MemoryType::Procedural,
        value,
    );
    memory(db, "tester").put(put).await.unwrap();
}

#[tokio::test]
async fn the_seeded_entry_gives_the_ttl_and_defaults_the_rest() {
    let db = TestDb::new().await;
    let repo = memory(&db, "tester");
    assert_eq!(
        PolicyConfig::load(&repo).await.unwrap(),
        PolicyConfig::default()
    );
    seed_memory_defaults(db.pool()).await.unwrap();
    let config = PolicyConfig::load(&repo).await.unwrap();
    assert_eq!(config, PolicyConfig::default());
    assert_eq!(config.episodic_ttl_days, Some(90));

    store_config(
        &db,
        json!({"episodic_ttl_days": 30, "max_memories_per_user": null, "archival_after_days": 1}),
    )
    .await;
    let config = PolicyConfig::load(&repo).await.unwrap();
    assert_eq!(
        config,
        PolicyConfig {
            episodic_ttl_days: Some(30),
            max_memories_per_user: None,
            ..PolicyConfig::default()
        }
    );
}

#[tokio::test]
async fn bad_configurations_are_validation_errors() {
    let db = TestDb::new().await;
    let repo = memory(&db, "tester");
    for value in [
        json!({"episodic_ttl_days": "90"}),
        json!({"episodic_ttl_days": -1}),
        json!({"promote_to_mid_term_importance": "high"}),
        json!([1, 2]),
    ] {
        store_config(&db, value.clone()).await;
        let err = PolicyConfig::load(&repo).await.unwrap_err();
        assert!(
            matches!(
                &err,
                RepoError::Validation {
                    field: "memory_lifecycle_policies",
                    ..
                }
            ),
            "{value}: {err:?}"
        );
    }
    for (value, field) in [
        (json!({"episodic_ttl_days": 0}), "episodic_ttl_days"),
        (json!({"demote_after_days": 100_000}), "demote_after_days"),
        (
            json!({"demote_below_importance": 0.6}),
            "demote_below_importance",
        ),
        (
            json!({"promote_to_mid_term_importance": 0.9, "promote_to_long_term_importance": 0.8}),
            "promote_to_mid_term_importance",
        ),
        (
            json!({"promote_to_long_term_importance": 1.5}),
            "promote_to_long_term_importance",
        ),
        (json!({"max_memories_per_user": 0}), "max_memories_per_user"),
    ] {
        store_config(&db, value.clone()).await;
        assert_eq!(
            invalid_field(PolicyConfig::load(&repo).await),
            field,
            "{value}"
        );
        let config = PolicyConfig::from_json(value).unwrap();
        let made = LifecyclePolicies::new(db.pool(), config, AuditTrail::new("p").unwrap());
        assert_eq!(invalid_field(made), field);
    }
}

#[tokio::test]
async fn a_refused_run_changes_nothing() {
    let db = TestDb::new().await;
    let mems: Vec<Mem> = (0..5)
        .map(|i| Mem::new("dave", Tier::ShortTerm, 0.9, 10 + i))
        .collect();
    insert_memories(db.conn(), &mems).await;
    let policies = policies(
        db.conn(),
        PolicyConfig {
            max_memories_per_user: Some(2),
            ..PolicyConfig::default()
        },
    );
    let before = table_checksums(db.conn()).await.unwrap();
    let go_on = |_: &_| ControlFlow::Continue(());
    for size in [0, 10_001] {
        assert_eq!(
            invalid_field(policies.run(as_of(), size, go_on).await),
            "batch_size"
        );
    }
    let ancient = Utc.with_ymd_and_hms(1900, 1, 1, 0, 0, 0).unwrap();
    assert_eq!(
        invalid_field(policies.run(ancient, 10, go_on).await),
        "as_of"
    );
    assert_eq!(invalid_field(policies.plan(ancient).await), "as_of");
    assert_eq!(table_checksums(db.conn()).await.unwrap(), before);
}
