//! Many recorders of one path at once, on separate pool connections: an unchanged hash never
//! gets a second row, and a path's history stays one unbroken sequence of changes. SQLite runs
//! write transactions one at a time, so the interleavings matter on PostgreSQL; the tests run
//! on both.

use std::sync::Arc;

use memdb_enhanced_repository::file_hashes::{FileHash, Recorded};
use memdb_enhanced_repository::{FileHashRepository, RepoResult, SeaOrmFileHashRepository};
use memdb_tests::TestDb;

use super::hash_fixtures::{observed, page};

const RECORDERS: u32 = 16;
const ROUNDS: u32 = 10;

/// Records `path` from [`RECORDERS`] tasks at once, the `i`th with hash `hash_of(i)`.
async fn record_at_once(
    repo: &Arc<SeaOrmFileHashRepository>,
    path: &str,
    hash_of: fn(u32) -> u32,
) -> Vec<Recorded> {
    let tasks: Vec<_> = (0..RECORDERS)
        .map(|i| {
            let (repo, input) = (Arc::clone(repo), observed(path, hash_of(i), None));
            tokio::spawn(async move { repo.record(input).await })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        let result: RepoResult<Recorded> = task.await.expect("recorder");
        results.push(result.expect("record"));
    }
    results
}

async fn whole_history(repo: &SeaOrmFileHashRepository, path: &str) -> Vec<FileHash> {
    let mut history = repo.history(path, page(1000, 0)).await.unwrap();
    history.reverse();
    history
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_hash_recorded_at_once_by_many_is_one_row() {
    let db = TestDb::new().await;
    let repo = Arc::new(SeaOrmFileHashRepository::new(db.pool()));
    for round in 0..ROUNDS {
        let path = format!("same-{round}.txt");
        // Half the rounds start from an existing hash, half from a new path.
        if round % 2 == 1 {
            repo.record(observed(&path, 1, None)).await.unwrap();
        }
        let results = record_at_once(&repo, &path, |_| 7).await;
        let history = whole_history(&repo, &path).await;
        let added = history.last().expect("a row").clone();
        assert_eq!(added.sha256, observed(&path, 7, None).sha256);
        assert_eq!(
            history.len(),
            1 + usize::from(round % 2 == 1),
            "round {round}"
        );
        let changes = results.iter().filter(|r| r.is_changed()).count();
        assert_eq!(changes, 1, "round {round}: {results:?}");
        assert!(
            results.iter().all(|r| *r.observation() == added),
            "round {round}: every recorder sees the one row"
        );
    }
    drop(db);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn alternating_hashes_at_once_keep_one_unbroken_history() {
    let db = TestDb::new().await;
    let repo = Arc::new(SeaOrmFileHashRepository::new(db.pool()));
    for round in 0..ROUNDS {
        let path = format!("flip-{round}.txt");
        let results = record_at_once(&repo, &path, |i| i % 2).await;
        let history = whole_history(&repo, &path).await;
        // Each row is a change from the one before: seq 1, 2, 3, ... and no hash twice in a row.
        let seqs: Vec<u64> = history.iter().map(|h| h.seq).collect();
        let expected: Vec<u64> = (1..=history.len() as u64).collect();
        assert_eq!(seqs, expected, "round {round}");
        assert!(
            history
                .windows(2)
                .all(|w| w[0].sha256 != w[1].sha256 && w[0].observed_at <= w[1].observed_at),
            "round {round}: {history:?}"
        );
        // Every row was reported as a change by exactly one recorder, and the latest is the
        // current one.
        let changes = results.iter().filter(|r| r.is_changed()).count();
        assert_eq!(changes, history.len(), "round {round}");
        assert_eq!(
            repo.latest(&path).await.unwrap(),
            *history.last().unwrap(),
            "round {round}"
        );
    }
    drop(db);
}
