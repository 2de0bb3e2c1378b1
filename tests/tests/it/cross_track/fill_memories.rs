//! Rows for the tiered memory tables (a memory and its cluster) and the document index, written
//! through the generated entities.

use memdb_enhanced_entity::{document_index, memories, memory_clusters};
use memdb_repository::now;
use sea_orm::{ActiveModelTrait, DatabaseConnection, IntoActiveModel};
use serde_json::json;
use uuid::Uuid;

/// Writes one row into `memories`, `memory_clusters` and `document_index`.
pub(super) async fn fill_memories(db: &DatabaseConnection) {
    let at = now();
    let embedding: Vec<u8> = [0.5_f32, -1.0, 2.0]
        .iter()
        .flat_map(|component| component.to_le_bytes())
        .collect();
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
        document_index::Model {
            id: Uuid::now_v7(),
            file_path: "docs/guide.md".into(),
            title: "Guide".into(),
            document_type: Some("markdown".into()),
            content_hash: "0".repeat(64),
            chunk_count: 1,
            embedding_model: Some("nomic-embed-text-v1.5".into()),
            embedding_dims: Some(3),
            embedding: Some(embedding),
            metadata: json!({}),
            sync_status: "synced".into(),
            last_synced_at: Some(at),
            created_at: at,
            updated_at: at,
        }
        .into_active_model()
        .insert(db)
        .await
        .map(drop),
    ];
    for row in rows {
        row.expect("insert a tiered memory or document index row");
    }
}
