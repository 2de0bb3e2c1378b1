//! Tags and violations written by many callers at once, each on its own pool connection: the
//! database, not the caller's timing, keeps one row per violation, tag and move.

use std::collections::BTreeSet;
use std::sync::Arc;

use memdb_enhanced_repository::tags::TagSource;
use memdb_enhanced_repository::violations::{Severity, ViolationFilter, ViolationStatus};
use memdb_enhanced_repository::{
    SeaOrmTagRepository, SeaOrmViolationRepository, TagRepository, ViolationRepository,
};
use memdb_repository::{ConflictKind, Page, RepoError, RepoResult};
use memdb_tests::TestDb;

use super::tags::{definition, tagging};
use super::violations::violation;

const RACERS: usize = 16;
const ROUNDS: u32 = 8;

/// Runs `RACERS` copies of `call` (told their number) as tasks at once; their results.
async fn race<R, T, F, Fut>(repo: &Arc<R>, call: F) -> Vec<RepoResult<T>>
where
    R: ?Sized + Send + Sync + 'static,
    T: Send + 'static,
    F: Fn(Arc<R>, usize) -> Fut,
    Fut: Future<Output = RepoResult<T>> + Send + 'static,
{
    let tasks: Vec<_> = (0..RACERS)
        .map(|i| tokio::spawn(call(Arc::clone(repo), i)))
        .collect();
    let mut results = Vec::with_capacity(RACERS);
    for task in tasks {
        results.push(task.await.expect("racer"));
    }
    results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_recorders_of_one_violation_store_it_once() {
    let db = TestDb::new().await;
    let repo: Arc<dyn ViolationRepository> = Arc::new(SeaOrmViolationRepository::new(db.pool()));
    for round in 0..ROUNDS {
        let results = race(&repo, move |repo, i| async move {
            let mut input = violation("race", Severity::Error, "hot.rs", round);
            input.message = format!("seen by recorder {i}");
            repo.record(input).await
        })
        .await;
        let recorded: Vec<_> = results.into_iter().map(Result::unwrap).collect();
        let ids: BTreeSet<_> = recorded.iter().map(|r| r.violation.id).collect();
        assert_eq!(ids.len(), 1, "round {round}: {ids:?}");
        assert_eq!(
            recorded.iter().filter(|r| r.is_new).count(),
            1,
            "round {round}"
        );
    }
    let stored = repo
        .list(ViolationFilter::default(), Page::default())
        .await
        .unwrap();
    assert_eq!(stored.len(), ROUNDS as usize);
    drop(db);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_concurrent_moves_that_exclude_each_other_exactly_one_wins() {
    let db = TestDb::new().await;
    let repo: Arc<dyn ViolationRepository> = Arc::new(SeaOrmViolationRepository::new(db.pool()));
    for round in 0..ROUNDS {
        let id = repo
            .record(violation("contested", Severity::Warning, "moves.rs", round))
            .await
            .unwrap()
            .violation
            .id;
        // Half resolve, half ignore: from open either may happen, but only once.
        let results = race(&repo, move |repo, i| async move {
            let to = if i % 2 == 0 {
                ViolationStatus::Resolved
            } else {
                ViolationStatus::Ignored
            };
            repo.set_status(id, to).await
        })
        .await;
        let mut winners = Vec::new();
        for result in results {
            match result {
                Ok(moved) => winners.push(moved),
                Err(RepoError::Conflict {
                    kind: ConflictKind::WrongState,
                    ..
                }) => {}
                Err(other) => panic!("round {round}: {other:?}"),
            }
        }
        assert_eq!(winners.len(), 1, "round {round}: {winners:?}");
        assert_eq!(repo.get(id).await.unwrap(), winners[0]);
    }
    drop(db);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_taggers_of_one_file_leave_one_tag() {
    let db = TestDb::new().await;
    let repo: Arc<dyn TagRepository> = Arc::new(SeaOrmTagRepository::new(db.pool()));
    repo.define(definition("hot", "race", "#ff0000"))
        .await
        .unwrap();
    for round in 0..ROUNDS {
        let path = format!("file-{round}.rs");
        let results = race(&repo, {
            let path = path.clone();
            move |repo, i| {
                // Distinct and in range: i / RACERS.
                let share = |n: usize| f64::from(u32::try_from(n).unwrap());
                let confidence = share(i) / share(RACERS);
                let input = tagging(&path, "hot", TagSource::Ai, confidence);
                async move { repo.tag(input).await }
            }
        })
        .await;
        let confidences: BTreeSet<u64> = results
            .into_iter()
            .map(|r| r.unwrap().confidence.to_bits())
            .collect();
        assert_eq!(
            confidences.len(),
            RACERS,
            "every tagging returned its own row"
        );
        let stored = repo.tags_of(&path, Page::default()).await.unwrap();
        assert_eq!(stored.len(), 1, "round {round}");
        assert!(confidences.contains(&stored[0].confidence.to_bits()));
    }
    drop(db);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_definition_deleted_while_files_are_tagged_never_leaves_a_dangling_tag() {
    let db = TestDb::new().await;
    let repo: Arc<dyn TagRepository> = Arc::new(SeaOrmTagRepository::new(db.pool()));
    for round in 0..ROUNDS {
        let tag = format!("doomed-{round}");
        repo.define(definition(&tag, "race", "#000000"))
            .await
            .unwrap();
        // One deleter among taggers.
        let results = race(&repo, {
            let tag = tag.clone();
            move |repo, i| {
                let tag = tag.clone();
                async move {
                    if i == RACERS / 2 {
                        repo.delete_definition(&tag).await.map(|()| false)
                    } else {
                        let input = tagging(&format!("f{i}.rs"), &tag, TagSource::Manual, 1.0);
                        repo.tag(input).await.map(|_| true)
                    }
                }
            }
        })
        .await;
        let mut tagged = 0;
        let mut deleted = false;
        for result in results {
            match result {
                Ok(true) => tagged += 1,
                Ok(false) => deleted = true,
                // Tagged after the delete, or deleted after a tagging.
                Err(
                    RepoError::Validation { field: "tag", .. }
                    | RepoError::Conflict {
                        kind: ConflictKind::StillReferenced,
                        ..
                    },
                ) => {}
                Err(other) => panic!("round {round}: {other:?}"),
            }
        }
        let counted = repo.counts(Page::new(1000, 0).unwrap()).await.unwrap();
        let row = counted.iter().find(|c| c.tag == tag);
        if deleted {
            assert_eq!(tagged, 0, "round {round}: tagged with a deleted tag");
            assert!(row.is_none(), "round {round}");
        } else {
            assert_eq!(row.map(|c| c.files), Some(tagged), "round {round}");
        }
    }
    drop(db);
}
