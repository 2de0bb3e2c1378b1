//! Each lifecycle rule alone, on a real database: what the plan counts, what the run changes
//! (exactly that), the boundaries (a row exactly at the cutoff is not older), and a second run
//! that finds nothing left to do.

use std::ops::ControlFlow;

use memdb_enhanced_entity::memories;
use memdb_enhanced_repository::memory::{MemoryRepository, MemoryType};
use memdb_enhanced_repository::policies::{PolicyConfig, PolicyReport, Rule, Tier};
use memdb_tests::TestDb;
use sea_orm::EntityTrait;

use super::memory::memory;
use super::policy_fixtures::{
    Mem, ago, as_of, cluster_counts, insert_cluster, insert_entry, insert_memories, off, policies,
    tiers,
};

/// Runs `config` at [`as_of`] in batches of 2, checks the run's report equals the plan's, and
/// that a second run changes nothing; returns the report.
async fn plan_and_run(db: &TestDb, config: PolicyConfig) -> PolicyReport {
    let policies = policies(db.conn(), config);
    let plan = policies.plan(as_of()).await.unwrap();
    let run = policies
        .run(as_of(), 2, |_| ControlFlow::Continue(()))
        .await
        .unwrap();
    assert!(!run.stopped);
    assert_eq!(run.report, plan);
    let again = policies
        .run(as_of(), 2, |_| ControlFlow::Continue(()))
        .await
        .unwrap();
    assert_eq!(again.report.total(), 0, "{again:?}");
    assert_eq!(policies.plan(as_of()).await.unwrap().total(), 0);
    plan
}

#[tokio::test]
async fn episodic_ttl_soft_deletes_old_live_episodic_entries_only() {
    let db = TestDb::new().await;
    let conn = db.conn();
    let old = ago(91, 0);
    insert_entry(conn, ("user:a", "old"), MemoryType::Episodic, old, None).await;
    insert_entry(
        conn,
        ("user:a", "old2"),
        MemoryType::Episodic,
        ago(300, 0),
        None,
    )
    .await;
    // Exactly 90 days old: not older than the TTL.
    insert_entry(
        conn,
        ("user:a", "edge"),
        MemoryType::Episodic,
        ago(90, 0),
        None,
    )
    .await;
    insert_entry(
        conn,
        ("user:a", "young"),
        MemoryType::Episodic,
        ago(10, 0),
        None,
    )
    .await;
    insert_entry(conn, ("user:a", "fact"), MemoryType::Semantic, old, None).await;
    insert_entry(conn, ("user:a", "how"), MemoryType::Procedural, old, None).await;
    // Expired: invisible already, the sweeper's.
    insert_entry(
        conn,
        ("user:a", "gone"),
        MemoryType::Episodic,
        old,
        Some(ago(95, 0)),
    )
    .await;
    let repo = memory(&db, "tester");
    // Old, then written again: its current version is young.
    insert_entry(
        conn,
        ("user:a", "rewritten"),
        MemoryType::Episodic,
        old,
        None,
    )
    .await;
    repo.restore("user:a", "rewritten", 1).await.unwrap();
    // Old and deleted already.
    insert_entry(conn, ("user:a", "deleted"), MemoryType::Episodic, old, None).await;
    repo.delete("user:a", "deleted").await.unwrap();

    let config = PolicyConfig {
        episodic_ttl_days: Some(90),
        ..off()
    };
    let report = plan_and_run(&db, config).await;
    assert_eq!(report.count(Rule::EpisodicTtl, None, None), 2);
    assert_eq!(report.total(), 2);
    for key in ["old", "old2"] {
        assert!(repo.get("user:a", key).await.unwrap().is_none(), "{key}");
        let deleted = repo.get_version("user:a", key, 2).await.unwrap().unwrap();
        assert!(deleted.is_deleted);
        assert_eq!(deleted.updated_by, "policies");
        // A soft delete: undelete brings it back.
        repo.undelete("user:a", key).await.unwrap();
    }
    for key in ["edge", "young", "fact", "how", "rewritten"] {
        assert!(repo.get("user:a", key).await.unwrap().is_some(), "{key}");
    }
}

