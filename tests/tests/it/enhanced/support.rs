//! Helpers the enhanced tests share.

use chrono::{TimeDelta, Utc};
use memdb_enhanced_repository::audit::{AuditEntry, AuditRepository};
use memdb_enhanced_repository::{Page, RepoError, TimeWindow};
use serde_json::{Map, Value};

/// The field a validation error blames; any other outcome fails the test.
pub(super) fn invalid_field<T: std::fmt::Debug>(result: Result<T, RepoError>) -> &'static str {
    match result {
        Err(RepoError::Validation { field, .. }) => field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// Every audit entry appended in the last hour (and the next one), oldest first.
pub(super) async fn all_entries(audit: &dyn AuditRepository) -> Vec<AuditEntry> {
    let now = Utc::now();
    let window = TimeWindow::new(now - TimeDelta::hours(1), now + TimeDelta::hours(1)).unwrap();
    audit
        .in_window(window, Page::new(Page::MAX_LIMIT, 0).unwrap())
        .await
        .unwrap()
}

/// A JSON object nested `depth` deep, `{"n": {"n": ... {}}}`, built without recursion (not with
/// `json!`, which copies its parts recursively). Far deeper than the limit, dropping it
/// recursively would overflow a test thread's stack: such a value must only ever be handed to a
/// repository, which takes rejected values apart flat.
pub(super) fn nested_object(depth: usize) -> Value {
    let mut value = Value::Object(Map::new());
    for _ in 1..depth {
        value = Value::Object(std::iter::once(("n".to_owned(), value)).collect());
    }
    value
}
