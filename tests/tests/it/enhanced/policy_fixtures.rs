//! What the lifecycle policy tests share: rows written straight through the entities (with the
//! ages the tests need), the tables read back, and configurations with chosen rules on.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, TimeDelta, TimeZone, Utc};
use memdb_enhanced_entity::{memories, memory_clusters, memory_entries};
use memdb_enhanced_repository::audited::AuditTrail;
use memdb_enhanced_repository::memory::MemoryType;
use memdb_enhanced_repository::policies::{LifecyclePolicies, PolicyConfig, Tier};
use sea_orm::{DatabaseConnection, EntityTrait, IntoActiveModel};
use serde_json::{Value, json};
use uuid::Uuid;

/// The as-of of every policy test.
pub(super) fn as_of() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

/// `days` days and `seconds` seconds before [`as_of`].
pub(super) fn ago(days: i64, seconds: i64) -> DateTime<FixedOffset> {
    (as_of() - TimeDelta::days(days) - TimeDelta::seconds(seconds)).fixed_offset()
}

/// Every rule off.
pub(super) fn off() -> PolicyConfig {
    PolicyConfig {
        episodic_ttl_days: None,
        promote_after_days: None,
        demote_after_days: None,
        max_memories_per_user: None,
        ..PolicyConfig::default()
    }
}

/// The policies of `config` on `db`'s pool, as actor `policies`.
pub(super) fn policies(db: &DatabaseConnection, config: PolicyConfig) -> LifecyclePolicies {
    LifecyclePolicies::new(db.clone(), config, AuditTrail::new("policies").unwrap()).unwrap()
}

/// A tiered memory as the tests write and read it.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Mem {
    pub(super) id: Uuid,
    pub(super) user: String,
    pub(super) tier: Tier,
    pub(super) importance: f64,
    pub(super) updated_at: DateTime<FixedOffset>,
    pub(super) metadata: Value,
}

impl Mem {
    pub(super) fn new(user: &str, tier: Tier, importance: f64, age_days: i64) -> Self {
        Self {
            id: Uuid::now_v7(),
            user: user.into(),
            tier,
            importance,
            updated_at: ago(age_days, 0),
            metadata: json!({}),
        }
    }

    pub(super) fn in_cluster(mut self, topic: &str, category: &str) -> Self {
        self.metadata = json!({"topic": topic, "category": category});
        self
    }
}

/// Writes `mems` (created when they were last updated).
pub(super) async fn insert_memories(db: &DatabaseConnection, mems: &[Mem]) {
    for chunk in mems.chunks(500) {
        let rows = chunk.iter().map(|m| {
            memories::Model {
                id: m.id,
                user_id: m.user.clone(),
                thread_id: None,
                content: format!("memory {}", m.id),
                tier: m.tier.as_str().into(),
                importance: m.importance,
                metadata: m.metadata.clone(),
                related_threads: json!([]),
                created_at: m.updated_at,
                updated_at: m.updated_at,
            }
            .into_active_model()
        });
        memories::Entity::insert_many(rows).exec(db).await.unwrap();
    }
}

/// Every memory's (user, tier), by id.
pub(super) async fn tiers(db: &DatabaseConnection) -> BTreeMap<Uuid, (String, Tier)> {
    memories::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.id, (m.user_id, m.tier.parse().unwrap())))
        .collect()
}

/// Writes version 1 of a memory entry, last written at `updated_at`.
pub(super) async fn insert_entry(
    db: &DatabaseConnection,
    (namespace, key): (&str, &str),
    memory_type: MemoryType,
    updated_at: DateTime<FixedOffset>,
    expires_at: Option<DateTime<FixedOffset>>,
) {
    let row = memory_entries::Model {
        id: Uuid::now_v7(),
        namespace: namespace.into(),
        key: key.into(),
        value: json!({"k": key}),
        memory_type: memory_type.as_str().into(),
        version: 1,
        is_deleted: false,
        metadata: json!({}),
        created_by: "test".into(),
        updated_by: "test".into(),
        created_at: updated_at,
        updated_at,
        expires_at,
    };
    memory_entries::Entity::insert(row.into_active_model())
        .exec(db)
        .await
        .unwrap();
}

/// Writes the cluster `(user, topic, category)` with `count`.
pub(super) async fn insert_cluster(
    db: &DatabaseConnection,
    user: &str,
    topic: &str,
    category: &str,
    count: i64,
) {
    let row = memory_clusters::Model {
        id: Uuid::now_v7(),
        user_id: user.into(),
        topic: topic.into(),
        category: category.into(),
        summary: None,
        memory_count: count,
        created_at: ago(0, 0),
        updated_at: ago(0, 0),
    };
    memory_clusters::Entity::insert(row.into_active_model())
        .exec(db)
        .await
        .unwrap();
}

/// Every cluster's count, by (user, topic, category).
pub(super) async fn cluster_counts(
    db: &DatabaseConnection,
) -> BTreeMap<(String, String, String), i64> {
    memory_clusters::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| ((c.user_id, c.topic, c.category), c.memory_count))
        .collect()
}

/// The clusters `mems` make, with how many memories each holds.
pub(super) fn expected_clusters(mems: &[&Mem]) -> BTreeMap<(String, String, String), i64> {
    let mut counts = BTreeMap::new();
    for m in mems {
        let topic = m.metadata.get("topic").and_then(Value::as_str);
        let category = m.metadata.get("category").and_then(Value::as_str);
        if let (Some(topic), Some(category)) = (topic, category) {
            *counts
                .entry((m.user.clone(), topic.to_owned(), category.to_owned()))
                .or_default() += 1;
        }
    }
    counts
}
