//! Memory namespaces: prefix listings that never leak into sibling namespaces, keyset pages,
//! expiry on every read and the sweeper, and the user-scoped handle.

use std::time::Duration;

use memdb_enhanced_repository::memory::{MemoryCursor, MemoryRepository, PutMemory};
use memdb_enhanced_repository::{Page, RepoError};
use memdb_tests::TestDb;
use serde_json::json;

use super::memory::{memory, put};
use super::support::invalid_field;

async fn listed(repo: &dyn MemoryRepository, prefix: &str) -> Vec<String> {
    let page = repo.list(prefix, None, 1000).await.unwrap();
    assert_eq!(page.next, None);
    page.entries
        .iter()
        .map(|e| format!("{}/{}", e.namespace, e.key))
        .collect()
}

#[tokio::test]
async fn prefix_listing_is_segment_safe_and_takes_wildcards_literally() {
    let db = TestDb::new().await;
    let repo = memory(&db, "alice");
    for ns in [
        "acme",
        "acme:a",
        "acme:b:c",
        "acme-corp",
        "acme-corp:x",
        "acmez",
        "acm",
        "ac%e",
        "ac_e",
        "a\\cme",
        "acme;",
        "user:al",
        "user:al:x",
        "user:alice",
        "user:al_",
    ] {
        repo.put(put(ns, "k", json!(ns))).await.unwrap();
    }
    assert_eq!(
        listed(&repo, "acme").await,
        ["acme/k", "acme:a/k", "acme:b:c/k"]
    );
    assert_eq!(
        listed(&repo, "acme-corp").await,
        ["acme-corp/k", "acme-corp:x/k"]
    );
    assert_eq!(listed(&repo, "ac%e").await, ["ac%e/k"]);
    assert_eq!(listed(&repo, "ac_e").await, ["ac_e/k"]);
    assert_eq!(listed(&repo, "a\\cme").await, ["a\\cme/k"]);
    assert_eq!(listed(&repo, "user:al").await, ["user:al/k", "user:al:x/k"]);
    assert_eq!(listed(&repo, "user:a").await, Vec::<String>::new());
    assert_eq!(listed(&repo, "acme:b").await, ["acme:b:c/k"]);
}

