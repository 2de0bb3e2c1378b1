//! The graph repository's story, written against the trait and run on the SeaORM
//! implementation, and what it refuses.

use memdb_enhanced_entity::graph_edges;
use memdb_enhanced_repository::graph::{
    Direction, GraphPath, GraphRepository, NeighbourQuery, NewGraphEdge, NodeUpsert, Reached,
    TraversalQuery,
};
use memdb_enhanced_repository::{GraphNodeId, Page, RepoError, RepoResult, SeaOrmGraphRepository};
use memdb_repository::ConflictKind;
use memdb_tests::TestDb;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

pub(crate) fn node(kind: &str, key: &str) -> NodeUpsert {
    NodeUpsert {
        kind: kind.into(),
        key: key.into(),
        properties: json!({}),
    }
}

pub(crate) fn edge(
    source_id: GraphNodeId,
    target_id: GraphNodeId,
    relation: &str,
    weight: f64,
) -> NewGraphEdge {
    NewGraphEdge {
        source_id,
        target_id,
        relation: relation.into(),
        weight,
        properties: json!({}),
    }
}

/// A traversal of at most `max_depth` edges in `direction`, of `relation` only when given.
pub(super) fn within(
    max_depth: u32,
    direction: Direction,
    relation: Option<&str>,
) -> TraversalQuery {
    TraversalQuery {
        max_depth,
        relation: relation.map(Into::into),
        direction,
    }
}

