//! Every git operation repository method, called at least once, for the plan check.

use memdb_enhanced_repository::EnhancedRepositories;
use memdb_enhanced_repository::Page;
use memdb_enhanced_repository::git_operations::{GitOperationKind, NewGitOperation};

use super::recorder::Recorder;

pub(super) async fn git_operations(repos: &EnhancedRepositories, rec: &Recorder) {
    let git = &repos.git_operations;
    let commit = |digit: char| digit.to_string().repeat(40);
    rec.call("git_operations.record");
    for (digit, files) in [('1', vec!["plans/a.txt"]), ('2', vec![])] {
        let input = NewGitOperation {
            commit_sha: commit(digit),
            branch: "main".into(),
            author: "Plans".into(),
            message: "plan".into(),
            operation: GitOperationKind::Commit,
            files_changed: files.into_iter().map(str::to_owned).collect(),
            occurred_at: chrono::Utc::now(),
        };
        git.record(input).await.unwrap();
    }
    rec.call("git_operations.get_by_commit");
    git.get_by_commit(&commit('1')).await.unwrap();
    rec.call("git_operations.latest_on_branch");
    git.latest_on_branch("main").await.unwrap();
    rec.call("git_operations.list_on_branch");
    git.list_on_branch("main", Page::default()).await.unwrap();
    rec.call("git_operations.touching_path");
    git.touching_path("plans/a.txt", Page::default())
        .await
        .unwrap();
    rec.call("git_operations.file_hashes");
    git.file_hashes(&commit('1'), Page::default())
        .await
        .unwrap();
}
