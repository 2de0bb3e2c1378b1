//! A disposable track (the cache) at another version in the source does not block the copy:
//! its tables are left out and the target gets this build's version of it.

use memdb_tests::TestDb;
use sea_orm::ConnectionTrait as _;

use crate::support::{copy_all, count, filled_source};

#[tokio::test]
async fn a_disposable_track_at_another_version_is_left_out() {
    let source = filled_source(5, "a").await;
    source
        .conn()
        .execute_unprepared(
            "INSERT INTO memdb_cache_migrations (version, applied_at) \
             VALUES ('m29990101_000001_from_a_newer_build', 0)",
        )
        .await
        .expect("a newer cache version");
    let target = TestDb::empty().await;
    let report = copy_all(source.url(), target.url()).await.expect("copy");
    assert!(report.verified(), "{report:#?}");
    assert_eq!(report.left_out_tracks, ["cache"]);
    assert!(
        !report
            .verification
            .iter()
            .any(|v| v.table == "cache_entries"),
        "{report:#?}"
    );
    assert_eq!(count(target.conn(), "cache_entries").await, 0);
    assert!(count(source.conn(), "cache_entries").await > 0);
    assert_eq!(count(target.conn(), "tasks").await, 5);
}
