//! How a sibling service unit-tests its own code against the `mock` feature's graph
//! repository. (The SeaORM implementation is tested against real databases beside this file.)

use std::sync::Arc;

use chrono::Utc;
use memdb_enhanced_repository::graph::{Direction, GraphNode, GraphRepository, Reached};
use memdb_enhanced_repository::{GraphNodeId, MockGraphRepository, Page, RepoError, RepoResult};
use mockall::predicate::{always, eq};
use serde_json::json;

/// The sibling service's code under test: which files a change to one file may break, i.e.
/// the files that import it, directly or through up to two others.
struct ImpactAnalysis {
    graph: Arc<dyn GraphRepository>,
}

impl ImpactAnalysis {
    async fn affected_by(&self, path: &str) -> RepoResult<Vec<String>> {
        let changed = match self.graph.get_node_by_key("file", path).await {
            Ok(node) => node,
            // A file the graph has never seen affects nothing it knows of.
            Err(RepoError::NotFound { .. }) => return Ok(Vec::new()),
            Err(other) => return Err(other),
        };
        let importers = memdb_enhanced_repository::graph::TraversalQuery {
            max_depth: 3,
            relation: Some("imports".into()),
            direction: Direction::Incoming,
        };
        let reached = self
            .graph
            .traverse(changed.id, importers, Page::default())
            .await?;
        Ok(reached.into_iter().map(|r| r.node.key).collect())
    }
}

fn file(key: &str) -> GraphNode {
    let now = Utc::now();
    GraphNode {
        id: GraphNodeId::new(),
        kind: "file".into(),
        key: key.into(),
        properties: json!({}),
        created_at: now,
        updated_at: now,
    }
}

#[tokio::test]
async fn impact_follows_importers_through_the_graph() {
    let changed = file("lib.rs");
    let changed_id = changed.id;
    let mut graph = MockGraphRepository::new();
    graph
        .expect_get_node_by_key()
        .with(eq("file"), eq("lib.rs"))
        .times(1)
        .returning(move |_, _| Ok(changed.clone()));
    graph
        .expect_traverse()
        .withf(move |start, query, _| {
            *start == changed_id
                && query.direction == Direction::Incoming
                && query.relation.as_deref() == Some("imports")
        })
        .times(1)
        .returning(|_, _, _| {
            Ok(vec![
                Reached {
                    node: file("main.rs"),
                    depth: 1,
                },
                Reached {
                    node: file("cli.rs"),
                    depth: 2,
                },
            ])
        });
    let analysis = ImpactAnalysis {
        graph: Arc::new(graph),
    };
    assert_eq!(
        analysis.affected_by("lib.rs").await.unwrap(),
        ["main.rs", "cli.rs"]
    );
}

#[tokio::test]
async fn an_unknown_file_affects_nothing_and_is_not_traversed() {
    let mut graph = MockGraphRepository::new();
    graph
        .expect_get_node_by_key()
        .with(always(), eq("new.rs"))
        .returning(|_, key| Err(RepoError::not_found("graph node", key)));
    graph.expect_traverse().never();
    let analysis = ImpactAnalysis {
        graph: Arc::new(graph),
    };
    assert!(analysis.affected_by("new.rs").await.unwrap().is_empty());
}