#[tokio::test]
async fn trim_deletes_the_excess_lowest_tier_importance_age_first_and_counts_clusters_down() {
    let db = TestDb::new().await;
    let conn = db.conn();
    let a = |tier, importance, age| Mem::new("alice", tier, importance, age);
    let keep_long = a(Tier::LongTerm, 0.0, 500).in_cluster("rust", "lang");
    let keep_mid = a(Tier::MidTerm, 0.9, 1).in_cluster("rust", "lang");
    let keep_short = a(Tier::ShortTerm, 0.9, 1);
    let drop_short_old = a(Tier::ShortTerm, 0.5, 20).in_cluster("rust", "lang");
    let drop_short_new = a(Tier::ShortTerm, 0.5, 10).in_cluster("go", "lang");
    let drop_short_low = a(Tier::ShortTerm, 0.1, 1);
    // Not a member: its topic is a number.
    let mut odd = a(Tier::LongTerm, 1.0, 1);
    odd.metadata = serde_json::json!({"topic": 7, "category": "lang"});
    let bob: Vec<Mem> = (0..4)
        .map(|i| Mem::new("bob", Tier::ShortTerm, 0.0, i).in_cluster("rust", "lang"))
        .collect();
    let mut mems = vec![
        keep_long.clone(),
        keep_mid.clone(),
        keep_short.clone(),
        drop_short_old.clone(),
        drop_short_new.clone(),
        drop_short_low.clone(),
        odd.clone(),
    ];
    mems.extend(bob.iter().cloned());
    insert_memories(conn, &mems).await;
    // Exact counts, as memdb's writes keep them.
    insert_cluster(conn, "alice", "rust", "lang", 3).await;
    insert_cluster(conn, "alice", "go", "lang", 1).await;
    insert_cluster(conn, "bob", "rust", "lang", 4).await;

    let config = PolicyConfig {
        max_memories_per_user: Some(4),
        ..off()
    };
    let report = plan_and_run(&db, config).await;
    assert_eq!(report.count(Rule::Trim, Some(Tier::ShortTerm), None), 3);
    assert_eq!(report.total(), 3);
    assert_eq!(
        report.trimmed_by_user.into_iter().collect::<Vec<_>>(),
        [("alice".to_owned(), 3)]
    );
    let left = tiers(conn).await;
    let mut expected: Vec<_> = [&keep_long, &keep_mid, &keep_short, &odd]
        .into_iter()
        .chain(&bob)
        .map(|m| m.id)
        .collect();
    expected.sort();
    assert_eq!(left.keys().copied().collect::<Vec<_>>(), expected);
    let counts = cluster_counts(conn).await;
    let count =
        |user: &str, topic: &str| counts[&(user.to_owned(), topic.to_owned(), "lang".to_owned())];
    assert_eq!(count("alice", "rust"), 2);
    assert_eq!(count("alice", "go"), 0);
    assert_eq!(count("bob", "rust"), 4);
}

#[tokio::test]
async fn tier_moves_go_to_the_target_once_and_keep_updated_at() {
    let db = TestDb::new().await;
    let conn = db.conn();
    let m = |tier, importance, age| Mem::new("carol", tier, importance, age);
    let cases = [
        // (memory, tier after)
        (m(Tier::ShortTerm, 0.6, 8), Tier::MidTerm),
        (m(Tier::ShortTerm, 0.8, 8), Tier::LongTerm),
        (m(Tier::MidTerm, 0.95, 8), Tier::LongTerm),
        (m(Tier::MidTerm, 0.6, 8), Tier::MidTerm),
        (m(Tier::LongTerm, 0.6, 8), Tier::LongTerm),
        // Promotion needs more than 7 days, exactly 7 is not older.
        (m(Tier::ShortTerm, 0.9, 7), Tier::ShortTerm),
        (m(Tier::ShortTerm, 0.49, 100), Tier::ShortTerm),
        // Demotion: below 0.2 and older than 30 days.
        (m(Tier::MidTerm, 0.1, 31), Tier::ShortTerm),
        (m(Tier::LongTerm, 0.0, 31), Tier::ShortTerm),
        (m(Tier::LongTerm, 0.2, 31), Tier::LongTerm),
        (m(Tier::LongTerm, 0.1, 30), Tier::LongTerm),
        (m(Tier::ShortTerm, 0.0, 300), Tier::ShortTerm),
    ];
    let mems: Vec<Mem> = cases.iter().map(|(m, _)| m.clone()).collect();
    insert_memories(conn, &mems).await;

    let config = PolicyConfig {
        promote_after_days: Some(7),
        demote_after_days: Some(30),
        ..off()
    };
    let report = plan_and_run(&db, config).await;
    let (s, mid, l) = (Tier::ShortTerm, Tier::MidTerm, Tier::LongTerm);
    assert_eq!(report.count(Rule::Promote, Some(s), Some(mid)), 1);
    assert_eq!(report.count(Rule::Promote, Some(s), Some(l)), 1);
    assert_eq!(report.count(Rule::Promote, Some(mid), Some(l)), 1);
    assert_eq!(report.count(Rule::Demote, Some(mid), Some(s)), 1);
    assert_eq!(report.count(Rule::Demote, Some(l), Some(s)), 1);
    assert_eq!(report.total(), 5);
    let after = tiers(conn).await;
    for (mem, tier) in &cases {
        assert_eq!(after[&mem.id].1, *tier, "{mem:?}");
    }
    let moved = memories::Entity::find_by_id(cases[0].0.id)
        .one(conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(moved.updated_at, cases[0].0.updated_at);
}
