//! `memdb migrate up` killed with SIGKILL at seeded random moments, 20 times, each on a fresh
//! database: afterwards the database is always at a whole version — every migration the
//! tracking table records has all of its schema objects, and no migration it does not record
//! has any — and the next `memdb migrate up` succeeds and completes the schema. On the backend
//! `TEST_DATABASE_URL` selects (SQLite by default).

mod support;

use std::os::unix::process::ExitStatusExt as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use memdb_tests::TestDb;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, IsolationLevel, Statement,
    TransactionTrait,
};
use sea_orm_migration::SchemaManager;

use support::{memdb, tracks};

/// Kills per run.
const KILLS: u64 = 20;

/// What one migration creates: tables, indexes as `(table, index)` (one listed with `!` is one
/// the migration drops), and columns it adds to earlier tables as `(table, column)`.
type Objects = (
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
    &'static [(&'static str, &'static str)],
);

/// What each legacy migration creates, by migration name.
const LEGACY_OBJECTS: &[(&str, Objects)] = &[
    (
        "m20261122_000001_create_organizations_and_documents",
        (
            &["organizations", "documents"],
            &[("documents", "ux_documents_organization_path")],
            &[],
        ),
    ),
    (
        "m20261122_000002_create_knowledge",
        (
            &["knowledge_items", "knowledge_relationships"],
            &[("knowledge_items", "ix_knowledge_items_retention")],
            &[],
        ),
    ),
    (
        "m20261122_000003_create_tasks",
        (
            &["tasks", "task_dependencies"],
            &[("tasks", "ix_tasks_claim")],
            &[],
        ),
    ),
    (
        "m20261122_000004_create_personas",
        (&["personas"], &[], &[]),
    ),
    (
        "m20261123_000005_index_documents_by_hash_in_path_order",
        (
            &[],
            &[
                ("documents", "ix_documents_content_hash_org_path"),
                ("documents", "!ix_documents_content_hash"),
            ],
            &[],
        ),
    ),
    (
        "m20261124_000006_count_task_dependents",
        (&[], &[], &[("tasks", "dependent_count")]),
    ),
];

/// `SplitMix64`: the kill moments are the same on every run.
struct Moments(u64);

impl Moments {
    fn below(&mut self, bound: Duration) -> Duration {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        let micros = u64::try_from(bound.as_micros()).unwrap_or(u64::MAX).max(1);
        Duration::from_micros(z % micros)
    }
}

#[tokio::test]
async fn migrate_up_killed_at_random_moments_leaves_a_whole_version_and_resumes() {
    let names = tracks()
        .get("legacy")
        .expect("the legacy track")
        .migrator
        .migration_names();
    let covered: Vec<&str> = LEGACY_OBJECTS.iter().map(|(name, ..)| *name).collect();
    assert_eq!(names, covered, "list what each new migration creates above");

    // How long a whole run takes here, and how long one that only starts, connects and reads
    // the tracking table does: the kills land between the two, while migrations run.
    let scratch = TestDb::empty().await;
    let started = Instant::now();
    let full = memdb(scratch.url(), &["migrate", "up"]);
    let whole_run = started.elapsed();
    assert!(full.success, "{full:?}");
    let started = Instant::now();
    let status = memdb(scratch.url(), &["migrate", "status"]);
    let start_up = started.elapsed().min(whole_run) * 4 / 5;
    assert!(status.success, "{status:?}");
    drop(scratch);

    let mut moments = Moments(0x6d65_6d64_6b69_6c6c);
    let (mut interrupted, mut partial) = (0, 0);
    for kill in 0..KILLS {
        let db = TestDb::empty().await;
        let delay = start_up + moments.below(whole_run.saturating_sub(start_up));
        let mut child = Command::new(env!("CARGO_BIN_EXE_memdb"))
            .arg("--database-url")
            .arg(db.url())
            .args(["migrate", "up"])
            .env_remove("DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start memdb migrate up");
        std::thread::sleep(delay);
        // `Child::kill` sends SIGKILL on Unix: no handler, no cleanup, like a power cut.
        child.kill().expect("send SIGKILL");
        let status = child.wait().expect("reap memdb");
        if status.signal() == Some(9) {
            interrupted += 1;
        }

        let applied = assert_whole_version(db.conn(), kill).await;
        if !applied.is_empty() && applied.len() < names.len() {
            partial += 1;
        }

        let resumed = memdb(db.url(), &["migrate", "up"]);
        assert!(resumed.success, "kill {kill} after {delay:?}: {resumed:?}");
        let applied = assert_whole_version(db.conn(), kill).await;
        assert_eq!(applied, names, "kill {kill}: up completes the schema");
    }
    eprintln!(
        "{interrupted} of {KILLS} runs killed before they finished, {partial} at a partial version"
    );
    assert!(interrupted > 0, "no kill landed while migrating");
}

/// The versions the legacy tracking table records (none when it does not exist yet).
async fn applied_versions(db: &DatabaseTransaction) -> Vec<String> {
    if !SchemaManager::new(db)
        .has_table("seaql_migrations")
        .await
        .unwrap()
    {
        return Vec::new();
    }
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT version FROM seaql_migrations ORDER BY version",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|row| row.try_get::<String>("", "version").unwrap())
        .collect()
}

/// Panics unless each migration's objects exist exactly when it is recorded as applied;
/// returns the applied versions. Everything is read in one snapshot (REPEATABLE READ on
/// PostgreSQL), so a COMMIT the killed process sent just before dying cannot land between two
/// of the reads.
async fn assert_whole_version(db: &DatabaseConnection, kill: u64) -> Vec<String> {
    let snapshot = db
        .begin_with_config(Some(IsolationLevel::RepeatableRead), None)
        .await
        .unwrap();
    let applied = applied_versions(&snapshot).await;
    check_objects(&snapshot, &applied, kill).await;
    snapshot.rollback().await.unwrap();
    applied
}

async fn check_objects(db: &DatabaseTransaction, applied: &[String], kill: u64) {
    let schema = SchemaManager::new(db);
    for (name, (tables, indexes, columns)) in LEGACY_OBJECTS {
        let is_applied = applied.iter().any(|v| v == name);
        for table in *tables {
            assert_eq!(
                schema.has_table(*table).await.unwrap(),
                is_applied,
                "kill {kill}: table {table} of {name} (applied: {is_applied}); applied {applied:?}"
            );
        }
        for (table, index) in *indexes {
            // An index a migration drops must be gone exactly when it is applied; checked only
            // while its table exists (an earlier migration's).
            let (index, present_when_applied) = match index.strip_prefix('!') {
                Some(dropped) => (dropped, false),
                None => (*index, true),
            };
            if !schema.has_table(*table).await.unwrap() {
                assert!(!is_applied, "kill {kill}: {name} applied without {table}");
                continue;
            }
            assert_eq!(
                schema.has_index(*table, index).await.unwrap(),
                is_applied == present_when_applied,
                "kill {kill}: index {index} of {name} (applied: {is_applied})"
            );
        }
        for (table, column) in *columns {
            if !schema.has_table(*table).await.unwrap() {
                assert!(!is_applied, "kill {kill}: {name} applied without {table}");
                continue;
            }
            assert_eq!(
                schema.has_column(*table, *column).await.unwrap(),
                is_applied,
                "kill {kill}: column {table}.{column} of {name} (applied: {is_applied})"
            );
        }
    }
}
