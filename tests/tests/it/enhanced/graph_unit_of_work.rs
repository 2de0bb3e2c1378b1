//! The graph repository inside a unit of work: its writes commit or roll back with the rest,
//! and a refused edge leaves the unit of work usable on every backend.

use memdb_enhanced_repository::graph::{Direction, NeighbourQuery};
use memdb_enhanced_repository::{EnhancedRepositories, GraphNodeId, Page, RepoError, RepoResult};
use memdb_tests::TestDb;

use super::graph::{edge, node};

#[tokio::test]
async fn graph_writes_commit_together_and_survive_a_refused_edge() {
    let db = TestDb::new().await;
    let repos = EnhancedRepositories::from_connection(db.pool());

    let (a, b) = repos
        .transaction(async |tx| {
            let a = tx.graph.upsert_node(node("file", "a")).await?.id;
            let b = tx.graph.upsert_node(node("file", "b")).await?.id;
            // Refused inside the unit of work: the savepoint around the insert is rolled back,
            // so PostgreSQL still takes the statements after it.
            let nowhere = GraphNodeId::new();
            let missing = tx.graph.connect(edge(a, nowhere, "imports", 1.0)).await;
            assert!(matches!(
                missing,
                Err(RepoError::Validation {
                    field: "reference",
                    ..
                })
            ));
            tx.graph.connect(edge(a, b, "imports", 1.0)).await?;
            RepoResult::Ok((a, b))
        })
        .await
        .unwrap();
    let out = NeighbourQuery {
        relation: None,
        direction: Direction::Outgoing,
    };
    let neighbours = repos
        .graph
        .neighbours(a, out, Page::default())
        .await
        .unwrap();
    assert_eq!(neighbours.len(), 1);
    assert_eq!(neighbours[0].node.id, b);

    // A unit of work that fails leaves no node behind.
    let failed: RepoResult<()> = repos
        .transaction(async |tx| {
            tx.graph.upsert_node(node("file", "doomed")).await?;
            Err(RepoError::invalid("work", "changed my mind"))
        })
        .await;
    assert!(failed.is_err());
    let doomed = repos.graph.get_node_by_key("file", "doomed").await;
    assert!(
        matches!(doomed, Err(RepoError::NotFound { .. })),
        "{doomed:?}"
    );
    drop(db);
}
