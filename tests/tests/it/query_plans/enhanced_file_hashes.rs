//! Every file hash repository method, called at least once, for the plan check.

use memdb_enhanced_repository::EnhancedRepositories;
use memdb_enhanced_repository::Page;
use memdb_enhanced_repository::file_hashes::NewFileHash;

use super::recorder::Recorder;

fn observed(path: &str, digit: char, git_commit: Option<&str>) -> NewFileHash {
    NewFileHash {
        path: path.into(),
        sha256: digit.to_string().repeat(64),
        size_bytes: 10,
        git_commit: git_commit.map(str::to_owned),
    }
}

pub(super) async fn file_hashes(repos: &EnhancedRepositories, rec: &Recorder) {
    let files = &repos.file_hashes;
    let commit = "c".repeat(40);
    rec.call("file_hashes.record a new path");
    files
        .record(observed("plans/a.txt", 'a', Some(&commit)))
        .await
        .unwrap();
    files
        .record(observed("plans/b.txt", 'b', None))
        .await
        .unwrap();
    rec.call("file_hashes.record a changed hash");
    files
        .record(observed("plans/a.txt", 'f', None))
        .await
        .unwrap();
    rec.call("file_hashes.record an unchanged hash");
    files
        .record(observed("plans/a.txt", 'f', None))
        .await
        .unwrap();
    rec.call("file_hashes.latest");
    files.latest("plans/a.txt").await.unwrap();
    rec.call("file_hashes.history");
    files.history("plans/a.txt", Page::default()).await.unwrap();
    rec.call("file_hashes.changed_since");
    let since = chrono::Utc::now() - chrono::Duration::hours(1);
    files.changed_since(since, Page::default()).await.unwrap();
    rec.call("file_hashes.changed_since_commit");
    files
        .changed_since_commit(&commit, Page::default())
        .await
        .unwrap();
    rec.call("file_hashes.current");
    files.current(Page::default()).await.unwrap();
}
