//! Every rule together on a seeded data set (a few thousand memories over several users and
//! tiers, episodic and semantic memory entries, clusters): the dry run changes nothing, the run
//! reports exactly the plan, and leaves the database an independent expectation computed here
//! describes; a run stopped after a few batches and run again ends the same way, its two
//! reports summing to the plan.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::ControlFlow;

use chrono::{DateTime, FixedOffset, TimeDelta};
use memdb_enhanced_repository::memory::{MemoryRepository, MemoryType};
use memdb_enhanced_repository::policies::{PolicyConfig, Rule, Tier};
use memdb_tests::TestDb;
use memdb_tests::content::table_checksums;
use serde_json::json;
use uuid::Uuid;

use super::memory::memory;
use super::policy_fixtures::{
    Mem, ago, as_of, cluster_counts, expected_clusters, insert_cluster, insert_entry,
    insert_memories, policies, tiers,
};

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

const USERS: [&str; 6] = ["ann", "ben", "cat", "dan", "eve", "fay"];
const MAX_PER_USER: u64 = 450;

fn config() -> PolicyConfig {
    PolicyConfig {
        episodic_ttl_days: Some(90),
        promote_after_days: Some(7),
        promote_to_mid_term_importance: 0.5,
        promote_to_long_term_importance: 0.8,
        demote_after_days: Some(30),
        demote_below_importance: 0.2,
        max_memories_per_user: Some(MAX_PER_USER),
    }
}

/// What the data set holds: its memories and which entries the TTL should delete.
struct DataSet {
    mems: Vec<Mem>,
    expired_keys: BTreeSet<String>,
    kept_keys: BTreeSet<String>,
}

async fn seed(db: &TestDb) -> DataSet {
    let conn = db.conn();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let topics = ["rust", "go", "sql"];
    let categories = ["lang", "tool"];
    let mut mems = Vec::new();
    for (i, user) in USERS.iter().enumerate() {
        // Some users over the limit, some under.
        let held = 300 + 90 * i as u64 + rng.below(40);
        for _ in 0..held {
            // The last user's memories are mostly long-term: its trim reaches that tier.
            let tier = if i + 1 == USERS.len() {
                Tier::ALL[(rng.below(10) as usize).clamp(0, 2)]
            } else {
                Tier::ALL[rng.below(3) as usize]
            };
            let importance = f64::from(u32::try_from(rng.below(101)).unwrap()) / 100.0;
            let age = rng.below(120) as i64;
            let mut mem = Mem::new(user, tier, importance, age);
            mem.updated_at = ago(age, rng.below(86_400) as i64);
            match rng.below(4) {
                0 => {}
                1 => mem.metadata = json!({"topic": 3, "category": "lang"}),
                _ => {
                    mem = mem.in_cluster(
                        topics[rng.below(3) as usize],
                        categories[rng.below(2) as usize],
                    );
                }
            }
            mems.push(mem);
        }
    }
    insert_memories(conn, &mems).await;
    for ((user, topic, category), count) in expected_clusters(&mems.iter().collect::<Vec<_>>()) {
        insert_cluster(conn, &user, &topic, &category, count).await;
    }
    let mut expired_keys = BTreeSet::new();
    let mut kept_keys = BTreeSet::new();
    for i in 0..200 {
        let key = format!("k{i}");
        let kind = if i % 3 == 0 {
            MemoryType::Semantic
        } else {
            MemoryType::Episodic
        };
        let age = rng.below(200) as i64;
        insert_entry(conn, ("user:ds", &key), kind, ago(age, 60), None).await;
        if kind == MemoryType::Episodic && age >= 90 {
            expired_keys.insert(key);
        } else {
            kept_keys.insert(key);
        }
    }
    DataSet {
        mems,
        expired_keys,
        kept_keys,
    }
}

/// Trim order: lowest tier, importance, `updated_at`, id first.
fn trim_order(a: &Mem, b: &Mem) -> Ordering {
    (a.tier, a.importance, a.updated_at, a.id)
        .partial_cmp(&(b.tier, b.importance, b.updated_at, b.id))
        .unwrap()
}

/// The tier a kept memory ends in, written out from the rules' description.
fn final_tier(m: &Mem, cutoff: impl Fn(i64) -> DateTime<FixedOffset>) -> Tier {
    if m.updated_at < cutoff(7) {
        if m.importance >= 0.8 && m.tier != Tier::LongTerm {
            return Tier::LongTerm;
        }
        if m.importance >= 0.5 && m.tier == Tier::ShortTerm {
            return Tier::MidTerm;
        }
    }
    if m.updated_at < cutoff(30) && m.importance < 0.2 {
        return Tier::ShortTerm;
    }
    m.tier
}

