//! The git operation repository's story, written against the trait and run on the SeaORM
//! implementation on a real database.

use memdb_enhanced_repository::git_operations::{GitOperation, GitOperationKind, NewGitOperation};
use memdb_enhanced_repository::{
    EnhancedRepositories, FileHashRepository, GitOperationRepository, RepoError,
};
use memdb_repository::ConflictKind;
use memdb_tests::TestDb;

use super::hash_fixtures::{at, commit, observed, operation, page, places};

fn shas(operations: &[GitOperation]) -> Vec<&str> {
    operations.iter().map(|o| o.commit_sha.as_str()).collect()
}

async fn story(git: &dyn GitOperationRepository, files: &dyn FileHashRepository) {
    let first = git
        .record(NewGitOperation {
            commit_sha: commit(1).to_uppercase(),
            ..operation(1, "main", &["src/b.rs", "src/a.rs"])
        })
        .await
        .unwrap();
    assert_eq!(first.commit_sha, commit(1));
    assert_eq!(first.files_changed, ["src/b.rs", "src/a.rs"]);
    assert_eq!(first.occurred_at, at(1));
    assert_eq!(first.operation, GitOperationKind::Commit);
    let merge = NewGitOperation {
        operation: GitOperationKind::Merge,
        author: "  Grace Hopper  ".into(),
        ..operation(2, "main", &["src/b.rs"])
    };
    let merge = git.record(merge).await.unwrap();
    assert_eq!(merge.author, "Grace Hopper");
    let tag = NewGitOperation {
        operation: GitOperationKind::Tag,
        message: String::new(),
        ..operation(3, "release/1.0", &[])
    };
    git.record(tag).await.unwrap();
    assert_eq!(git.get_by_commit(&commit(1)).await.unwrap(), first);

    // The same commit twice is a conflict, whatever the case of its digits, and leaves nothing.
    let again = NewGitOperation {
        commit_sha: commit(1).to_uppercase(),
        ..operation(1, "other", &["src/c.rs"])
    };
    let duplicate = git.record(again).await;
    assert_eq!(
        duplicate.as_ref().err().and_then(RepoError::conflict_kind),
        Some(ConflictKind::Duplicate),
        "{duplicate:?}"
    );
    assert!(
        git.touching_path("src/c.rs", page(10, 0))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        git.latest_on_branch("other").await,
        Err(RepoError::NotFound { .. })
    ));

    // A branch's newest operation, and its operations newest first, paged.
    assert_eq!(git.latest_on_branch("main").await.unwrap(), merge);
    let main = git.list_on_branch("main", page(10, 0)).await.unwrap();
    assert_eq!(shas(&main), [commit(2), commit(1)]);
    let pages = [
        git.list_on_branch("main", page(1, 0)).await.unwrap(),
        git.list_on_branch("main", page(1, 1)).await.unwrap(),
    ];
    assert_eq!(pages.concat(), main);
    assert_eq!(
        git.latest_on_branch("release/1.0").await.unwrap().operation,
        GitOperationKind::Tag
    );

    // The operations that touched a path, newest first.
    let b = git.touching_path("src/b.rs", page(10, 0)).await.unwrap();
    assert_eq!(b, [merge.clone(), first.clone()]);
    assert_eq!(
        shas(&git.touching_path("src/b.rs", page(1, 1)).await.unwrap()),
        [commit(1)]
    );
    assert_eq!(
        shas(&git.touching_path("src/a.rs", page(10, 0)).await.unwrap()),
        [commit(1)]
    );

    // The file hashes recorded with a commit, by path; a commit that produced none has none.
    for path in ["src/b.rs", "src/a.rs"] {
        files
            .record(observed(path, 1, Some(commit(1))))
            .await
            .unwrap();
    }
    files
        .record(observed("src/b.rs", 2, Some(commit(2))))
        .await
        .unwrap();
    let produced = git.file_hashes(&commit(1), page(10, 0)).await.unwrap();
    assert_eq!(places(&produced), [("src/a.rs", 1), ("src/b.rs", 1)]);
    assert_eq!(
        places(&git.file_hashes(&commit(1), page(1, 1)).await.unwrap()),
        [("src/b.rs", 1)]
    );
    assert_eq!(
        places(&git.file_hashes(&commit(2), page(10, 0)).await.unwrap()),
        [("src/b.rs", 2)]
    );
    assert!(
        git.file_hashes(&commit(3), page(10, 0))
            .await
            .unwrap()
            .is_empty()
    );
    for missing in [
        git.file_hashes(&commit(9), page(10, 0)).await.map(drop),
        git.get_by_commit(&commit(9)).await.map(drop),
    ] {
        assert!(
            matches!(missing, Err(RepoError::NotFound { .. })),
            "{missing:?}"
        );
    }
}

#[tokio::test]
async fn git_operation_story() {
    let db = TestDb::new().await;
    let repos = EnhancedRepositories::from_connection(db.pool());
    story(repos.git_operations.as_ref(), repos.file_hashes.as_ref()).await;
    drop(db);
}

#[tokio::test]
async fn operations_at_the_same_time_page_without_overlap() {
    let db = TestDb::new().await;
    let repos = EnhancedRepositories::from_connection(db.pool());
    let git = &repos.git_operations;
    for n in 1..=7 {
        let simultaneous = NewGitOperation {
            occurred_at: at(0),
            ..operation(n, "busy", &["shared.txt"])
        };
        git.record(simultaneous).await.unwrap();
    }
    let all = git.list_on_branch("busy", page(100, 0)).await.unwrap();
    assert_eq!(all.len(), 7);
    // Ties in time go by id, newest first: the order they were recorded in, reversed.
    let recorded: Vec<String> = (1..=7).rev().map(commit).collect();
    assert_eq!(shas(&all), recorded);
    let mut paged = Vec::new();
    for offset in (0..7).step_by(3) {
        paged.extend(git.list_on_branch("busy", page(3, offset)).await.unwrap());
    }
    assert_eq!(paged, all);
    let mut touching = Vec::new();
    for offset in (0..7).step_by(2) {
        touching.extend(
            git.touching_path("shared.txt", page(2, offset))
                .await
                .unwrap(),
        );
    }
    assert_eq!(touching, all);
    drop(db);
}
