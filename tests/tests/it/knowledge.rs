//! The knowledge repository's story, run against the `SeaORM` implementation on a real database,
//! and a concurrency check of access counting.

mod access;
mod graph;
mod items;

use memdb_entity::knowledge_relationships;
use memdb_repository::knowledge::{
    EdgeDirection, KnowledgeItem, Neighbour, NewKnowledge, NewRelationship,
};
use memdb_repository::{
    KnowledgeId, KnowledgeRepository, RepoError, RepoResult, SeaOrmKnowledgeRepository,
};
use memdb_tests::TestDb;
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

fn item(content: &str, knowledge_type: &str, retention: f64) -> NewKnowledge {
    NewKnowledge {
        content: content.into(),
        source: "  notes/rust.md ".into(),
        knowledge_type: knowledge_type.into(),
        confidence_score: 0.5,
        retention_score: retention,
        metadata: json!({"tags": ["test"]}),
    }
}

fn edge(source: KnowledgeId, target: KnowledgeId, kind: &str, strength: f64) -> NewRelationship {
    NewRelationship {
        source_id: source,
        target_id: target,
        relationship_type: kind.into(),
        strength,
    }
}

fn ids(items: &[KnowledgeItem]) -> Vec<KnowledgeId> {
    items.iter().map(|i| i.id).collect()
}

/// (neighbour id, relationship type, strength, direction) of each neighbour, in order.
fn edges_of(neighbours: &[Neighbour]) -> Vec<(KnowledgeId, &str, f64, EdgeDirection)> {
    neighbours
        .iter()
        .map(|n| {
            (
                n.item.id,
                n.relationship_type.as_str(),
                n.strength,
                n.direction,
            )
        })
        .collect()
}

fn field_of<T: std::fmt::Debug>(result: RepoResult<T>) -> &'static str {
    match result {
        Err(RepoError::Validation { field, .. }) => field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn is_not_found<T>(result: &RepoResult<T>) -> bool {
    matches!(
        result,
        Err(RepoError::NotFound {
            entity: "knowledge item",
            ..
        })
    )
}

/// What a caller does with knowledge, written against the trait so any implementation can run
/// it. Returns the id of the item it deleted, whose edges must be gone.
async fn knowledge_story(repo: &dyn KnowledgeRepository) -> KnowledgeId {
    let items = items::story(repo).await;
    graph::story(repo, &items).await
}

#[tokio::test]
async fn knowledge_story_on_sea_orm() {
    let db = TestDb::new().await;
    let deleted = knowledge_story(&SeaOrmKnowledgeRepository::new(db.pool())).await;
    // The neighbour query joins to items, so it would hide orphaned edges: count them directly.
    let orphans = knowledge_relationships::Entity::find()
        .filter(
            Condition::any()
                .add(knowledge_relationships::Column::SourceId.eq(deleted.as_uuid()))
                .add(knowledge_relationships::Column::TargetId.eq(deleted.as_uuid())),
        )
        .count(db.conn())
        .await
        .unwrap();
    assert_eq!(
        orphans, 0,
        "ON DELETE CASCADE removed the deleted item's edges"
    );
    let remaining = knowledge_relationships::Entity::find()
        .count(db.conn())
        .await
        .unwrap();
    assert_eq!(remaining, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_gets_count_every_access() {
    const READERS: u64 = 20;
    let db = TestDb::new().await;
    let repo = SeaOrmKnowledgeRepository::new(db.pool());
    let item = repo
        .add(item("counted concurrently", "fact", 0.5))
        .await
        .unwrap();
    let id = item.id;
    let readers: Vec<_> = (0..READERS)
        .map(|_| {
            let repo = repo.clone();
            tokio::spawn(async move { repo.get(id).await })
        })
        .collect();
    let mut seen = Vec::new();
    for reader in readers {
        seen.push(reader.await.unwrap().unwrap().access_count);
    }
    // Each get sees its own increment: the counts returned are exactly 1..=20.
    seen.sort_unstable();
    assert_eq!(seen, (1..=READERS).collect::<Vec<_>>());
    assert_eq!(repo.peek(id).await.unwrap().access_count, READERS);
}
