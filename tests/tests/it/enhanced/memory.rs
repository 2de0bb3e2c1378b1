//! The memory entry story on a real database: versions, compare-and-set, restore, soft delete
//! and undelete, purge, bad input, and the audit entry each write leaves in its transaction.

use std::sync::Arc;

use memdb_enhanced_repository::audit::{AuditAction, AuditRepository};
use memdb_enhanced_repository::audited::AuditTrail;
use memdb_enhanced_repository::audited::entities::MEMORY_ENTRY;
use memdb_enhanced_repository::memory::{MemoryRepository, MemoryType, PutMemory};
use memdb_enhanced_repository::{
    EnhancedRepositories, MockAuditRepository, Page, RepoError, SeaOrmMemoryRepository,
};
use memdb_repository::ConflictKind;
use memdb_tests::TestDb;
use sea_orm::DbErr;
use serde_json::json;

use super::support::{invalid_field, nested_object};

pub(super) fn memory(db: &TestDb, actor: &str) -> SeaOrmMemoryRepository {
    SeaOrmMemoryRepository::new(db.pool(), AuditTrail::new(actor).unwrap())
}

pub(super) fn put(ns: &str, key: &str, value: serde_json::Value) -> PutMemory {
    PutMemory::new(ns, key, MemoryType::Semantic, value)
}

fn page() -> Page {
    Page::new(100, 0).unwrap()
}

