//! The file hash repository's story, written against the trait and run on the SeaORM
//! implementation on a real database.

use memdb_enhanced_repository::file_hashes::{NewFileHash, Recorded};
use memdb_enhanced_repository::{
    EnhancedRepositories, FileHashRepository, RepoError, SeaOrmFileHashRepository,
};
use memdb_tests::TestDb;

use super::hash_fixtures::{commit, observed, page, places, sha};

async fn changed(repo: &dyn FileHashRepository, input: NewFileHash) -> u64 {
    match repo.record(input).await.unwrap() {
        Recorded::Changed(hash) => hash.seq,
        Recorded::Unchanged(hash) => panic!("expected a change, got the unchanged {hash:?}"),
    }
}

async fn story(repo: &dyn FileHashRepository) {
    // A path's first hash is a change; the same hash again is not, however often, and in
    // whatever case its hex digits come.
    let first = repo.record(observed("a.txt", 1, None)).await.unwrap();
    assert!(first.is_changed());
    let first = first.into_observation();
    assert_eq!((first.seq, first.sha256.as_str()), (1, sha(1).as_str()));
    assert_eq!((first.size_bytes, first.git_commit.as_deref()), (1, None));
    let shouting = NewFileHash {
        sha256: sha(1).to_uppercase(),
        ..observed("a.txt", 1, None)
    };
    for input in [observed("a.txt", 1, None), shouting] {
        match repo.record(input).await.unwrap() {
            Recorded::Unchanged(latest) => assert_eq!(latest, first),
            Recorded::Changed(added) => panic!("an unchanged hash added {added:?}"),
        }
    }

    // A new hash is the next row, with its commit in lowercase; going back to an earlier hash
    // is a change too (A, B, A is three rows).
    let with_commit = NewFileHash {
        git_commit: Some(commit(1).to_uppercase()),
        ..observed("a.txt", 2, None)
    };
    assert_eq!(changed(repo, with_commit).await, 2);
    let latest = repo.latest("a.txt").await.unwrap();
    assert_eq!(latest.git_commit, Some(commit(1)));
    assert_eq!(
        changed(repo, observed("b.txt", 7, Some(commit(1)))).await,
        1
    );
    assert_eq!(changed(repo, observed("_x", 3, None)).await, 1);
    assert_eq!(changed(repo, observed("a.txt", 1, None)).await, 3);

    // History: newest first, paged without overlap, in time order too.
    let history = repo.history("a.txt", page(10, 0)).await.unwrap();
    assert_eq!(places(&history), [("a.txt", 3), ("a.txt", 2), ("a.txt", 1)]);
    assert_eq!(
        history.iter().map(|h| h.size_bytes).collect::<Vec<_>>(),
        [1, 2, 1]
    );
    assert!(
        history
            .windows(2)
            .all(|w| w[0].observed_at >= w[1].observed_at)
    );
    assert_eq!(history[2], first);
    let second_page = repo.history("a.txt", page(2, 2)).await.unwrap();
    assert_eq!(places(&second_page), [("a.txt", 1)]);
    assert!(
        repo.history("nowhere", page(10, 0))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(repo.latest("a.txt").await.unwrap(), history[0]);

    // Every path's latest, by code point (uppercase, underscore, lowercase on every backend).
    assert_eq!(changed(repo, observed("B.txt", 9, None)).await, 1);
    let current = repo.current(page(10, 0)).await.unwrap();
    assert_eq!(
        places(&current),
        [("B.txt", 1), ("_x", 1), ("a.txt", 3), ("b.txt", 1)]
    );
    assert_eq!(current[2], history[0]);
    let pages = [
        repo.current(page(3, 0)).await.unwrap(),
        repo.current(page(3, 3)).await.unwrap(),
    ];
    assert_eq!(pages.concat(), current);

    // Changes after a time: each path once, as its latest, oldest change first.
    let before_all = first.observed_at - chrono::Duration::seconds(1);
    let all = repo.changed_since(before_all, page(10, 0)).await.unwrap();
    assert_eq!(
        places(&all),
        [("b.txt", 1), ("_x", 1), ("a.txt", 3), ("B.txt", 1)]
    );
    let after_b = all[0].observed_at;
    let later = repo.changed_since(after_b, page(2, 0)).await.unwrap();
    assert_eq!(places(&later), [("_x", 1), ("a.txt", 3)]);
    let newest = all[3].observed_at;
    assert!(
        repo.changed_since(newest, page(10, 0))
            .await
            .unwrap()
            .is_empty()
    );

    // Changes after a commit: after the newest change recorded with it (b.txt's).
    let since_commit = repo
        .changed_since_commit(&commit(1).to_uppercase(), page(10, 0))
        .await
        .unwrap();
    assert_eq!(
        places(&since_commit),
        [("_x", 1), ("a.txt", 3), ("B.txt", 1)]
    );

    for missing in [
        repo.latest("nowhere").await.map(drop),
        repo.changed_since_commit(&commit(99), page(10, 0))
            .await
            .map(drop),
    ] {
        assert!(
            matches!(missing, Err(RepoError::NotFound { .. })),
            "{missing:?}"
        );
    }
}

#[tokio::test]
async fn file_hash_story() {
    let db = TestDb::new().await;
    story(&SeaOrmFileHashRepository::new(db.pool())).await;
    drop(db);
}

#[tokio::test]
async fn a_record_in_a_failed_unit_of_work_leaves_nothing() {
    let db = TestDb::new().await;
    let repos = EnhancedRepositories::from_connection(db.pool());
    repos
        .file_hashes
        .record(observed("kept.txt", 1, None))
        .await
        .unwrap();
    let outcome: Result<(), RepoError> = repos
        .transaction(|tx| async move {
            tx.file_hashes.record(observed("kept.txt", 2, None)).await?;
            tx.file_hashes.record(observed("gone.txt", 1, None)).await?;
            Err(RepoError::invalid("work", "changed its mind"))
        })
        .await;
    assert!(matches!(
        outcome,
        Err(RepoError::Validation { field: "work", .. })
    ));
    let current = repos.file_hashes.current(page(10, 0)).await.unwrap();
    assert_eq!(places(&current), [("kept.txt", 1)]);
    assert_eq!(current[0].sha256, sha(1));
    let history = repos
        .file_hashes
        .history("kept.txt", page(10, 0))
        .await
        .unwrap();
    assert_eq!(places(&history), [("kept.txt", 1)]);
    drop(db);
}
