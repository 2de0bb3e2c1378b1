//! The graph schema refuses what the repository refuses, so rows written around it (by hand,
//! or by another client) cannot break traversals either.

use chrono::Utc;
use memdb_enhanced_entity::graph_edges;
use memdb_enhanced_repository::SeaOrmGraphRepository;
use memdb_enhanced_repository::graph::GraphRepository;
use memdb_tests::TestDb;
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde_json::json;
use uuid::Uuid;

use super::graph::node;

fn raw_edge(source: Uuid, target: Uuid, weight: f64) -> graph_edges::ActiveModel {
    graph_edges::ActiveModel {
        id: Set(Uuid::now_v7()),
        source_id: Set(source),
        target_id: Set(target),
        relation: Set("raw".into()),
        weight: Set(weight),
        properties: Set(json!({})),
        created_at: Set(Utc::now().fixed_offset()),
    }
}

#[tokio::test]
async fn edges_the_repository_refuses_are_refused_by_the_schema_too() {
    let db = TestDb::new().await;
    let repo = SeaOrmGraphRepository::new(db.pool());
    let a = repo
        .upsert_node(node("file", "a"))
        .await
        .unwrap()
        .id
        .as_uuid();
    let b = repo
        .upsert_node(node("file", "b"))
        .await
        .unwrap()
        .id
        .as_uuid();
    // NaN passes `weight >= 0` on PostgreSQL (NaN sorts above every number) and becomes NULL
    // on SQLite: the upper bound and NOT NULL keep it out.
    for weight in [f64::NAN, f64::INFINITY, -1.0, 1e301] {
        let refused = raw_edge(a, b, weight).insert(db.conn()).await;
        assert!(refused.is_err(), "weight {weight} was stored");
    }
    assert!(
        raw_edge(a, a, 1.0).insert(db.conn()).await.is_err(),
        "self-loop stored"
    );
    assert!(
        raw_edge(a, Uuid::now_v7(), 1.0)
            .insert(db.conn())
            .await
            .is_err()
    );
    raw_edge(a, b, 1e300).insert(db.conn()).await.unwrap();
    let duplicate = raw_edge(a, b, 2.0).insert(db.conn()).await;
    assert!(duplicate.is_err(), "a second (a, b, raw) edge was stored");
    drop(db);
}