fn conflict_kind<T: std::fmt::Debug>(result: Result<T, RepoError>) -> ConflictKind {
    match result {
        Err(RepoError::Conflict { kind, .. }) => kind,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

#[tokio::test]
async fn memory_story_versions_restore_delete_undelete_purge() {
    let db = TestDb::new().await;
    let alice = memory(&db, "alice");
    let bob = memory(&db, "bob");

    let v1 = alice
        .put(put("app:docs", "style", json!({"tone": "dry"})))
        .await
        .unwrap();
    assert_eq!((v1.version, v1.is_deleted), (1, false));
    assert_eq!(
        (v1.created_by.as_str(), v1.updated_by.as_str()),
        ("alice", "alice")
    );
    let v2 = bob
        .put(PutMemory {
            memory_type: MemoryType::Procedural,
            metadata: json!({"source": "review"}),
            ..put("app:docs", "style", json!({"tone": "warm"}))
        })
        .await
        .unwrap();
    assert_eq!(v2.version, 2);
    assert_eq!(
        (v2.created_by.as_str(), v2.updated_by.as_str()),
        ("alice", "bob")
    );
    assert_eq!(v2.created_at, v1.created_at);

    let latest = alice.get("app:docs", "style").await.unwrap().unwrap();
    assert_eq!(latest, v2);
    let first = alice
        .get_version("app:docs", "style", 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first, v1);
    assert_eq!(
        alice.get_version("app:docs", "style", 9).await.unwrap(),
        None
    );
    assert_eq!(alice.get("app:docs", "other").await.unwrap(), None);

    // Restore version 1 as version 3: its value, type and metadata.
    let v3 = alice.restore("app:docs", "style", 1).await.unwrap();
    assert_eq!(
        (v3.version, &v3.value, v3.memory_type),
        (3, &json!({"tone": "dry"}), MemoryType::Semantic)
    );
    assert!(matches!(
        alice.restore("app:docs", "style", 7).await,
        Err(RepoError::NotFound { .. })
    ));

    // Soft delete: a version that hides the entry; history stays.
    let v4 = alice.delete("app:docs", "style").await.unwrap();
    assert_eq!((v4.version, v4.is_deleted), (4, true));
    assert_eq!(alice.get("app:docs", "style").await.unwrap(), None);
    assert_eq!(
        conflict_kind(alice.delete("app:docs", "style").await),
        ConflictKind::WrongState
    );
    let history = alice.history("app:docs", "style", page()).await.unwrap();
    let versions: Vec<u32> = history.iter().map(|e| e.version).collect();
    assert_eq!(versions, [4, 3, 2, 1]);
    let second_page = alice
        .history("app:docs", "style", Page::new(2, 2).unwrap())
        .await
        .unwrap();
    assert_eq!(
        second_page.iter().map(|e| e.version).collect::<Vec<_>>(),
        [2, 1]
    );

    let v5 = alice.undelete("app:docs", "style").await.unwrap();
    assert_eq!(
        (v5.version, v5.is_deleted, &v5.value),
        (5, false, &json!({"tone": "dry"}))
    );
    assert_eq!(
        conflict_kind(alice.undelete("app:docs", "style").await),
        ConflictKind::WrongState
    );
    assert_eq!(alice.get("app:docs", "style").await.unwrap().unwrap(), v5);

    // Purge: every version gone; a later put starts at 1 again.
    assert_eq!(alice.purge("app:docs", "style").await.unwrap(), 5);
    assert!(matches!(
        alice.purge("app:docs", "style").await,
        Err(RepoError::NotFound { .. })
    ));
    assert!(
        alice
            .history("app:docs", "style", page())
            .await
            .unwrap()
            .is_empty()
    );
    for missing in [
        alice.delete("app:docs", "style").await,
        alice.undelete("app:docs", "style").await,
    ] {
        assert!(matches!(missing, Err(RepoError::NotFound { .. })));
    }
    let again = alice.put(put("app:docs", "style", json!(1))).await.unwrap();
    assert_eq!(again.version, 1);
}

#[tokio::test]
async fn compare_and_set_refuses_a_stale_version_and_writes_nothing() {
    let db = TestDb::new().await;
    let repo = memory(&db, "alice");
    let cas = |expected: u32, value: i32| PutMemory {
        expected_version: Some(expected),
        ..put("user:alice", "counter", json!(value))
    };
    assert_eq!(
        conflict_kind(repo.put(cas(1, 0)).await),
        ConflictKind::StaleVersion
    );
    assert_eq!(repo.put(cas(0, 1)).await.unwrap().version, 1);
    assert_eq!(
        conflict_kind(repo.put(cas(0, 9)).await),
        ConflictKind::StaleVersion
    );
    assert_eq!(repo.put(cas(1, 2)).await.unwrap().version, 2);
    assert_eq!(
        conflict_kind(repo.put(cas(1, 9)).await),
        ConflictKind::StaleVersion
    );
    let latest = repo.get("user:alice", "counter").await.unwrap().unwrap();
    assert_eq!((latest.version, latest.value), (2, json!(2)));
    assert_eq!(
        repo.history("user:alice", "counter", page())
            .await
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn bad_input_is_a_validation_error_and_writes_nothing() {
    let db = TestDb::new().await;
    let repo = memory(&db, "alice");
    let long_ns = format!("a:{}", "b".repeat(99));
    let long_key = "k".repeat(100);
    for (ns, key, field) in [
        ("", "k", "namespace"),
        ("user::alice", "k", "namespace"),
        (":user", "k", "namespace"),
        ("user:", "k", "namespace"),
        ("user:al ice", "k", "namespace"),
        ("user:al/ice", "k", "namespace"),
        ("user:..", "k", "namespace"),
        ("user:é", "k", "namespace"),
        (long_ns.as_str(), "k", "namespace"),
        ("user:alice", "", "key"),
        ("user:alice", "a\0b", "key"),
        ("user:alice", long_key.as_str(), "key"),
    ] {
        assert_eq!(
            invalid_field(repo.put(put(ns, key, json!(1))).await),
            field,
            "{ns:?} {key:?}"
        );
        assert_eq!(
            invalid_field(repo.get(ns, key).await),
            field,
            "{ns:?} {key:?}"
        );
    }
    let bad_metadata = PutMemory {
        metadata: json!([1]),
        ..put("a", "k", json!(1))
    };
    assert_eq!(invalid_field(repo.put(bad_metadata).await), "metadata");
    assert_eq!(
        invalid_field(repo.put(put("a", "k", json!("a\u{0}b"))).await),
        "value"
    );
    assert_eq!(
        invalid_field(repo.put(put("a", "k", nested_object(200))).await),
        "value"
    );
    let zero_ttl = PutMemory {
        ttl: Some(std::time::Duration::ZERO),
        ..put("a", "k", json!(1))
    };
    assert_eq!(invalid_field(repo.put(zero_ttl).await), "ttl");
    assert_eq!(invalid_field(repo.list("a", None, 0).await), "limit");
    assert_eq!(invalid_field(repo.list("a:", None, 10).await), "prefix");
    assert_eq!(invalid_field(repo.sweep_expired(0).await), "batch");
    let all = repo.list("a", None, 10).await.unwrap();
    assert!(all.entries.is_empty());
}

#[tokio::test]
async fn every_write_is_audited_with_its_images() {
    let db = TestDb::new().await;
    let repo = memory(&db, "alice");
    let audit = EnhancedRepositories::from_connection(db.pool()).audit;
    repo.put(put("app:x", "k", json!(1))).await.unwrap();
    repo.put(put("app:x", "k", json!(2))).await.unwrap();
    repo.restore("app:x", "k", 1).await.unwrap();
    repo.delete("app:x", "k").await.unwrap();
    repo.undelete("app:x", "k").await.unwrap();
    repo.purge("app:x", "k").await.unwrap();
    let entries = audit
        .for_row(MEMORY_ENTRY, "app:x/k", page())
        .await
        .unwrap();
    let actions: Vec<AuditAction> = entries.iter().map(|e| e.action).collect();
    let (create, update, delete) = (
        AuditAction::Create,
        AuditAction::Update,
        AuditAction::Delete,
    );
    assert_eq!(actions, [create, update, update, delete, update, delete]);
    assert!(entries.iter().all(|e| e.actor == "alice"));
    let version = |image: &Option<serde_json::Value>| image.as_ref().map(|i| i["version"].clone());
    assert_eq!(version(&entries[1].before), Some(json!(1)));
    assert_eq!(version(&entries[1].after), Some(json!(2)));
    assert_eq!(entries[2].after.as_ref().unwrap()["value"], json!(1));
    assert_eq!(version(&entries[3].before), Some(json!(3)));
    assert_eq!(version(&entries[5].before), Some(json!(5)));
}

#[tokio::test]
async fn a_failed_audit_write_rolls_the_memory_write_back() {
    let db = TestDb::new().await;
    let trail = AuditTrail::new("alice").unwrap().with_sink(|_tx| {
        let mut sink = MockAuditRepository::new();
        sink.expect_append()
            .returning(|_| Err(RepoError::Db(DbErr::Custom("audit down".into()))));
        Arc::new(sink) as Arc<dyn AuditRepository>
    });
    let failing = SeaOrmMemoryRepository::new(db.pool(), trail);
    let repo = memory(&db, "alice");
    assert!(failing.put(put("app:x", "k", json!(1))).await.is_err());
    assert_eq!(repo.get("app:x", "k").await.unwrap(), None);
    repo.put(put("app:x", "k", json!(1))).await.unwrap();
    assert!(failing.put(put("app:x", "k", json!(2))).await.is_err());
    assert!(failing.delete("app:x", "k").await.is_err());
    assert!(failing.purge("app:x", "k").await.is_err());
    let history = repo.history("app:x", "k", page()).await.unwrap();
    assert_eq!((history.len(), &history[0].value), (1, &json!(1)));
}
