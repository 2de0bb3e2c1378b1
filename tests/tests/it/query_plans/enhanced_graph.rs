//! Every graph repository method, with each direction and with and without a relation filter
//! (the SQL differs by both), on a graph of a large graph's shape.

use chrono::Utc;
use memdb_enhanced_entity::{graph_edges, graph_nodes};
use memdb_enhanced_repository::graph::{
    Direction, NeighbourQuery, NewGraphEdge, NodeUpsert, TraversalQuery,
};
use memdb_enhanced_repository::{EnhancedRepositories, GraphNodeId, Page};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbBackend, EntityTrait};
use serde_json::json;
use uuid::Uuid;

use super::recorder::Recorder;

/// Nodes, edges per node and relations of the background graph.
const NODES: usize = 1000;
const EDGES_PER_NODE: usize = 5;
const RELATIONS: usize = 4;

/// Loads a graph of [`NODES`] nodes with [`EDGES_PER_NODE`] edges each, spread over
/// [`RELATIONS`] relations, and has PostgreSQL gather statistics on it. On the handful of rows
/// the calls below make, PostgreSQL would judge a relation's edges as few as a node's (its
/// default estimates) and rightly read them all; with a graph's proportions it plans what a
/// large graph gets, which is what the check is about. SQLite plans without statistics.
async fn load_background_graph(db: &impl ConnectionTrait) {
    let at = Utc::now().fixed_offset();
    let ids: Vec<Uuid> = (0..NODES).map(|_| Uuid::now_v7()).collect();
    let nodes = ids
        .iter()
        .enumerate()
        .map(|(i, id)| graph_nodes::ActiveModel {
            id: Set(*id),
            kind: Set("background".into()),
            key: Set(format!("n{i}")),
            properties: Set(json!({})),
            created_at: Set(at),
            updated_at: Set(at),
        });
    let mut edges = Vec::new();
    for source in 0..NODES {
        for k in 1..=EDGES_PER_NODE {
            let target = (source * 7 + k * 131) % NODES;
            if target == source {
                continue;
            }
            edges.push(graph_edges::ActiveModel {
                id: Set(Uuid::now_v7()),
                source_id: Set(ids[source]),
                target_id: Set(ids[target]),
                relation: Set(format!("r{}", (source + k) % RELATIONS)),
                weight: Set(1.0),
                properties: Set(json!({})),
                created_at: Set(at),
            });
        }
    }
    for chunk in nodes.collect::<Vec<_>>().chunks(200) {
        graph_nodes::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .unwrap();
    }
    for chunk in edges.chunks(200) {
        graph_edges::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .unwrap();
    }
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared("ANALYZE graph_nodes, graph_edges")
            .await
            .unwrap();
    }
}

fn node(key: &str) -> NodeUpsert {
    NodeUpsert {
        kind: "plan".into(),
        key: key.into(),
        properties: json!({}),
    }
}

pub(super) async fn graph(repos: &EnhancedRepositories, rec: &Recorder) {
    let graph = &repos.graph;
    rec.call("graph background");
    load_background_graph(repos.connection()).await;

    rec.call("graph.upsert_node");
    let mut ids: Vec<GraphNodeId> = Vec::new();
    for key in ["a", "b", "c", "d"] {
        ids.push(graph.upsert_node(node(key)).await.unwrap().id);
    }
    graph.upsert_node(node("a")).await.unwrap();
    let [a, b, c, d] = ids[..] else {
        unreachable!()
    };
    rec.call("graph.get_node");
    graph.get_node(a).await.unwrap();
    rec.call("graph.get_node_by_key");
    graph.get_node_by_key("plan", "a").await.unwrap();

    rec.call("graph.connect");
    for (source, target) in [(a, b), (b, c), (c, a), (c, d)] {
        let edge = NewGraphEdge {
            source_id: source,
            target_id: target,
            relation: "next".into(),
            weight: 1.5,
            properties: json!({}),
        };
        graph.connect(edge).await.unwrap();
    }
    rec.call("graph.connect duplicate");
    let duplicate = NewGraphEdge {
        source_id: a,
        target_id: b,
        relation: "next".into(),
        weight: 1.0,
        properties: json!({}),
    };
    graph.connect(duplicate.clone()).await.unwrap_err();
    rec.call("graph.connect to a missing node");
    let dangling = NewGraphEdge {
        target_id: GraphNodeId::new(),
        ..duplicate
    };
    graph.connect(dangling).await.unwrap_err();

    for direction in [Direction::Outgoing, Direction::Incoming, Direction::Both] {
        for relation in [None, Some("next".to_owned())] {
            let what = format!("{direction:?} relation {relation:?}");
            rec.call(&format!("graph.neighbours {what}"));
            let query = NeighbourQuery {
                relation: relation.clone(),
                direction,
            };
            graph.neighbours(a, query, Page::default()).await.unwrap();
            rec.call(&format!("graph.traverse {what}"));
            let query = TraversalQuery {
                max_depth: 10,
                relation,
                direction,
            };
            graph
                .traverse(a, query.clone(), Page::default())
                .await
                .unwrap();
            rec.call(&format!("graph.shortest_path {what}"));
            graph.shortest_path(a, d, query).await.unwrap();
        }
    }
    rec.call("graph.neighbours of a missing node");
    let none = NeighbourQuery::default();
    graph
        .neighbours(GraphNodeId::new(), none, Page::default())
        .await
        .unwrap_err();
    rec.call("graph.shortest_path unreachable");
    graph
        .shortest_path(d, a, TraversalQuery::new(3))
        .await
        .unwrap();

    rec.call("graph.delete_node");
    graph.delete_node(c).await.unwrap();
}
