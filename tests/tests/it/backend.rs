//! The suite runs on the backend `TEST_DATABASE_URL` asks for, never silently on another.

use memdb_tests::{TestDb, configured_backend};

#[tokio::test]
async fn test_databases_use_the_configured_backend() {
    let db = TestDb::new().await;
    assert_eq!(db.backend(), configured_backend());
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres")) {
        assert!(db.url().starts_with("postgres"), "{}", db.url());
    }
}
