//! `MemoryRepository::put_many`: first versions of many new entries in one transaction, with
//! their audit entries; a batch that repeats an entry, names a stored one or holds a bad input
//! writes nothing and names the input.

use std::sync::Arc;

use memdb_enhanced_entity::{audit_log, memory_entries};
use memdb_enhanced_repository::audit::{AuditAction, AuditRepository};
use memdb_enhanced_repository::audited::AuditTrail;
use memdb_enhanced_repository::audited::entities::MEMORY_ENTRY;
use memdb_enhanced_repository::memory::{MemoryRepository, PutMemory};
use memdb_enhanced_repository::{
    EnhancedRepositories, MockAuditRepository, Page, RepoError, SeaOrmMemoryRepository,
};
use memdb_repository::ConflictKind;
use memdb_repository::bulk::MAX_ROWS_PER_INSERT;
use memdb_tests::TestDb;
use sea_orm::{DbErr, EntityTrait, PaginatorTrait};
use serde_json::json;

use super::memory::{memory, put};

/// Rows stored in the memory entries table and in the audit log.
async fn stored(db: &TestDb) -> (u64, u64) {
    let pool = db.pool();
    let entries = memory_entries::Entity::find().count(&pool).await.unwrap();
    let audit = audit_log::Entity::find().count(&pool).await.unwrap();
    (entries, audit)
}

/// The conflict's kind and message.
fn conflict<T>(result: Result<T, RepoError>) -> (ConflictKind, String) {
    match result {
        Err(RepoError::Conflict { kind, message }) => (kind, message),
        Err(other) => panic!("expected a conflict, got {other:?}"),
        Ok(_) => panic!("expected a conflict, the batch was written"),
    }
}

/// The validation error's field and reason.
fn invalid<T>(result: Result<T, RepoError>) -> (&'static str, String) {
    match result {
        Err(RepoError::Validation { field, reason }) => (field, reason),
        Err(other) => panic!("expected a validation error, got {other:?}"),
        Ok(_) => panic!("expected a validation error, the batch was written"),
    }
}

/// `n` puts spread over ten namespaces below `root`.
fn batch(root: &str, n: usize) -> Vec<PutMemory> {
    (0..n)
        .map(|i| put(&format!("{root}:{}", i % 10), &format!("k{i:05}"), json!(i)))
        .collect()
}

#[tokio::test]
async fn put_many_writes_first_versions_with_their_audit_entries() {
    let db = TestDb::new().await;
    let repo = memory(&db, "alice");
    assert!(repo.put_many(Vec::new()).await.unwrap().is_empty());
    let inputs = vec![
        PutMemory {
            metadata: json!({"source": "import"}),
            ttl: Some(std::time::Duration::from_hours(1)),
            ..put("app:docs", "style", json!({"tone": "dry"}))
        },
        PutMemory {
            expected_version: Some(0),
            ..put("user:bob", "name", json!("Bob"))
        },
        put("app:docs", "length", json!(3)),
    ];
    let written = repo.put_many(inputs).await.unwrap();
    let names: Vec<(&str, &str)> = written
        .iter()
        .map(|e| (e.namespace.as_str(), e.key.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("app:docs", "style"),
            ("user:bob", "name"),
            ("app:docs", "length")
        ]
    );
    assert!(written.iter().all(|e| e.version == 1 && !e.is_deleted));
    assert!(written.iter().all(|e| e.created_by == "alice"));
    assert_eq!(written[0].metadata, json!({"source": "import"}));
    assert!(written[0].expires_at.is_some() && written[1].expires_at.is_none());
    for entry in &written {
        let read = repo.get(&entry.namespace, &entry.key).await.unwrap();
        assert_eq!(read.as_ref(), Some(entry));
    }
    let audit = EnhancedRepositories::from_connection(db.pool()).audit;
    let page = Page::new(10, 0).unwrap();
    let rows = audit
        .for_row(MEMORY_ENTRY, "app:docs/style", page)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].action, rows[0].actor.as_str()),
        (AuditAction::Create, "alice")
    );
    assert_eq!(
        rows[0].after.as_ref().unwrap()["value"],
        json!({"tone": "dry"})
    );
    assert_eq!(stored(&db).await, (3, 3));
    // A later put continues the versions of an entry put_many wrote.
    let next = repo.put(put("app:docs", "length", json!(4))).await.unwrap();
    assert_eq!(next.version, 2);
}

#[tokio::test]
async fn an_entry_twice_in_a_batch_is_a_conflict_naming_the_second_and_writes_nothing() {
    let db = TestDb::new().await;
    let repo = memory(&db, "alice");
    let inputs = vec![
        put("app:x", "a", json!(1)),
        put("app:x", "b", json!(2)),
        put("app:x", "a", json!(3)),
    ];
    let (kind, message) = conflict(repo.put_many(inputs).await);
    assert_eq!(kind, ConflictKind::Duplicate);
    assert!(message.starts_with("input 2: input 0 "), "{message}");
    assert_eq!(stored(&db).await, (0, 0));
}

