//! How a sibling service unit-tests its own code against the `mock` feature's session
//! repository.

use std::sync::Arc;

use memdb_enhanced_repository::sessions::{Appended, NewEvent, SessionRepository, StateDelta};
use memdb_enhanced_repository::{MockSessionRepository, RepoError, SessionId};
use memdb_repository::{ConflictKind, RepoResult};
use mockall::predicate::{always, eq};
use serde_json::json;

/// The service's code under test: records a user message, and reports a stale session as
/// `false` for the caller to reload it instead of failing.
async fn record_message(
    sessions: &Arc<dyn SessionRepository>,
    id: SessionId,
    version: i32,
    text: &str,
) -> RepoResult<bool> {
    let event = NewEvent::new("message", "user", json!({ "text": text }));
    let delta = StateDelta::new().set("last_message", json!(text));
    match sessions
        .append_events(id, vec![event], Some(version), delta)
        .await
    {
        Ok(_) => Ok(true),
        Err(err) if err.conflict_kind() == Some(ConflictKind::StaleVersion) => Ok(false),
        Err(err) => Err(err),
    }
}

#[tokio::test]
async fn a_service_handles_a_stale_session_through_the_mock() {
    let id = SessionId::new();
    let mut mock = MockSessionRepository::new();
    mock.expect_append_events()
        .with(eq(id), always(), eq(Some(3)), always())
        .times(1)
        .returning(|_, events, _, delta| {
            assert_eq!(events.len(), 1);
            assert!(!delta.is_empty());
            Ok(Appended {
                version: 4,
                events: Vec::new(),
            })
        });
    mock.expect_append_events()
        .with(eq(id), always(), eq(Some(2)), always())
        .times(1)
        .returning(|_, _, _, _| {
            Err(RepoError::conflict(
                ConflictKind::StaleVersion,
                "session is at version 3, not 2",
            ))
        });
    let sessions: Arc<dyn SessionRepository> = Arc::new(mock);
    assert!(record_message(&sessions, id, 3, "hi").await.unwrap());
    assert!(!record_message(&sessions, id, 2, "hi").await.unwrap());
}
