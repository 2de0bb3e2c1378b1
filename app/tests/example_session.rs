//! `memdb seed --example-session` (enhanced build): seed 002's example session, readable
//! through `SessionRepository` with its event and its state in the session and user scopes.

mod support;

use memdb_enhanced_repository::SeaOrmSessionRepository;
use memdb_enhanced_repository::audited::AuditTrail;
use memdb_enhanced_repository::sessions::example::{EXAMPLE_APP, EXAMPLE_USER};
use memdb_enhanced_repository::sessions::{SessionRepository, SessionStatus};
use memdb_tests::TestDb;
use serde_json::json;

use support::memdb;

/// The session id printed on the "created example session <id> ..." line of `stdout`.
fn created_id(stdout: &str) -> uuid::Uuid {
    let line = stdout
        .lines()
        .find_map(|line| line.strip_prefix("created example session "))
        .unwrap_or_else(|| panic!("no example session line in {stdout}"));
    let id = line.split_whitespace().next().expect("an id");
    id.parse().unwrap_or_else(|err| panic!("{id}: {err}"))
}

#[tokio::test]
async fn seed_example_session_creates_seed_002s_session_each_run() {
    let db = TestDb::new().await;
    let first = memdb(db.url(), &["seed", "--example-session"]);
    assert!(first.success, "{first:?}");
    let second = memdb(db.url(), &["seed", "--example-session"]);
    assert!(second.success, "{second:?}");
    assert!(
        second.stdout.starts_with("defaults already present\n"),
        "{second:?}"
    );

    let sessions =
        SeaOrmSessionRepository::new(db.pool(), AuditTrail::new("test").expect("a trail"));
    let ids = [created_id(&first.stdout), created_id(&second.stdout)];
    assert_ne!(ids[0], ids[1]);
    for id in ids {
        let session = sessions.get(id.into()).await.expect("the example session");
        let summary = &session.summary;
        assert_eq!(
            (summary.app_name.as_str(), summary.user_id.as_str()),
            (EXAMPLE_APP, EXAMPLE_USER)
        );
        assert_eq!(summary.status, SessionStatus::Created);
        assert_eq!((summary.version, summary.last_event_seq), (2, 1));
        assert_eq!(
            session.state,
            json!({"initialized": true, "user:first_session": true})
        );
        let events = sessions.events_latest(id.into(), 10).await.expect("events");
        assert_eq!(events.len(), 1);
        assert_eq!(
            (events[0].seq, events[0].event_type.as_str()),
            (1, "message")
        );
        assert_eq!(events[0].actor, "user");
        assert_eq!(events[0].content["message"], "Initialize example session");
    }
    let listed = sessions
        .list(EXAMPLE_APP, EXAMPLE_USER, None, None, 10)
        .await
        .expect("list");
    assert_eq!(listed.sessions.len(), 2);
}