/// Every memory's (user, tier), by id.
type Tiers = BTreeMap<Uuid, (String, Tier)>;
/// Every cluster's count, by (user, topic, category).
type Clusters = BTreeMap<(String, String, String), i64>;

/// The memories left, with their tiers, and the clusters' counts after every rule.
fn expectation(mems: &[Mem]) -> (Tiers, Clusters) {
    let cutoff = |days| (as_of() - TimeDelta::days(days)).fixed_offset();
    let mut kept = Vec::new();
    for user in USERS {
        let mut own: Vec<&Mem> = mems.iter().filter(|m| m.user == user).collect();
        own.sort_by(|a, b| trim_order(a, b));
        let excess = own.len().saturating_sub(MAX_PER_USER as usize);
        kept.extend(own.into_iter().skip(excess));
    }
    let mut clusters = expected_clusters(&kept);
    // Every cluster row stays, at 0 when its last memory went.
    for key in expected_clusters(&mems.iter().collect::<Vec<_>>()).into_keys() {
        clusters.entry(key).or_insert(0);
    }
    let tiers = kept
        .iter()
        .map(|m| (m.id, (m.user.clone(), final_tier(m, cutoff))))
        .collect();
    (tiers, clusters)
}

async fn check_final_state(db: &TestDb, data: &DataSet) {
    let (tiers_expected, clusters_expected) = expectation(&data.mems);
    assert_eq!(tiers(db.conn()).await, tiers_expected);
    assert_eq!(cluster_counts(db.conn()).await, clusters_expected);
    let repo = memory(db, "tester");
    for key in &data.expired_keys {
        assert!(repo.get("user:ds", key).await.unwrap().is_none(), "{key}");
    }
    for key in &data.kept_keys {
        assert!(repo.get("user:ds", key).await.unwrap().is_some(), "{key}");
    }
}

#[tokio::test]
async fn dry_run_changes_nothing_and_the_run_does_exactly_what_it_planned() {
    let db = TestDb::new().await;
    let data = seed(&db).await;
    let policies = policies(db.conn(), config());
    let before = table_checksums(db.conn()).await.unwrap();
    let plan = policies.plan(as_of()).await.unwrap();
    assert_eq!(table_checksums(db.conn()).await.unwrap(), before);
    // Every rule has work in this data set.
    assert_eq!(
        plan.count(Rule::EpisodicTtl, None, None),
        data.expired_keys.len() as u64
    );
    for row in &plan.rows {
        assert!(row.count > 0, "{row:?}");
    }
    assert!(plan.trimmed_by_user.len() >= 2, "{plan:?}");

    let mut batches = 0;
    let run = policies
        .run(as_of(), 100, |_| {
            batches += 1;
            ControlFlow::Continue(())
        })
        .await
        .unwrap();
    assert!(!run.stopped);
    assert_eq!(run.report, plan);
    assert!(batches > 10, "{batches}");
    check_final_state(&db, &data).await;
}

#[tokio::test]
async fn a_stopped_run_resumes_to_the_same_end() {
    let db = TestDb::new().await;
    let data = seed(&db).await;
    let policies = policies(db.conn(), config());
    let plan = policies.plan(as_of()).await.unwrap();

    // Stop in each phase in turn: after the first batch of the TTL, of the trim, of a move.
    let mut report = None;
    for rule in [Rule::EpisodicTtl, Rule::Trim, Rule::Promote] {
        let mut seen = Vec::new();
        let first = policies
            .run(as_of(), 7, |batch| {
                seen.push(batch.changed);
                if batch.rule == rule && seen.len() >= 3 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
            .await
            .unwrap();
        assert!(first.stopped, "{rule:?}");
        assert!(seen.iter().all(|&changed| (1..=7).contains(&changed)));
        assert_eq!(first.report.total(), seen.iter().sum::<u64>());
        match &mut report {
            None => report = Some(first.report),
            Some(so_far) => so_far.merge(&first.report),
        }
    }
    let rest = policies
        .run(as_of(), 500, |_| ControlFlow::Continue(()))
        .await
        .unwrap();
    assert!(!rest.stopped);
    let mut report = report.unwrap();
    report.merge(&rest.report);
    assert_eq!(report, plan);
    check_final_state(&db, &data).await;
}
