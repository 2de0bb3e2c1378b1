//! How a sibling service unit-tests its own code against the `mock` feature's file hash and
//! git operation repositories. (The SeaORM implementations are tested on real databases in
//! the files beside this one.)

use memdb_enhanced_repository::file_hashes::{FileHash, NewFileHash, Recorded};
use memdb_enhanced_repository::git_operations::{GitOperation, GitOperationKind, NewGitOperation};
use memdb_enhanced_repository::{
    FileHashId, FileHashRepository, GitOperationId, GitOperationRepository, MockFileHashRepository,
    MockGitOperationRepository, RepoError, RepoResult,
};
use mockall::predicate::function;

use super::hash_fixtures::{at, commit, sha};

/// The code under test: files a commit from a snapshot of the files it may have touched,
/// `(path, sha256, size)`, listing as changed only the files whose hash moved.
async fn file_commit(
    files: &dyn FileHashRepository,
    git: &dyn GitOperationRepository,
    commit_sha: &str,
    snapshot: &[(&str, String, u64)],
) -> RepoResult<GitOperation> {
    let mut changed = Vec::new();
    for (path, sha256, size_bytes) in snapshot {
        let observation = NewFileHash {
            path: (*path).to_owned(),
            sha256: sha256.clone(),
            size_bytes: *size_bytes,
            git_commit: Some(commit_sha.to_owned()),
        };
        if files.record(observation).await?.is_changed() {
            changed.push((*path).to_owned());
        }
    }
    git.record(NewGitOperation {
        commit_sha: commit_sha.to_owned(),
        branch: "main".into(),
        author: "bot".into(),
        message: format!("{} files changed", changed.len()),
        operation: GitOperationKind::Commit,
        files_changed: changed,
        occurred_at: at(5),
    })
    .await
}

fn hash_of(input: &NewFileHash, seq: u64) -> FileHash {
    FileHash {
        id: FileHashId::new(),
        path: input.path.clone(),
        seq,
        sha256: input.sha256.clone(),
        size_bytes: input.size_bytes,
        observed_at: at(5),
        git_commit: input.git_commit.clone(),
    }
}

#[tokio::test]
async fn only_files_whose_hash_moved_are_listed_as_changed() {
    let mut files = MockFileHashRepository::new();
    files.expect_record().times(2).returning(|input| {
        Ok(if input.path == "moved.rs" {
            Recorded::Changed(hash_of(&input, 2))
        } else {
            Recorded::Unchanged(hash_of(&input, 1))
        })
    });
    let mut git = MockGitOperationRepository::new();
    git.expect_record()
        .withf(|op| op.files_changed == ["moved.rs"] && op.message == "1 files changed")
        .times(1)
        .returning(|op| {
            Ok(GitOperation {
                id: GitOperationId::new(),
                commit_sha: op.commit_sha,
                branch: op.branch,
                author: op.author,
                message: op.message,
                operation: op.operation,
                files_changed: op.files_changed,
                occurred_at: op.occurred_at,
            })
        });
    let snapshot = [("moved.rs", sha(2), 2), ("same.rs", sha(1), 1)];
    let operation = file_commit(&files, &git, &commit(1), &snapshot)
        .await
        .unwrap();
    assert_eq!(operation.files_changed, ["moved.rs"]);
}

#[tokio::test]
async fn a_refused_file_stops_before_the_commit_is_filed() {
    let mut files = MockFileHashRepository::new();
    files
        .expect_record()
        .with(function(|input: &NewFileHash| input.path.is_empty()))
        .times(1)
        .returning(|_| Err(RepoError::invalid("path", "must not be empty")));
    let mut git = MockGitOperationRepository::new();
    git.expect_record().never();
    let snapshot = [("", sha(1), 1), ("later.rs", sha(2), 2)];
    let outcome = file_commit(&files, &git, &commit(1), &snapshot).await;
    assert!(matches!(
        outcome,
        Err(RepoError::Validation { field: "path", .. })
    ));
}
