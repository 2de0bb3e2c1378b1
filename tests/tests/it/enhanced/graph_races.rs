//! Graph writes racing each other on the pool's connections, on both backends.

use memdb_enhanced_entity::graph_nodes;
use memdb_enhanced_repository::graph::{GraphRepository, NodeUpsert};
use memdb_enhanced_repository::{RepoError, SeaOrmGraphRepository};
use memdb_repository::ConflictKind;
use memdb_tests::TestDb;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

use super::graph::{edge, node};

const RACERS: usize = 16;
const ROUNDS: usize = 5;

/// Runs `RACERS` copies of `call` at once, each given its number, and returns their results.
async fn race<T, F, Fut>(repo: &SeaOrmGraphRepository, call: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(SeaOrmGraphRepository, usize) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
{
    let tasks: Vec<_> = (0..RACERS)
        .map(|i| tokio::spawn(call(repo.clone(), i)))
        .collect();
    let mut results = Vec::with_capacity(RACERS);
    for task in tasks {
        results.push(task.await.expect("racer"));
    }
    results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_upserts_of_one_key_all_succeed_and_leave_one_node() {
    let db = TestDb::new().await;
    let repo = SeaOrmGraphRepository::new(db.pool());
    for round in 0..ROUNDS {
        let key = format!("contested-{round}");
        let upserted = race(&repo, |repo, i| {
            let input = NodeUpsert {
                properties: json!({"writer": i}),
                ..node("file", &key)
            };
            async move { repo.upsert_node(input).await }
        })
        .await;
        let nodes: Vec<_> = upserted
            .into_iter()
            .map(|result| result.unwrap_or_else(|err| panic!("round {round}: {err:?}")))
            .collect();
        assert!(
            nodes.iter().all(|n| n.id == nodes[0].id),
            "round {round}: two ids"
        );
        let stored = graph_nodes::Entity::find()
            .filter(graph_nodes::Column::Key.eq(key.as_str()))
            .count(db.conn())
            .await
            .unwrap();
        assert_eq!(stored, 1, "round {round}");
        let last = repo.get_node(nodes[0].id).await.unwrap();
        let writer = last.properties["writer"].as_u64().unwrap();
        assert!(writer < RACERS as u64, "round {round}: {last:?}");
        assert!(nodes.iter().all(|n| n.created_at == last.created_at));
    }
    drop(db);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_connects_of_one_triple_make_one_edge() {
    let db = TestDb::new().await;
    let repo = SeaOrmGraphRepository::new(db.pool());
    for round in 0..ROUNDS {
        let a = repo
            .upsert_node(node("file", &format!("a{round}")))
            .await
            .unwrap()
            .id;
        let b = repo
            .upsert_node(node("file", &format!("b{round}")))
            .await
            .unwrap()
            .id;
        let connected = race(&repo, |repo, _| async move {
            repo.connect(edge(a, b, "imports", 1.0)).await
        })
        .await;
        let mut made = 0;
        for result in connected {
            match result {
                Ok(_) => made += 1,
                Err(RepoError::Conflict {
                    kind: ConflictKind::Duplicate,
                    ..
                }) => {}
                Err(other) => panic!("round {round}: {other:?}"),
            }
        }
        assert_eq!(made, 1, "round {round}");
    }
    drop(db);
}
