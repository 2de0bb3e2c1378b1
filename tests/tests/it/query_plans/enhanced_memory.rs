//! Every memory entry statement, for the plan check.

use std::time::Duration;

use memdb_enhanced_repository::Page;
use memdb_enhanced_repository::SeaOrmMemoryRepository;
use memdb_enhanced_repository::audited::AuditTrail;
use memdb_enhanced_repository::memory::{MemoryCursor, MemoryRepository, MemoryType, PutMemory};
use sea_orm::DatabaseConnection;
use serde_json::json;

use super::recorder::Recorder;

fn put(ns: &str, key: &str) -> PutMemory {
    PutMemory::new(ns, key, MemoryType::Episodic, json!({"n": 1}))
}

pub(super) async fn memory(db: &DatabaseConnection, rec: &Recorder) {
    let repo = SeaOrmMemoryRepository::new(db.clone(), AuditTrail::new("planner").unwrap());
    rec.call("memory.put");
    repo.put(put("user:alice", "k")).await.unwrap();
    for (ns, key) in [
        ("user:alice:x", "a"),
        ("user:alicex", "b"),
        ("user:alice", "c"),
    ] {
        repo.put(put(ns, key)).await.unwrap();
    }
    rec.call("memory.put with compare-and-set");
    let cas = PutMemory {
        expected_version: Some(1),
        ttl: Some(Duration::from_mins(1)),
        ..put("user:alice", "k")
    };
    repo.put(cas).await.unwrap();
    rec.call("memory.get");
    repo.get("user:alice", "k").await.unwrap().unwrap();
    rec.call("memory.get_version");
    repo.get_version("user:alice", "k", 1)
        .await
        .unwrap()
        .unwrap();
    rec.call("memory.history");
    let history = repo
        .history("user:alice", "k", Page::new(10, 0).unwrap())
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    rec.call("memory.restore");
    repo.restore("user:alice", "k", 1).await.unwrap();
    rec.call("memory.delete");
    repo.delete("user:alice", "k").await.unwrap();
    rec.call("memory.undelete");
    repo.undelete("user:alice", "k").await.unwrap();
    rec.call("memory.list");
    let first = repo.list("user:alice", None, 2).await.unwrap();
    assert_eq!(first.entries.len(), 2);
    rec.call("memory.list of a later page");
    let rest = repo.list("user:alice", first.next, 2).await.unwrap();
    assert_eq!(rest.entries.len(), 1);
    rec.call("memory.list after a cursor below the prefix");
    let below = MemoryCursor {
        namespace: "user:alice".into(),
        key: "zz".into(),
    };
    let under_user = repo.list("user", Some(below), 10).await.unwrap();
    assert_eq!(under_user.entries.len(), 2);
    rec.call("memory.put_many");
    let many = vec![put("app:bulk", "a"), put("app:bulk", "b")];
    assert_eq!(repo.put_many(many).await.unwrap().len(), 2);
    rec.call("memory.put_many refused for a stored entry");
    let refused = vec![put("app:bulk", "c"), put("app:bulk", "a")];
    assert!(repo.put_many(refused).await.is_err());
    rec.call("memory.purge");
    assert_eq!(repo.purge("user:alice", "k").await.unwrap(), 5);
    rec.call("memory.sweep_expired");
    assert_eq!(repo.sweep_expired(100).await.unwrap(), 0);
}
