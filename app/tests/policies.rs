//! `memdb policies run` (enhanced build) on a real database: the dry run's JSON counts what a
//! run would change and changes nothing, the real run reports exactly that and applies it, a
//! second dry run finds nothing left, and bad options fail without a change.

mod support;

use memdb_enhanced_entity::{memories, memory_entries};
use memdb_tests::TestDb;
use memdb_tests::content::table_checksums;
use sea_orm::{DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait};
use serde_json::{Value, json};

use support::memdb;

const AS_OF: &str = "2026-06-01T12:00:00Z";

fn at(days_before: i64) -> chrono::DateTime<chrono::FixedOffset> {
    let as_of = chrono::DateTime::parse_from_rfc3339(AS_OF).expect("as-of");
    as_of - chrono::TimeDelta::days(days_before)
}

/// Five memories of `ann` (two short-term ones of low importance), one of `bob`, and an old
/// episodic memory entry.
async fn seed(db: &DatabaseConnection) {
    let rows = [
        ("ann", "short_term", 0.1, 1),
        ("ann", "short_term", 0.2, 1),
        ("ann", "short_term", 0.9, 10),
        ("ann", "mid_term", 0.5, 1),
        ("ann", "long_term", 0.05, 40),
        ("bob", "short_term", 0.6, 10),
    ]
    .map(|(user, tier, importance, age)| {
        memories::Model {
            id: uuid::Uuid::now_v7(),
            user_id: user.into(),
            thread_id: None,
            content: "remember".into(),
            tier: tier.into(),
            importance,
            metadata: json!({}),
            related_threads: json!([]),
            created_at: at(age),
            updated_at: at(age),
        }
        .into_active_model()
    });
    memories::Entity::insert_many(rows)
        .exec(db)
        .await
        .expect("memories");
    let entry = memory_entries::Model {
        id: uuid::Uuid::now_v7(),
        namespace: "user:ann".into(),
        key: "trip".into(),
        value: json!("went to the sea"),
        memory_type: "episodic".into(),
        version: 1,
        is_deleted: false,
        metadata: json!({}),
        created_by: "ann".into(),
        updated_by: "ann".into(),
        created_at: at(120),
        updated_at: at(120),
        expires_at: None,
    };
    memory_entries::Entity::insert(entry.into_active_model())
        .exec(db)
        .await
        .expect("entry");
}

fn json_of(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|err| panic!("{err}: {stdout}"))
}

/// The report's nonzero rows as "rule from->to: count".
fn counts(report: &Value) -> Vec<String> {
    report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|row| row["count"] != 0)
        .map(|row| {
            format!(
                "{} {}->{}: {}",
                row["rule"], row["from"], row["to"], row["count"]
            )
        })
        .collect()
}

#[tokio::test]
async fn dry_run_counts_and_changes_nothing_then_the_run_applies_exactly_that() {
    let db = TestDb::new().await;
    let seeded = memdb(db.url(), &["seed"]);
    assert!(seeded.success, "{seeded:?}");
    seed(db.conn()).await;
    let options = ["--as-of", AS_OF, "--max-memories-per-user", "3"];
    let before = table_checksums(db.conn()).await.expect("checksums");

    let dry = memdb(
        db.url(),
        &[&["policies", "run", "--dry-run", "--json"][..], &options].concat(),
    );
    assert!(dry.success, "{dry:?}");
    assert_eq!(table_checksums(db.conn()).await.expect("checksums"), before);
    let dry = json_of(&dry.stdout);
    assert_eq!(dry["dry_run"], true);
    let planned = &dry["report"];
    // The seeded configuration's 90-day TTL, ann's two weakest memories trimmed, bob's
    // and ann's old important short-term memories promoted, ann's unimportant long-term one
    // demoted.
    assert_eq!(
        counts(planned),
        [
            r#""episodic_ttl" null->null: 1"#,
            r#""trim" "short_term"->null: 2"#,
            r#""promote" "short_term"->"mid_term": 1"#,
            r#""promote" "short_term"->"long_term": 1"#,
            r#""demote" "long_term"->"short_term": 1"#,
        ]
    );
    assert_eq!(planned["trimmed_by_user"], json!({"ann": 2}));

    let run = memdb(
        db.url(),
        &[
            &[
                "policies",
                "run",
                "--json",
                "--batch-size",
                "1",
                "--verbose-progress",
            ][..],
            &options,
        ]
        .concat(),
    );
    assert!(run.success, "{run:?}");
    assert_eq!(run.stderr.lines().count(), 6, "{run:?}");
    let run = json_of(&run.stdout);
    assert_eq!(
        (&run["dry_run"], &run["stopped"]),
        (&json!(false), &json!(false))
    );
    assert_eq!(&run["report"], planned);
    assert_eq!(
        memories::Entity::find()
            .count(db.conn())
            .await
            .expect("count"),
        4
    );

    let again = memdb(
        db.url(),
        &[&["policies", "run", "--dry-run"][..], &options].concat(),
    );
    assert!(again.success, "{again:?}");
    assert!(
        again
            .stdout
            .starts_with("dry run as of 2026-06-01T12:00:00Z"),
        "{again:?}"
    );
    assert!(again.stdout.contains("\ntotal: 0\n"), "{again:?}");
}

#[tokio::test]
async fn bad_options_fail_and_change_nothing() {
    let db = TestDb::new().await;
    seed(db.conn()).await;
    let before = table_checksums(db.conn()).await.expect("checksums");
    for (args, message) in [
        (&["--batch-size", "0"][..], "batch_size"),
        (
            &["--max-memories-per-user", "0"][..],
            "max_memories_per_user",
        ),
        (&["--episodic-ttl-days", "0"][..], "episodic_ttl_days"),
    ] {
        let run = memdb(db.url(), &[&["policies", "run"][..], args].concat());
        assert!(!run.success, "{run:?}");
        assert!(run.stderr.contains(message), "{run:?}");
    }
    let bad_time = memdb(db.url(), &["policies", "run", "--as-of", "yesterday"]);
    assert!(!bad_time.success, "{bad_time:?}");
    assert_eq!(table_checksums(db.conn()).await.expect("checksums"), before);
}