/// The field a validation error blames; any other outcome fails the test.
fn invalid_field<T: std::fmt::Debug>(result: RepoResult<T>) -> &'static str {
    match result {
        Err(RepoError::Validation { field, .. }) => field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn is_not_found<T>(result: &RepoResult<T>) -> bool {
    matches!(
        result,
        Err(RepoError::NotFound {
            entity: "graph node",
            ..
        })
    )
}

async fn neighbour_keys(
    repo: &dyn GraphRepository,
    id: GraphNodeId,
    direction: Direction,
    relation: Option<&str>,
) -> Vec<(String, String)> {
    let query = NeighbourQuery {
        relation: relation.map(Into::into),
        direction,
    };
    repo.neighbours(id, query, Page::default())
        .await
        .unwrap()
        .into_iter()
        .map(|n| (n.edge.relation, n.node.key))
        .collect()
}

fn keys_and_depths(reached: &[Reached]) -> Vec<(&str, u32)> {
    reached
        .iter()
        .map(|r| (r.node.key.as_str(), r.depth))
        .collect()
}

/// A file-import graph with a cycle (`a -> b -> c -> a`), a costly shortcut `a -> c` and an
/// isolated node.
async fn story(repo: &dyn GraphRepository) {
    let a = repo.upsert_node(node("file", "a.rs")).await.unwrap();
    let b = repo.upsert_node(node("file", "b.rs")).await.unwrap();
    let c = repo.upsert_node(node("file", "c.rs")).await.unwrap();
    let lonely = repo.upsert_node(node("concept", "lonely")).await.unwrap();
    assert_eq!((a.kind.as_str(), a.key.as_str()), ("file", "a.rs"));
    assert_eq!(a.created_at, a.updated_at);

    // Upserting an existing key keeps the node and replaces its properties.
    let again = NodeUpsert {
        properties: json!({"lines": 42}),
        ..node("file", "a.rs")
    };
    let updated = repo.upsert_node(again).await.unwrap();
    assert_eq!((updated.id, updated.created_at), (a.id, a.created_at));
    assert!(updated.updated_at >= a.updated_at);
    assert_eq!(updated.properties, json!({"lines": 42}));
    assert_eq!(repo.get_node(a.id).await.unwrap(), updated);
    assert_eq!(repo.get_node_by_key("file", "a.rs").await.unwrap(), updated);
    // The same key in another kind is another node.
    let concept_a = repo.upsert_node(node("concept", "a.rs")).await.unwrap();
    assert_ne!(concept_a.id, a.id);
    // Keys are compared in NFC: a combining accent finds the precomposed key.
    let cafe = repo
        .upsert_node(node("concept", "caf\u{e9}"))
        .await
        .unwrap();
    assert_eq!(
        repo.get_node_by_key("concept", "cafe\u{301}")
            .await
            .unwrap()
            .id,
        cafe.id
    );
    assert!(is_not_found(&repo.get_node_by_key("file", "z.rs").await));

    for (source, target, relation, weight) in [
        (a.id, b.id, "imports", 1.0),
        (b.id, c.id, "imports", 1.0),
        (c.id, a.id, "imports", 1.0),
        (a.id, c.id, "mentions", 5.0),
    ] {
        let stored = repo
            .connect(edge(source, target, relation, weight))
            .await
            .unwrap();
        assert_eq!((stored.source_id, stored.target_id), (source, target));
        assert_eq!(
            (stored.relation.as_str(), stored.weight),
            (relation, weight)
        );
    }
    let duplicate = repo.connect(edge(a.id, b.id, "imports", 2.0)).await;
    assert!(
        matches!(&duplicate, Err(e) if e.conflict_kind() == Some(ConflictKind::Duplicate)),
        "{duplicate:?}"
    );

    // Neighbours: by relation, then the other node's id, outgoing before incoming.
    let mut b_and_c = [(b.id, "b.rs"), (c.id, "c.rs")];
    b_and_c.sort();
    let b_and_c = b_and_c.map(|(_, key)| key);
    assert_eq!(
        neighbour_keys(repo, a.id, Direction::Outgoing, None).await,
        [
            ("imports".into(), "b.rs".into()),
            ("mentions".into(), "c.rs".into())
        ]
    );
    assert_eq!(
        neighbour_keys(repo, a.id, Direction::Incoming, None).await,
        [("imports".into(), "c.rs".into())]
    );
    let both: Vec<String> = neighbour_keys(repo, a.id, Direction::Both, Some("imports"))
        .await
        .into_iter()
        .map(|(_, key)| key)
        .collect();
    assert_eq!(both, b_and_c);
    assert!(
        neighbour_keys(repo, lonely.id, Direction::Both, None)
            .await
            .is_empty()
    );

    // Traversals follow the cycle without looping and list each node once, nearest first.
    let outgoing = |depth| within(depth, Direction::Outgoing, None);
    let one_hop = repo
        .traverse(a.id, outgoing(1), Page::default())
        .await
        .unwrap();
    assert_eq!(keys_and_depths(&one_hop), b_and_c.map(|key| (key, 1)));
    let imports = within(10, Direction::Outgoing, Some("imports"));
    let far = repo.traverse(a.id, imports, Page::default()).await.unwrap();
    assert_eq!(keys_and_depths(&far), [("b.rs", 1), ("c.rs", 2)]);
    let back = within(1, Direction::Incoming, Some("imports"));
    let came_from = repo.traverse(a.id, back, Page::default()).await.unwrap();
    assert_eq!(keys_and_depths(&came_from), [("c.rs", 1)]);
    assert!(
        repo.traverse(lonely.id, outgoing(10), Page::default())
            .await
            .unwrap()
            .is_empty()
    );

    // The cheapest path takes the two light imports over the heavy shortcut, unless the depth
    // or the relation rules them out.
    let path = |nodes: &[GraphNodeId], total_weight: f64| GraphPath {
        nodes: nodes.to_vec(),
        total_weight,
    };
    let cheapest = |depth, relation| {
        repo.shortest_path(a.id, c.id, within(depth, Direction::Outgoing, relation))
    };
    assert_eq!(
        cheapest(3, None).await.unwrap(),
        Some(path(&[a.id, b.id, c.id], 2.0))
    );
    assert_eq!(
        cheapest(1, None).await.unwrap(),
        Some(path(&[a.id, c.id], 5.0))
    );
    assert_eq!(
        cheapest(3, Some("mentions")).await.unwrap(),
        Some(path(&[a.id, c.id], 5.0))
    );
    let to_self = repo.shortest_path(a.id, a.id, outgoing(1)).await.unwrap();
    assert_eq!(to_self, Some(path(&[a.id], 0.0)));
    let unreachable = repo.shortest_path(a.id, lonely.id, outgoing(10)).await;
    assert_eq!(unreachable.unwrap(), None);
    // Against the edges: c.rs reaches a.rs directly, b.rs through both.
    let against = within(2, Direction::Incoming, Some("imports"));
    assert_eq!(
        repo.shortest_path(a.id, b.id, against).await.unwrap(),
        Some(path(&[a.id, c.id, b.id], 2.0))
    );

    // Deleting a node takes its edges with it.
    repo.delete_node(b.id).await.unwrap();
    assert!(is_not_found(&repo.get_node(b.id).await));
    assert_eq!(
        neighbour_keys(repo, a.id, Direction::Both, None).await,
        [
            ("imports".into(), "c.rs".into()),
            ("mentions".into(), "c.rs".into())
        ]
    );
    assert_eq!(
        cheapest(3, None).await.unwrap(),
        Some(path(&[a.id, c.id], 5.0))
    );
    assert!(is_not_found(&repo.delete_node(b.id).await));
}

#[tokio::test]
async fn graph_story() {
    let db = TestDb::new().await;
    story(&SeaOrmGraphRepository::new(db.pool())).await;
    drop(db);
}

#[tokio::test]
async fn bad_input_is_refused_and_nothing_is_written() {
    let db = TestDb::new().await;
    let repo = SeaOrmGraphRepository::new(db.pool());
    let a = repo.upsert_node(node("file", "a")).await.unwrap();
    let b = repo.upsert_node(node("file", "b")).await.unwrap();

    for (bad, field) in [
        (node("Bad Kind", "k"), "kind"),
        (node("file", "   "), "key"),
        (node("file", &"k".repeat(513)), "key"),
        (node("file", "nul\0"), "key"),
        (
            NodeUpsert {
                properties: json!([1]),
                ..node("file", "k")
            },
            "properties",
        ),
        (
            NodeUpsert {
                properties: json!({"k": "\0"}),
                ..node("file", "k")
            },
            "properties",
        ),
    ] {
        assert_eq!(invalid_field(repo.upsert_node(bad).await), field);
    }
    // The longest key fits the column on every backend.
    let longest = repo
        .upsert_node(node("file", &"k".repeat(512)))
        .await
        .unwrap();
    assert_eq!(longest.key.chars().count(), 512);
    assert_eq!(
        invalid_field(repo.get_node_by_key("Bad", "a").await),
        "kind"
    );

    for weight in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.5, 1e301] {
        let result = repo.connect(edge(a.id, b.id, "r", weight)).await;
        assert_eq!(invalid_field(result), "weight", "{weight}");
    }
    let self_loop = repo.connect(edge(a.id, a.id, "r", 1.0)).await;
    assert_eq!(invalid_field(self_loop), "target_id");
    assert_eq!(
        invalid_field(repo.connect(edge(a.id, b.id, "R!", 1.0)).await),
        "relation"
    );
    let missing = GraphNodeId::new();
    match repo.connect(edge(a.id, missing, "r", 1.0)).await {
        Err(RepoError::Validation {
            field: "reference",
            reason,
        }) => {
            assert!(reason.contains(&missing.to_string()), "{reason}");
        }
        other => panic!("expected an unknown reference, got {other:?}"),
    }
    let edges = graph_edges::Entity::find().count(db.conn()).await.unwrap();
    assert_eq!(edges, 0, "a refused edge left a row behind");

    // One stored form of zero; the largest weight is stored as given.
    let zero = repo.connect(edge(a.id, b.id, "zero", -0.0)).await.unwrap();
    assert_eq!(zero.weight.to_bits(), 0.0_f64.to_bits());
    let heaviest = repo.connect(edge(b.id, a.id, "max", 1e300)).await.unwrap();
    assert_eq!(heaviest.weight.to_bits(), 1e300_f64.to_bits());

    // Depth is bounded; unknown nodes are named.
    for depth in [0, 11, u32::MAX] {
        let query = within(depth, Direction::Outgoing, None);
        let traversal = repo.traverse(a.id, query.clone(), Page::default()).await;
        assert_eq!(invalid_field(traversal), "max_depth");
        assert_eq!(
            invalid_field(repo.shortest_path(a.id, b.id, query).await),
            "max_depth"
        );
    }
    let deepest = within(10, Direction::Both, None);
    assert_eq!(
        repo.traverse(a.id, deepest.clone(), Page::default())
            .await
            .unwrap()
            .len(),
        1
    );
    let bad_relation = within(2, Direction::Outgoing, Some("No"));
    assert_eq!(
        invalid_field(repo.traverse(a.id, bad_relation, Page::default()).await),
        "relation"
    );
    assert!(is_not_found(
        &repo
            .traverse(missing, deepest.clone(), Page::default())
            .await
    ));
    assert!(is_not_found(
        &repo.shortest_path(a.id, missing, deepest.clone()).await
    ));
    assert!(is_not_found(
        &repo.shortest_path(missing, a.id, deepest).await
    ));
    let any = NeighbourQuery::default();
    assert!(is_not_found(
        &repo.neighbours(missing, any, Page::default()).await
    ));
    drop(db);
}
