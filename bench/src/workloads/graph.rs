//! Graph traversals of the enhanced `GraphRepository`: the nodes within 3 hops of a node, beside
//! the same recursive SELECT on the raw pool, and the cheapest path between two nodes, which
//! is memdb-only (see BENCHMARKS.md).

use std::sync::Arc;

use anyhow::Result;
use memdb_enhanced_repository::graph::TraversalQuery;
use memdb_enhanced_repository::{GraphNodeId, Page};

use super::twins::{Case, Expect, memdb, raw, run_cases};
use super::{Bench, GRAPH_NODE_COLUMNS};
use crate::raw::{Param, RawPool};
use crate::report::ResultRow;

/// Hops of the traversal.
const HOPS: u32 = 3;

/// The traversal and the shortest path, as selected by `selects`.
///
/// # Errors
/// The first failing call's error.
pub(crate) async fn run(bench: &Bench, selects: impl Fn(&str) -> bool) -> Result<Vec<ResultRow>> {
    let nodes = Arc::new(bench.data.graph_nodes.clone());
    let (raw_nodes, path_nodes) = (nodes.clone(), nodes.clone());
    let node_columns = GRAPH_NODE_COLUMNS
        .split(", ")
        .map(|c| format!("graph_nodes.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    // PostgreSQL gets the recursive term in parentheses, as sea-query writes it there; SQLite
    // does not accept them.
    let (open, close) = match bench.raw {
        RawPool::Postgres(_) => ("(", ")"),
        RawPool::Sqlite(_) => ("", ""),
    };
    let traverse_sql = format!(
        "WITH RECURSIVE reach (node_id, depth) AS (SELECT graph_nodes.id, $1 FROM graph_nodes \
         WHERE graph_nodes.id = $2 UNION {open}SELECT graph_edges.target_id, reach.depth + $3 \
         FROM reach INNER JOIN graph_edges ON graph_edges.source_id = reach.node_id \
         WHERE reach.depth < $4{close}), nearest (node_id, depth) AS (SELECT node_id, MIN(depth) \
         FROM reach WHERE node_id <> $5 GROUP BY node_id) SELECT {node_columns}, nearest.depth \
         FROM nearest INNER JOIN graph_nodes ON graph_nodes.id = nearest.node_id \
         ORDER BY nearest.depth, graph_nodes.id LIMIT $6 OFFSET $7"
    );
    let cases: Vec<Case> = vec![
        (
            "graph.traverse 3 hops",
            vec![
                memdb(bench, Expect::Some, move |r, i| {
                    let start = GraphNodeId::from(nodes[Bench::pick(i, nodes.len())]);
                    async move {
                        let query = TraversalQuery::new(HOPS);
                        Ok(r.graph.traverse(start, query, Page::default()).await?.len())
                    }
                }),
                raw(bench, "raw", Expect::Some, &traverse_sql, move |i| {
                    let start = raw_nodes[Bench::pick(i, raw_nodes.len())];
                    vec![
                        Param::Int(0),
                        Param::Uuid(start),
                        Param::Int(1),
                        Param::Int(i64::from(HOPS)),
                        Param::Uuid(start),
                        Param::Int(Page::default().limit() as i64),
                        Param::Int(0),
                    ]
                }),
            ],
        ),
        (
            "graph.shortest_path up to 6 hops",
            vec![memdb(bench, Expect::One, move |r, i| {
                // Five `next` edges lead there; `jump` edges may offer other routes.
                let from = Bench::pick(i, path_nodes.len());
                let to = (from + 5) % path_nodes.len();
                let (from, to) = (path_nodes[from], path_nodes[to]);
                async move {
                    let query = TraversalQuery::new(6);
                    let path = r.graph.shortest_path(from.into(), to.into(), query).await?;
                    Ok(usize::from(path.is_some()))
                }
            })],
        ),
    ];
    run_cases(bench, selects, cases).await
}
