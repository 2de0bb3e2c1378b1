//! Rows for the tiered memory tables (a memory and its cluster), written through the generated
//! entities.

use memdb_enhanced_entity::{memories, memory_clusters};
use memdb_repository::now;
use sea_orm::{ActiveModelTrait, DatabaseConnection, IntoActiveModel};
use serde_json::json;
use uuid::Uuid;

/// Writes one row into `memories` and `memory_clusters`.
pub(super) async fn fill_memories(db: &DatabaseConnection) {
    let at = now();
    let rows = [
        memories::Model {
            id: Uuid::now_v7(),
            user_id: "alice".into(),
            thread_id: Some("support-1".into()),
            content: "prefers email".into(),
            tier: "short_term".into(),
            importance: 0.7,
            metadata: json!({"topic": "billing", "category": "support"}),
            related_threads: json!(["support-0"]),
            created_at: at,
            updated_at: at,
        }
        .into_active_model()
        .insert(db)
        .await
        .map(drop),
        memory_clusters::Model {
            id: Uuid::now_v7(),
            user_id: "alice".into(),
            topic: "billing".into(),
            category: "support".into(),
            summary: None,
            memory_count: 1,
            created_at: at,
            updated_at: at,
        }
        .into_active_model()
        .insert(db)
        .await
        .map(drop),
    ];
    for row in rows {
        row.expect("insert a tiered memory or cluster row");
    }
}