#[tokio::test]
async fn a_stored_entry_is_a_conflict_naming_its_input_and_writes_nothing() {
    let db = TestDb::new().await;
    let repo = memory(&db, "alice");
    repo.put(put("app:x", "kept", json!(1))).await.unwrap();
    repo.put(put("app:x", "gone", json!(1))).await.unwrap();
    repo.delete("app:x", "gone").await.unwrap();
    // A live entry, and a deleted one (which still has its versions).
    for (existing, index) in [("kept", 1), ("gone", 2)] {
        let mut inputs = vec![put("app:y", "new", json!(1))];
        if index == 2 {
            inputs.push(put("app:x", "new", json!(1)));
        }
        inputs.push(put("app:x", existing, json!(2)));
        let (kind, message) = conflict(repo.put_many(inputs).await);
        assert_eq!(kind, ConflictKind::Duplicate);
        assert_eq!(
            message,
            format!("input {index}: memory entry app:x/{existing} exists already")
        );
        assert_eq!(repo.get("app:y", "new").await.unwrap(), None);
        assert_eq!(repo.get("app:x", "new").await.unwrap(), None);
    }
    // Two puts, one delete, and their audit entries: nothing more.
    assert_eq!(stored(&db).await, (3, 3));
}

#[tokio::test]
async fn a_bad_input_is_a_validation_error_naming_it_and_writes_nothing() {
    let db = TestDb::new().await;
    let repo = memory(&db, "alice");
    let mut inputs = batch("app:ok", 5);
    inputs.insert(3, put("app::bad", "k", json!(1)));
    let (field, reason) = invalid(repo.put_many(inputs).await);
    assert_eq!(field, "namespace");
    assert!(reason.starts_with("input 3: "), "{reason}");
    let mut inputs = batch("app:ok", 5);
    inputs[4].metadata = json!([1, 2]);
    let (field, reason) = invalid(repo.put_many(inputs).await);
    assert_eq!((field, reason.starts_with("input 4: ")), ("metadata", true));
    let mut inputs = batch("app:ok", 5);
    inputs[1].expected_version = Some(1);
    let (field, reason) = invalid(repo.put_many(inputs).await);
    assert_eq!(field, "expected_version");
    assert!(reason.starts_with("input 1: "), "{reason}");
    assert_eq!(stored(&db).await, (0, 0));
}

#[tokio::test]
async fn batches_larger_than_one_insert_are_written_whole_or_not_at_all() {
    let db = TestDb::new().await;
    let repo = memory(&db, "alice");
    let n = 2 * MAX_ROWS_PER_INSERT + 345;
    let last = n - 6;
    let (ns, key) = (format!("app:big:{}", last % 10), format!("k{last:05}"));
    // A stored entry that only the last insert of the batch meets.
    repo.put(put(&ns, &key, json!(0))).await.unwrap();
    let (_, message) = conflict(repo.put_many(batch("app:big", n)).await);
    assert!(message.starts_with(&format!("input {last}: ")), "{message}");
    assert_eq!(stored(&db).await, (1, 1));
    repo.purge(&ns, &key).await.unwrap();
    let written = repo.put_many(batch("app:big", n)).await.unwrap();
    assert_eq!(written.len(), n);
    // The purge's audit entry, the first put's and one per entry.
    assert_eq!(stored(&db).await, (n as u64, n as u64 + 2));
    let mut listed = 0;
    let mut after = None;
    loop {
        let page = repo.list("app:big", after, 1000).await.unwrap();
        listed += page.entries.len();
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(listed, n);
}

#[tokio::test]
async fn a_failed_audit_write_rolls_the_batch_back() {
    let db = TestDb::new().await;
    let trail = AuditTrail::new("alice").unwrap().with_sink(|_tx| {
        let mut sink = MockAuditRepository::new();
        sink.expect_append_many()
            .returning(|_| Err(RepoError::Db(DbErr::Custom("audit down".into()))));
        Arc::new(sink) as Arc<dyn AuditRepository>
    });
    let failing = SeaOrmMemoryRepository::new(db.pool(), trail);
    assert!(matches!(
        failing.put_many(batch("app:x", 3)).await,
        Err(RepoError::Db(_))
    ));
    assert_eq!(stored(&db).await, (0, 0));
}

#[tokio::test]
async fn a_user_scoped_handle_refuses_a_batch_reaching_outside_its_namespaces() {
    let db = TestDb::new().await;
    let alice = memory(&db, "alice").scoped_to_user("alice").unwrap();
    let inputs = vec![put("user:alice", "a", json!(1)), put("app", "b", json!(2))];
    let (field, reason) = invalid(alice.put_many(inputs).await);
    assert_eq!(field, "namespace");
    assert!(reason.starts_with("input 1: "), "{reason}");
    let written = alice
        .put_many(vec![put("user:alice:notes", "a", json!(1))])
        .await
        .unwrap();
    assert_eq!(written.len(), 1);
    assert_eq!(stored(&db).await, (1, 1));
}
