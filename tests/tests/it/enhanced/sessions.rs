//! The session story on a real database: lifecycle, events paged by `seq`, state across the
//! app, user and session scopes with the merged view, keyset listing, task links, delete, and
//! the audit entry each write leaves in its transaction.

use memdb_enhanced_repository::audit::{AuditAction, SeaOrmAuditRepository};
use memdb_enhanced_repository::audited::AuditTrail;
use memdb_enhanced_repository::audited::entities::{SESSION, SESSION_EVENTS, SESSION_TASK};
use memdb_enhanced_repository::sessions::{
    NewEvent, NewSession, SessionRepository, SessionStatus, StateDelta,
};
use memdb_enhanced_repository::{Page, SeaOrmSessionRepository};
use memdb_repository::Repositories;
use memdb_repository::taskmaster::NewTask;
use memdb_tests::TestDb;
use serde_json::json;
use uuid::Uuid;

use super::support::all_entries;

pub(super) fn sessions(db: &TestDb) -> SeaOrmSessionRepository {
    SeaOrmSessionRepository::new(db.pool(), AuditTrail::new("planner").unwrap())
}

pub(super) fn event(n: usize) -> NewEvent {
    NewEvent::new("message", "user", json!({ "n": n }))
}

/// A new legacy task's id.
pub(super) async fn task(db: &TestDb) -> Uuid {
    let repos = Repositories::from_connection(db.pool());
    repos
        .tasks
        .submit(NewTask::new("work"))
        .await
        .unwrap()
        .id
        .into()
}