#[tokio::test]
async fn listing_shows_latest_live_versions_in_keyset_pages() {
    let db = TestDb::new().await;
    let repo = memory(&db, "alice");
    for i in 0..7 {
        let ns = if i % 2 == 0 { "app:a" } else { "app:b" };
        repo.put(put(ns, &format!("k{i}"), json!(i))).await.unwrap();
        repo.put(put(ns, &format!("k{i}"), json!(i * 10)))
            .await
            .unwrap();
    }
    repo.delete("app:b", "k3").await.unwrap();
    let mut seen = Vec::new();
    let mut after: Option<MemoryCursor> = None;
    loop {
        let page = repo.list("app", after.clone(), 2).await.unwrap();
        assert!(page.entries.len() <= 2);
        seen.extend(
            page.entries
                .iter()
                .map(|e| (e.key.clone(), e.version, e.value.clone())),
        );
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let keys: Vec<&str> = seen.iter().map(|(k, _, _)| k.as_str()).collect();
    assert_eq!(keys, ["k0", "k2", "k4", "k6", "k1", "k5"]);
    assert!(seen.iter().all(|(_, version, _)| *version == 2));
    assert_eq!(seen[1].2, json!(20));
}

#[tokio::test]
async fn expired_entries_are_invisible_to_every_read_and_swept_in_batches() {
    let db = TestDb::new().await;
    let repo = memory(&db, "alice");
    let short = |key: &str| PutMemory {
        ttl: Some(Duration::from_secs(1)),
        ..put("app:ttl", key, json!(key))
    };
    let mut expiries = Vec::new();
    for i in 0..5 {
        repo.put(put("app:ttl", &format!("e{i}"), json!(0)))
            .await
            .unwrap();
        let entry = repo.put(short(&format!("e{i}"))).await.unwrap();
        expiries.push(entry.expires_at.expect("a ttl sets expires_at"));
    }
    let long = PutMemory {
        ttl: Some(Duration::from_hours(1)),
        ..put("app:ttl", "kept", json!(1))
    };
    repo.put(long).await.unwrap();
    repo.put(put("app:ttl", "forever", json!(1))).await.unwrap();
    let listing = listed(&repo, "app:ttl").await;
    // On a machine so loaded that the first short entry expired meanwhile, the count proves
    // nothing; the reads below still do.
    if chrono::Utc::now() < expiries[0] {
        assert_eq!(listing.len(), 7);
    }
    let latest = *expiries.iter().max().unwrap();
    let wait = (latest - chrono::Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(wait + Duration::from_millis(50)).await;

    assert_eq!(repo.get("app:ttl", "e0").await.unwrap(), None);
    assert_eq!(repo.get_version("app:ttl", "e0", 1).await.unwrap(), None);
    assert!(
        repo.history("app:ttl", "e0", Page::new(10, 0).unwrap())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        repo.restore("app:ttl", "e0", 1).await,
        Err(RepoError::NotFound { .. })
    ));
    assert!(matches!(
        repo.delete("app:ttl", "e0").await,
        Err(RepoError::NotFound { .. })
    ));
    assert_eq!(
        listed(&repo, "app:ttl").await,
        ["app:ttl/forever", "app:ttl/kept"]
    );

    // Two entries' versions, then the other three, then nothing.
    assert_eq!(repo.sweep_expired(2).await.unwrap(), 4);
    assert_eq!(repo.sweep_expired(10).await.unwrap(), 6);
    assert_eq!(repo.sweep_expired(10).await.unwrap(), 0);
    assert!(repo.get("app:ttl", "kept").await.unwrap().is_some());
    // A put after the sweep starts afresh.
    assert_eq!(
        repo.put(put("app:ttl", "e0", json!(1)))
            .await
            .unwrap()
            .version,
        1
    );
}

#[tokio::test]
async fn a_user_scoped_handle_reaches_its_own_namespaces_and_reads_app_only() {
    let db = TestDb::new().await;
    let admin = memory(&db, "admin");
    for ns in [
        "user:alice",
        "user:alice:notes",
        "user:alice2",
        "user:bob",
        "app:memdb",
        "apple",
    ] {
        admin.put(put(ns, "k", json!(ns))).await.unwrap();
    }
    let alice = admin.scoped_to_user("alice").unwrap();
    assert_eq!(alice.home(), "user:alice");

    for ns in ["user:alice", "user:alice:notes", "user:alice:..x"] {
        alice.put(put(ns, "mine", json!(1))).await.unwrap();
        assert!(alice.get(ns, "mine").await.unwrap().is_some());
    }
    assert!(alice.get("app:memdb", "k").await.unwrap().is_some());
    assert_eq!(listed(&alice, "app").await, ["app:memdb/k"]);
    assert_eq!(listed(&alice, "user:alice").await.len(), 5);

    for ns in [
        "user:alice2",
        "user:bob",
        "user",
        "apple",
        "user:alice%",
        "user:alice_",
        "user:*",
    ] {
        assert_eq!(invalid_field(alice.get(ns, "k").await), "namespace", "{ns}");
        assert_eq!(
            invalid_field(alice.put(put(ns, "k", json!(0))).await),
            "namespace",
            "{ns}"
        );
        assert_eq!(
            invalid_field(alice.list(ns, None, 10).await),
            "prefix",
            "{ns}"
        );
    }
    // `app` is read-only for a user.
    assert_eq!(
        invalid_field(alice.put(put("app:memdb", "k", json!(0))).await),
        "namespace"
    );
    assert_eq!(
        invalid_field(alice.delete("app:memdb", "k").await),
        "namespace"
    );
    assert_eq!(
        invalid_field(alice.purge("user:bob", "k").await),
        "namespace"
    );
    assert_eq!(
        invalid_field(alice.restore("user:bob", "k", 1).await),
        "namespace"
    );
    assert_eq!(invalid_field(alice.sweep_expired(10).await), "scope");
    // Nothing of theirs changed.
    assert_eq!(
        admin.get("user:bob", "k").await.unwrap().unwrap().version,
        1
    );
    assert_eq!(
        admin.get("app:memdb", "k").await.unwrap().unwrap().version,
        1
    );
    for bad in ["", "a:b", "a/b", "..", "al ice"] {
        assert_eq!(
            invalid_field(admin.scoped_to_user(bad)),
            "user_id",
            "{bad:?}"
        );
    }
}
