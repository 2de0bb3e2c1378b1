//! How a sibling service unit-tests its own code against the `mock` feature's tiered memory
//! repository.

use std::sync::Arc;

use chrono::Utc;
use memdb_enhanced_repository::tiered::{
    NewTieredMemory, Tier, TieredMemory, TieredMemoryRepository,
};
use memdb_enhanced_repository::{MockTieredMemoryRepository, RepoError, TieredMemoryId};
use memdb_repository::RepoResult;
use mockall::predicate::function;
use serde_json::json;

/// The service's code under test: remembers a support ticket in the user's short-term tier,
/// filed under its cluster, and reports bad input as `None` instead of failing.
async fn remember_ticket(
    memories: &Arc<dyn TieredMemoryRepository>,
    user: &str,
    text: &str,
) -> RepoResult<Option<TieredMemory>> {
    let input = NewTieredMemory {
        metadata: json!({"topic": "ticket", "category": "support"}),
        ..NewTieredMemory::new(user, text, Tier::ShortTerm)
    };
    match memories.add(input).await {
        Ok(memory) => Ok(Some(memory)),
        Err(RepoError::Validation { .. }) => Ok(None),
        Err(err) => Err(err),
    }
}

#[tokio::test]
async fn a_service_files_tickets_through_the_mock() {
    let mut mock = MockTieredMemoryRepository::new();
    mock.expect_add()
        .with(function(|input: &NewTieredMemory| input.content == "help"))
        .times(1)
        .returning(|input| {
            let at = Utc::now();
            Ok(TieredMemory {
                id: TieredMemoryId::new(),
                user_id: input.user_id,
                thread_id: None,
                content: input.content,
                tier: input.tier,
                importance: input.importance,
                metadata: input.metadata,
                related_threads: Vec::new(),
                created_at: at,
                updated_at: at,
            })
        });
    mock.expect_add()
        .with(function(|input: &NewTieredMemory| input.content.is_empty()))
        .times(1)
        .returning(|_| Err(RepoError::invalid("content", "must not be empty")));
    let memories: Arc<dyn TieredMemoryRepository> = Arc::new(mock);
    let filed = remember_ticket(&memories, "alice", "help").await.unwrap();
    assert_eq!(filed.unwrap().metadata["topic"], "ticket");
    assert_eq!(remember_ticket(&memories, "alice", "").await.unwrap(), None);
}
