//! The database's traversals against the in-memory reference, on generated graphs full of
//! cycles and ties, for every direction, with and without a relation filter, at several
//! depths. The reference does not depend on the backend, so agreeing with it on each backend
//! means agreeing with each other.

use memdb_enhanced_repository::graph::{Direction, GraphRepository, Reached};
use memdb_enhanced_repository::{GraphNodeId, Page, SeaOrmGraphRepository};
use memdb_tests::TestDb;
use uuid::Uuid;

use super::graph::{edge, node, within};
use super::graph_reference::{Dice, Edge, Graph, generated_edges};

const DIRECTIONS: [Direction; 3] = [Direction::Outgoing, Direction::Incoming, Direction::Both];
const FILTERS: [Option<&str>; 2] = [None, Some("a")];

/// Stores a graph over `count` nodes with these edges, and returns its reference copy.
async fn build(
    repo: &dyn GraphRepository,
    name: &str,
    count: usize,
    edges: &[(usize, usize, &'static str, f64)],
) -> Graph {
    let mut graph = Graph::default();
    for i in 0..count {
        let stored = repo.upsert_node(node(name, &i.to_string())).await.unwrap();
        graph.nodes.push(stored.id.as_uuid());
    }
    for &(source, target, relation, weight) in edges {
        let (source, target) = (graph.nodes[source], graph.nodes[target]);
        repo.connect(edge(source.into(), target.into(), relation, weight))
            .await
            .unwrap();
        graph.edges.push(Edge {
            source,
            target,
            relation,
            weight,
        });
    }
    graph
}

fn uuids(nodes: &[GraphNodeId]) -> Vec<Uuid> {
    nodes.iter().map(GraphNodeId::as_uuid).collect()
}

fn ids_and_depths(reached: &[Reached]) -> Vec<(Uuid, u32)> {
    reached
        .iter()
        .map(|r| (r.node.id.as_uuid(), r.depth))
        .collect()
}

/// Compares every traversal from every node, and the cheapest path between `pairs`, with the
/// reference.
async fn agree(repo: &dyn GraphRepository, graph: &Graph, pairs: &[(usize, usize)], what: &str) {
    for direction in DIRECTIONS {
        for relation in FILTERS {
            for depth in [1, 2, 3, 10] {
                let query = within(depth, direction, relation);
                let case = format!("{what}: {direction:?} {relation:?} depth {depth}");
                for &start in &graph.nodes {
                    let found = repo
                        .traverse(start.into(), query.clone(), Page::new(1000, 0).unwrap())
                        .await
                        .unwrap();
                    let expected = graph.reach(start, direction, relation, depth);
                    assert_eq!(ids_and_depths(&found), expected, "{case} from {start}");
                }
                for &(from, to) in pairs {
                    let (from, to) = (graph.nodes[from], graph.nodes[to]);
                    let found = repo
                        .shortest_path(from.into(), to.into(), query.clone())
                        .await
                        .unwrap()
                        .map(|p| (uuids(&p.nodes), p.total_weight));
                    let expected = graph
                        .cheapest(from, to, direction, relation, depth)
                        .map(|w| (w.nodes, w.weight));
                    assert_eq!(found, expected, "{case} from {from} to {to}");
                }
            }
        }
    }
}

#[tokio::test]
async fn traversals_and_paths_match_the_reference_on_generated_graphs() {
    let db = TestDb::new().await;
    let repo = SeaOrmGraphRepository::new(db.pool());
    for seed in 1..=4_u64 {
        let mut dice = Dice::new(seed);
        let count = 5 + dice.below(4);
        let edges = generated_edges(&mut dice, count, 2 * count);
        let graph = build(&repo, &format!("g{seed}"), count, &edges).await;
        let mut pairs = vec![(0, 0), (0, count - 1), (count - 1, 0)];
        for _ in 0..3 {
            pairs.push((dice.below(count), dice.below(count)));
        }
        agree(&repo, &graph, &pairs, &format!("seed {seed}")).await;
    }
    drop(db);
}

#[tokio::test]
async fn ties_go_to_fewer_edges_then_smaller_ids() {
    let db = TestDb::new().await;
    let repo = SeaOrmGraphRepository::new(db.pool());
    // Two equally light routes of two edges from 0 to 3 (through 1 and through 2), a third as
    // light with three edges (through 4 and 5), and a heavier direct edge.
    let edges = [
        (0, 1, "a", 1.0),
        (1, 3, "a", 1.0),
        (0, 2, "a", 1.5),
        (2, 3, "a", 0.5),
        (0, 4, "a", 0.5),
        (4, 5, "a", 0.5),
        (5, 3, "a", 1.0),
        (0, 3, "a", 3.0),
        (3, 0, "b", 0.0),
    ];
    let graph = build(&repo, "ties", 6, &edges).await;
    let found = repo
        .shortest_path(
            graph.nodes[0].into(),
            graph.nodes[3].into(),
            within(10, Direction::Outgoing, None),
        )
        .await
        .unwrap()
        .unwrap();
    let via = graph.nodes[1].min(graph.nodes[2]);
    let expected: Vec<GraphNodeId> = [graph.nodes[0], via, graph.nodes[3]]
        .map(Into::into)
        .to_vec();
    assert_eq!((found.nodes, found.total_weight), (expected, 2.0));
    agree(&repo, &graph, &[(0, 3), (3, 5), (5, 4)], "ties").await;
    drop(db);
}

#[tokio::test]
async fn dense_graphs_stay_cheap() {
    let db = TestDb::new().await;
    let repo = SeaOrmGraphRepository::new(db.pool());
    // Every node to every other: some 40 million simple paths of ten edges leave each node,
    // far too many to enumerate. Reach counts steps instead of paths, and the cheapest path only
    // explores what could beat the first path it finds.
    let count = 12;
    let mut dice = Dice::new(99);
    let mut edges = Vec::new();
    for source in 0..count {
        for target in (0..count).filter(|&t| t != source) {
            edges.push((source, target, "a", [1.0, 2.0, 3.0][dice.below(3)]));
        }
    }
    let graph = build(&repo, "dense", count, &edges).await;
    let started = std::time::Instant::now();
    for direction in DIRECTIONS {
        let query = within(10, direction, None);
        let reached = repo
            .traverse(graph.nodes[0].into(), query.clone(), Page::default())
            .await
            .unwrap();
        assert_eq!(
            ids_and_depths(&reached),
            graph.reach(graph.nodes[0], direction, None, 10)
        );
        for to in [1, count - 1] {
            let (from, to) = (graph.nodes[0], graph.nodes[to]);
            let found = repo
                .shortest_path(from.into(), to.into(), query.clone())
                .await
                .unwrap()
                .unwrap();
            let expected = graph.cheapest(from, to, direction, None, 10).unwrap();
            let found_ids = uuids(&found.nodes);
            assert_eq!(
                (found_ids, found.total_weight),
                (expected.nodes, expected.weight)
            );
        }
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "dense traversals took {:?}",
        started.elapsed()
    );
    drop(db);
}
