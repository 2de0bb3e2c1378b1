//! Every lifecycle policy statement, for the plan check: the plan's counts, each rule's batch
//! (the TTL's select and soft delete, the trim's users, victims, delete and cluster recount,
//! each tier move) on a data set where every rule has work.

use std::ops::ControlFlow;

use chrono::{DateTime, FixedOffset, TimeDelta, TimeZone, Utc};
use memdb_enhanced_entity::{memories, memory_clusters, memory_entries};
use memdb_enhanced_repository::audited::AuditTrail;
use memdb_enhanced_repository::policies::{LifecyclePolicies, PolicyConfig, Tier};
use sea_orm::{DatabaseConnection, EntityTrait, IntoActiveModel};
use serde_json::json;
use uuid::Uuid;

use super::recorder::Recorder;

fn ago(as_of: DateTime<Utc>, days: i64) -> DateTime<FixedOffset> {
    (as_of - TimeDelta::days(days)).fixed_offset()
}

async fn seed(db: &DatabaseConnection, as_of: DateTime<Utc>) {
    let rows = (0..12).map(|i| {
        let tier = Tier::ALL[i % 3];
        let at = ago(as_of, 40);
        memories::Model {
            id: Uuid::now_v7(),
            user_id: "planner".into(),
            thread_id: None,
            content: "c".into(),
            tier: tier.as_str().into(),
            importance: [0.1, 0.6, 0.9][i % 3],
            metadata: json!({"topic": "t", "category": "c"}),
            related_threads: json!([]),
            created_at: at,
            updated_at: at,
        }
        .into_active_model()
    });
    memories::Entity::insert_many(rows).exec(db).await.unwrap();
    let cluster = memory_clusters::Model {
        id: Uuid::now_v7(),
        user_id: "planner".into(),
        topic: "t".into(),
        category: "c".into(),
        summary: None,
        memory_count: 12,
        created_at: ago(as_of, 1),
        updated_at: ago(as_of, 1),
    };
    memory_clusters::Entity::insert(cluster.into_active_model())
        .exec(db)
        .await
        .unwrap();
    let entry = memory_entries::Model {
        id: Uuid::now_v7(),
        namespace: "user:planner".into(),
        key: "old".into(),
        value: json!(1),
        memory_type: "episodic".into(),
        version: 1,
        is_deleted: false,
        metadata: json!({}),
        created_by: "planner".into(),
        updated_by: "planner".into(),
        created_at: ago(as_of, 200),
        updated_at: ago(as_of, 200),
        expires_at: None,
    };
    memory_entries::Entity::insert(entry.into_active_model())
        .exec(db)
        .await
        .unwrap();
}

pub(super) async fn policies(db: &DatabaseConnection, rec: &Recorder) {
    let as_of = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
    seed(db, as_of).await;
    let config = PolicyConfig {
        max_memories_per_user: Some(5),
        ..PolicyConfig::default()
    };
    let policies =
        LifecyclePolicies::new(db.clone(), config, AuditTrail::new("planner").unwrap()).unwrap();
    rec.call("policies.plan");
    let plan = policies.plan(as_of).await.unwrap();
    assert!(plan.total() > 0);
    rec.call("policies.run");
    let run = policies
        .run(as_of, 2, |_| ControlFlow::Continue(()))
        .await
        .unwrap();
    assert_eq!(run.report, plan);
}
