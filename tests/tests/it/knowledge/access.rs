//! `knowledge.get` records the access in one statement. On the pool that statement commits
//! without waiting for the WAL flush on PostgreSQL, for its own transaction only; inside a
//! unit of work it runs as is, and the caller's transaction keeps its durability.

use memdb_repository::{ConnectBuilder, RepoError};
use memdb_repository::{KnowledgeRepository, Repositories, SeaOrmKnowledgeRepository};
use memdb_tests::TestDb;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use super::item;

/// `synchronous_commit` as the connection or transaction `db` sees it (PostgreSQL only).
async fn synchronous_commit(db: &impl ConnectionTrait) -> String {
    let show = Statement::from_string(DbBackend::Postgres, "SHOW synchronous_commit");
    let row = db.query_one_raw(show).await.unwrap().expect("one row");
    row.try_get_by_index::<String>(0).unwrap()
}

#[tokio::test]
async fn get_on_the_pool_counts_and_leaves_the_connection_durable() {
    let db = TestDb::new().await;
    // One connection, so the check below runs on the connection the reads used.
    let pool = ConnectBuilder::new(db.url())
        .max_connections(1)
        .connect()
        .await
        .unwrap();
    let repo = SeaOrmKnowledgeRepository::new(pool.clone());
    let id = repo.add(item("counted", "fact", 0.5)).await.unwrap().id;
    for expected in 1..=3 {
        let read = repo.get(id).await.unwrap();
        assert_eq!((read.id, read.access_count), (id, expected));
        assert!(read.last_accessed.is_some());
    }
    assert_eq!(repo.peek(id).await.unwrap().access_count, 3);
    if db.backend() == DbBackend::Postgres {
        assert_eq!(synchronous_commit(&pool).await, "on", "the setting leaked");
    }
    let missing = memdb_repository::KnowledgeId::new();
    assert!(matches!(
        repo.get(missing).await,
        Err(RepoError::NotFound { .. })
    ));
    pool.close().await.unwrap();
}

#[tokio::test]
async fn get_in_a_unit_of_work_keeps_the_callers_durability() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());
    let id = repos
        .knowledge
        .add(item("in a unit", "fact", 0.5))
        .await
        .unwrap()
        .id;
    let postgres = db.backend() == DbBackend::Postgres;
    let counted = repos
        .transaction(|tx| async move {
            let read = tx.knowledge.get(id).await?;
            if postgres {
                // Later statements of the caller's transaction still commit durably.
                assert_eq!(synchronous_commit(tx.connection()).await, "on");
            }
            tx.knowledge.add(item("written after", "fact", 0.5)).await?;
            Ok(read.access_count)
        })
        .await
        .unwrap();
    assert_eq!(counted, 1);
    assert_eq!(repos.knowledge.peek(id).await.unwrap().access_count, 1);
}

#[tokio::test]
async fn an_access_in_a_rolled_back_unit_of_work_is_not_counted() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());
    let id = repos
        .knowledge
        .add(item("rolled back", "fact", 0.5))
        .await
        .unwrap()
        .id;
    let outcome: Result<(), RepoError> = repos
        .transaction(|tx| async move {
            assert_eq!(tx.knowledge.get(id).await?.access_count, 1);
            Err(RepoError::invalid("test", "roll back"))
        })
        .await;
    assert!(outcome.is_err());
    assert_eq!(repos.knowledge.peek(id).await.unwrap().access_count, 0);
}
