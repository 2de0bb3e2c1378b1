//! The second half of the knowledge story: relationships, neighbours and deletion.

use memdb_repository::knowledge::EdgeDirection::{Incoming, Outgoing};
use memdb_repository::knowledge::{Direction, Neighbour, NeighbourQuery};
use memdb_repository::{
    ConflictKind, KnowledgeId, KnowledgeRepository, Page, RepoError, RepoResult,
};

use super::items::Items;
use super::{edge, edges_of, field_of, ids, is_not_found};

/// Relates the items of the first half, walks the graph and deletes `b`, whose id it returns.
pub(super) async fn story(repo: &dyn KnowledgeRepository, items: &Items) -> KnowledgeId {
    relate(repo, items).await;
    walk(repo, items).await;
    delete_cascades(repo, items).await;
    items.b
}

async fn neighbours(
    repo: &dyn KnowledgeRepository,
    id: KnowledgeId,
    relationship_type: Option<&str>,
    direction: Direction,
) -> RepoResult<Vec<Neighbour>> {
    let query = NeighbourQuery {
        relationship_type: relationship_type.map(Into::into),
        direction,
    };
    repo.neighbours(id, query, Page::default()).await
}

/// The reason of an unknown-reference error.
fn unknown_reference<T: std::fmt::Debug>(result: RepoResult<T>) -> String {
    match result {
        Err(RepoError::Validation {
            field: "reference",
            reason,
        }) => reason,
        other => panic!("expected an unknown-reference error, got {other:?}"),
    }
}

/// Relationships: typed, weighted, directed; one of each type per ordered pair.
async fn relate(repo: &dyn KnowledgeRepository, items: &Items) {
    let Items { a, b, c, d, .. } = *items;
    let ab = repo.relate(edge(a, b, "supports", 0.7)).await.unwrap();
    let stored = (ab.source_id, ab.target_id, ab.relationship_type.as_str());
    assert_eq!(stored, (a, b, "supports"));
    assert_eq!(ab.strength.to_bits(), 0.7_f64.to_bits());
    repo.relate(edge(c, a, "supports", 0.9)).await.unwrap();
    repo.relate(edge(a, d, "related-to", 0.3)).await.unwrap();
    repo.relate(edge(b, a, "contradicts", 0.7)).await.unwrap();
    repo.relate(edge(b, a, "supports", 0.7)).await.unwrap();

    assert!(matches!(
        repo.relate(edge(a, b, "supports", 0.1)).await,
        Err(RepoError::Conflict {
            kind: ConflictKind::Duplicate,
            ..
        })
    ));
    assert_eq!(
        field_of(repo.relate(edge(a, a, "supports", 0.5)).await),
        "target_id"
    );
    let ghost = KnowledgeId::new();
    let reason = unknown_reference(repo.relate(edge(a, ghost, "supports", 0.5)).await);
    assert!(reason.contains(&ghost.to_string()), "{reason}");
    assert!(!reason.contains(&a.to_string()), "{reason}");
    let ghost2 = KnowledgeId::new();
    let reason = unknown_reference(repo.relate(edge(ghost2, ghost, "supports", 0.5)).await);
    assert!(reason.contains(&ghost.to_string()), "{reason}");
    assert!(reason.contains(&ghost2.to_string()), "{reason}");
    assert_eq!(
        field_of(repo.relate(edge(a, c, "Supports", 0.5)).await),
        "relationship_type"
    );
    assert_eq!(
        field_of(repo.relate(edge(a, c, "supports", 1.5)).await),
        "strength"
    );
    assert_eq!(
        field_of(repo.relate(edge(a, c, "supports", f64::NAN)).await),
        "strength"
    );
}

/// Neighbours: both directions, type filter, deterministic order, current item state.
async fn walk(repo: &dyn KnowledgeRepository, items: &Items) {
    let Items { a, b, c, d, .. } = *items;
    let out = neighbours(repo, a, None, Direction::Outgoing)
        .await
        .unwrap();
    assert_eq!(
        edges_of(&out),
        [
            (b, "supports", 0.7, Outgoing),
            (d, "related-to", 0.3, Outgoing)
        ]
    );
    assert_eq!(out[0].item, repo.peek(b).await.unwrap());
    assert_eq!(out[1].item, repo.peek(d).await.unwrap(), "as it is now");
    let incoming = neighbours(repo, a, None, Direction::Incoming)
        .await
        .unwrap();
    assert_eq!(
        edges_of(&incoming),
        [
            (c, "supports", 0.9, Incoming),
            (b, "contradicts", 0.7, Incoming),
            (b, "supports", 0.7, Incoming)
        ]
    );
    let all = neighbours(repo, a, None, Direction::Both).await.unwrap();
    assert_eq!(
        edges_of(&all),
        [
            (c, "supports", 0.9, Incoming),
            (b, "contradicts", 0.7, Incoming),
            (b, "supports", 0.7, Outgoing),
            (b, "supports", 0.7, Incoming),
            (d, "related-to", 0.3, Outgoing)
        ]
    );
    let default = repo
        .neighbours(a, NeighbourQuery::default(), Page::default())
        .await;
    assert_eq!(default.unwrap(), all, "both ways is the default");
    let supports = neighbours(repo, a, Some("supports"), Direction::Both).await;
    assert_eq!(
        edges_of(&supports.unwrap()),
        [
            (c, "supports", 0.9, Incoming),
            (b, "supports", 0.7, Outgoing),
            (b, "supports", 0.7, Incoming)
        ]
    );
    let from_b = neighbours(repo, b, Some("contradicts"), Direction::Outgoing)
        .await
        .unwrap();
    assert_eq!(edges_of(&from_b), [(a, "contradicts", 0.7, Outgoing)]);
    assert_eq!(
        from_b[0].item.access_count, 2,
        "neighbours record no access"
    );
    let leaf = neighbours(repo, d, None, Direction::Outgoing).await;
    assert!(leaf.unwrap().is_empty());
    let unknown = neighbours(repo, KnowledgeId::new(), None, Direction::Both).await;
    assert!(unknown.unwrap().is_empty());
    assert_eq!(
        field_of(neighbours(repo, a, Some("NOPE"), Direction::Both).await),
        "relationship_type"
    );
}

/// Deleting an item takes every edge from and to it along.
async fn delete_cascades(repo: &dyn KnowledgeRepository, items: &Items) {
    let Items {
        a,
        b,
        c,
        d,
        tie_first,
        tie_second,
    } = *items;
    repo.delete(b).await.unwrap();
    assert!(is_not_found(&repo.peek(b).await));
    assert!(is_not_found(&repo.get(b).await));
    assert!(is_not_found(&repo.delete(b).await));
    let after = neighbours(repo, a, None, Direction::Both).await.unwrap();
    assert_eq!(
        edges_of(&after),
        [
            (c, "supports", 0.9, Incoming),
            (d, "related-to", 0.3, Outgoing)
        ]
    );
    assert_eq!(
        field_of(repo.relate(edge(a, b, "supports", 0.5)).await),
        "reference"
    );
    let top = repo.top_by_retention(10, None).await.unwrap();
    assert_eq!(ids(&top), [d, tie_first, tie_second]);
}