#[tokio::test]
async fn session_story_lifecycle_events_state_listing_tasks() {
    let db = TestDb::new().await;
    let repo = sessions(&db);
    let input = NewSession {
        project_id: Some("memdb".into()),
        state: StateDelta::new()
            .set("step", json!(0))
            .set("app:theme", json!("dark"))
            .set("user:lang", json!("en"))
            .set("temp:scratch", json!(1)),
        metadata: json!({"model": "m1"}),
        ..NewSession::new("chat", "alice")
    };
    let s = repo.create(input).await.unwrap();
    let id = s.summary.id;
    assert_eq!(s.summary.status, SessionStatus::Created);
    assert_eq!(s.summary.version, 1);
    assert_eq!(
        s.state,
        json!({"step": 0, "app:theme": "dark", "user:lang": "en"}),
        "merged view; temp: keys are not stored"
    );

    let s = repo
        .transition(id, SessionStatus::Active, Some(1))
        .await
        .unwrap();
    assert_eq!(
        (s.summary.status, s.summary.version),
        (SessionStatus::Active, 2)
    );
    let s = repo
        .transition(id, SessionStatus::Paused, None)
        .await
        .unwrap();
    assert_eq!(s.summary.status, SessionStatus::Paused);
    let s = repo
        .transition(id, SessionStatus::Active, Some(3))
        .await
        .unwrap();
    assert_eq!(s.summary.version, 4);

    let appended = repo
        .append_events(id, (1..=3).map(event).collect(), Some(4), StateDelta::new())
        .await
        .unwrap();
    assert_eq!(appended.version, 5);
    let seqs: Vec<i64> = appended.events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [1, 2, 3]);
    let delta = StateDelta::new()
        .set("step", json!(1))
        .set("user:seen", json!(true));
    let appended = repo
        .append_events(id, (4..=7).map(event).collect(), None, delta)
        .await
        .unwrap();
    assert_eq!(appended.version, 6);
    assert_eq!(appended.events.first().unwrap().seq, 4);

    let latest = repo.events_latest(id, 2).await.unwrap();
    let seqs: Vec<i64> = latest.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [6, 7], "the latest N in ascending order");
    assert_eq!(latest[1].content, json!({"n": 7}));
    let after = repo.events_after(id, 2, 3).await.unwrap();
    let seqs: Vec<i64> = after.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [3, 4, 5]);
    assert!(repo.events_after(id, 7, 10).await.unwrap().is_empty());

    let delta = StateDelta::new()
        .remove("step")
        .set("goal", json!("ship"))
        .set("app:theme", json!("light"))
        .remove("user:lang")
        .set("temp:x", json!(2));
    let s = repo.update_state(id, delta, Some(6)).await.unwrap();
    assert_eq!(s.summary.version, 7);
    assert_eq!(
        s.state,
        json!({"goal": "ship", "app:theme": "light", "user:seen": true})
    );
    assert_eq!(repo.get(id).await.unwrap(), s);
    let s = repo
        .update_metadata(id, json!({"model": "m2"}), Some(7))
        .await
        .unwrap();
    assert_eq!(
        (s.metadata.clone(), s.summary.version),
        (json!({"model": "m2"}), 8)
    );

    // Another session of the same user sees the app and user keys, not the session's own; a
    // session of another app sees neither.
    let other = repo.create(NewSession::new("chat", "alice")).await.unwrap();
    assert_eq!(
        other.state,
        json!({"app:theme": "light", "user:seen": true})
    );
    let bob = repo.create(NewSession::new("chat", "bob")).await.unwrap();
    assert_eq!(bob.state, json!({"app:theme": "light"}));
    let elsewhere = repo.create(NewSession::new("mail", "alice")).await.unwrap();
    assert_eq!(elsewhere.state, json!({}));

    // Listing by user, newest first, keyset pages, with and without a status.
    let third = repo.create(NewSession::new("chat", "alice")).await.unwrap();
    let first = repo.list("chat", "alice", None, None, 2).await.unwrap();
    let ids: Vec<_> = first.sessions.iter().map(|s| s.id).collect();
    assert_eq!(ids, [third.summary.id, other.summary.id]);
    let rest = repo
        .list("chat", "alice", None, first.next, 2)
        .await
        .unwrap();
    let ids: Vec<_> = rest.sessions.iter().map(|s| s.id).collect();
    assert_eq!(ids, [id]);
    assert_eq!(rest.next, None);
    let active = repo
        .list("chat", "alice", Some(SessionStatus::Active), None, 10)
        .await
        .unwrap();
    let ids: Vec<_> = active.sessions.iter().map(|s| s.id).collect();
    assert_eq!(ids, [id]);
    let created = repo
        .list("chat", "alice", Some(SessionStatus::Created), None, 1)
        .await
        .unwrap();
    assert_eq!(created.sessions[0].id, third.summary.id);
    let created = repo
        .list(
            "chat",
            "alice",
            Some(SessionStatus::Created),
            created.next,
            1,
        )
        .await
        .unwrap();
    assert_eq!(created.sessions[0].id, other.summary.id);

    // Tasks.
    let (t1, t2) = (task(&db).await, task(&db).await);
    repo.link_task(id, t1).await.unwrap();
    repo.link_task(id, t2).await.unwrap();
    let mut expected = vec![t1, t2];
    expected.sort_unstable();
    assert_eq!(repo.tasks_of(id, Page::default()).await.unwrap(), expected);
    assert_eq!(repo.session_of_task(t1).await.unwrap(), Some(id));
    repo.unlink_task(id, t2).await.unwrap();
    assert_eq!(repo.session_of_task(t2).await.unwrap(), None);

    // Terminate, archive, delete.
    let s = repo
        .transition(id, SessionStatus::Terminated, Some(8))
        .await
        .unwrap();
    assert!(s.summary.terminated_at.is_some() && s.summary.archived_at.is_none());
    let s = repo
        .transition(id, SessionStatus::Archived, None)
        .await
        .unwrap();
    assert!(s.summary.archived_at.is_some());
    assert_eq!(s.summary.version, 10);
    repo.delete(id).await.unwrap();
    assert!(repo.get(id).await.is_err());
    assert_eq!(
        repo.session_of_task(t1).await.unwrap(),
        None,
        "delete unlinks"
    );
    assert!(repo.events_after(id, 0, 100).await.unwrap().is_empty());
    assert_eq!(
        repo.get(other.summary.id).await.unwrap().state,
        json!({"app:theme": "light", "user:seen": true}),
        "shared state outlives the session"
    );

    // One audit entry a write: 5 creates, 3 + 2 transitions, 2 appends (each with its events),
    // a state and a metadata update, a delete; 2 links and an unlink.
    let entries = all_entries(&SeaOrmAuditRepository::new(db.pool())).await;
    let count = |entity: &str, action: AuditAction| {
        entries
            .iter()
            .filter(|e| e.entity == entity && e.action == action)
            .count()
    };
    assert_eq!(count(SESSION, AuditAction::Create), 5);
    assert_eq!(count(SESSION, AuditAction::Update), 3 + 2 + 2 + 2);
    assert_eq!(count(SESSION, AuditAction::Delete), 1);
    assert_eq!(count(SESSION_EVENTS, AuditAction::Create), 2);
    assert_eq!(count(SESSION_TASK, AuditAction::Create), 2);
    assert_eq!(count(SESSION_TASK, AuditAction::Delete), 1);
    assert!(entries.iter().all(|e| e.actor == "planner"));
    let events_entry = entries.iter().find(|e| e.entity == SESSION_EVENTS).unwrap();
    assert_eq!(events_entry.entity_id, format!("{id}/1-3"));
}
