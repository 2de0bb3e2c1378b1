//! Bad input to sessions: illegal transitions, stale versions, unknown key scopes, empty and
//! too long keys, page limits, unknown rows, writes after the end: typed errors, and nothing
//! written, also when the audit entry cannot be.

use std::sync::Arc;

use memdb_enhanced_repository::audit::{AuditRepository, SeaOrmAuditRepository};
use memdb_enhanced_repository::audited::AuditTrail;
use memdb_enhanced_repository::limits;
use memdb_enhanced_repository::sessions::{
    NewEvent, NewSession, SessionRepository, SessionStatus, StateDelta,
};
use memdb_enhanced_repository::{
    MockAuditRepository, Page, RepoError, SeaOrmSessionRepository, SessionId,
};
use memdb_repository::ConflictKind;
use memdb_tests::TestDb;
use sea_orm::DbErr;
use serde_json::json;
use uuid::Uuid;

use super::sessions::{event, sessions, task};
use super::support::{all_entries, invalid_field};

fn conflict_kind<T: std::fmt::Debug>(result: Result<T, RepoError>) -> ConflictKind {
    match result {
        Err(RepoError::Conflict { kind, .. }) => kind,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

#[tokio::test]
async fn only_the_lifecycle_moves_are_allowed() {
    use SessionStatus::{Active, Archived, Created, Paused, Terminated};
    let allowed = [
        (Created, Active),
        (Created, Terminated),
        (Active, Paused),
        (Paused, Active),
        (Active, Terminated),
        (Paused, Terminated),
        (Terminated, Archived),
    ];
    for from in SessionStatus::ALL {
        for to in SessionStatus::ALL {
            assert_eq!(
                from.can_become(*to),
                allowed.contains(&(*from, *to)),
                "{from} -> {to}"
            );
        }
    }
    // Every illegal move from every reachable status, on a real session.
    let db = TestDb::new().await;
    let repo = sessions(&db);
    let paths: [&[SessionStatus]; 5] = [
        &[],
        &[Active],
        &[Active, Paused],
        &[Terminated],
        &[Terminated, Archived],
    ];
    for path in paths {
        let s = repo.create(NewSession::new("app", "u")).await.unwrap();
        let id = s.summary.id;
        for step in path {
            repo.transition(id, *step, None).await.unwrap();
        }
        let before = repo.get(id).await.unwrap();
        let from = before.summary.status;
        for to in SessionStatus::ALL {
            if from.can_become(*to) {
                continue;
            }
            let err = repo.transition(id, *to, None).await.unwrap_err();
            let RepoError::Conflict {
                kind: ConflictKind::WrongState,
                message: reason,
            } = err
            else {
                panic!("expected a wrong-state conflict, got {err:?}");
            };
            assert!(
                reason.contains(from.as_str()) && reason.contains(to.as_str()),
                "{reason}"
            );
        }
        assert_eq!(repo.get(id).await.unwrap(), before, "nothing written");
    }
}

#[tokio::test]
async fn stale_versions_conflict_and_write_nothing() {
    let db = TestDb::new().await;
    let repo = sessions(&db);
    let s = repo.create(NewSession::new("app", "u")).await.unwrap();
    let id = s.summary.id;
    repo.transition(id, SessionStatus::Active, Some(1))
        .await
        .unwrap();
    let audited = all_entries(&SeaOrmAuditRepository::new(db.pool()))
        .await
        .len();
    let before = repo.get(id).await.unwrap();

    let delta = StateDelta::new().set("k", json!(1)).set("app:k", json!(1));
    let err = repo
        .update_state(id, delta.clone(), Some(1))
        .await
        .unwrap_err();
    assert_eq!(err.conflict_kind(), Some(ConflictKind::StaleVersion));
    assert!(err.to_string().contains("version 2, not 1"), "{err}");
    let err = repo
        .append_events(id, vec![event(1)], Some(3), delta)
        .await
        .unwrap_err();
    assert_eq!(err.conflict_kind(), Some(ConflictKind::StaleVersion));
    let err = repo.transition(id, SessionStatus::Paused, Some(7)).await;
    assert_eq!(conflict_kind(err), ConflictKind::StaleVersion);
    let err = repo.update_metadata(id, json!({}), Some(0)).await;
    assert_eq!(conflict_kind(err), ConflictKind::StaleVersion);

    assert_eq!(
        repo.get(id).await.unwrap(),
        before,
        "no state, version or seq written"
    );
    assert!(repo.events_after(id, 0, 10).await.unwrap().is_empty());
    let other = repo.create(NewSession::new("app", "u")).await.unwrap();
    assert_eq!(other.state, json!({}), "no app state written");
    let audit = all_entries(&SeaOrmAuditRepository::new(db.pool()))
        .await
        .len();
    assert_eq!(audit, audited + 1, "only the second create was audited");
}

#[tokio::test]
async fn bad_keys_values_and_events_are_refused_before_anything_is_written() {
    let db = TestDb::new().await;
    let repo = sessions(&db);
    let s = repo.create(NewSession::new("app", "u")).await.unwrap();
    let id = s.summary.id;
    let too_long = "k".repeat(limits::SESSION_STATE_KEY + 1);
    for key in [
        "other:k".to_owned(),
        "app:".to_owned(),
        "user: ".to_owned(),
        String::new(),
        format!("user:{too_long}"),
        too_long.clone(),
    ] {
        // A good key beside the bad one: neither is written.
        let delta = StateDelta::new()
            .set("app:good", json!(1))
            .set(key.clone(), json!(1));
        let field = invalid_field(repo.update_state(id, delta.clone(), None).await);
        assert_eq!(field, "state key", "{key:?}");
        let field = invalid_field(repo.append_events(id, vec![event(1)], None, delta).await);
        assert_eq!(field, "state key", "{key:?}");
    }
    let ok_len = "k".repeat(limits::SESSION_STATE_KEY);
    repo.update_state(
        id,
        StateDelta::new().set(format!("app:{ok_len}"), json!(1)),
        None,
    )
    .await
    .unwrap();
    let delta = StateDelta::new().set("k", json!("a\0b"));
    assert_eq!(
        invalid_field(repo.update_state(id, delta, None).await),
        "state value"
    );

    let bad_events = [
        (vec![], "events"),
        (vec![NewEvent::new("", "user", json!(1))], "event_type"),
        (
            vec![NewEvent::new("t".repeat(65), "user", json!(1))],
            "event_type",
        ),
        (vec![NewEvent::new("t", " ", json!(1))], "actor"),
        (vec![NewEvent::new("t", "u", json!("\0"))], "content"),
    ];
    for (events, field) in bad_events {
        let result = repo
            .append_events(id, events, None, StateDelta::new())
            .await;
        assert_eq!(invalid_field(result), field);
    }
    let too_many = (0..=limits::SESSION_EVENTS_PAGE as usize)
        .map(event)
        .collect();
    let result = repo
        .append_events(id, too_many, None, StateDelta::new())
        .await;
    assert_eq!(invalid_field(result), "events");

    let s = repo.get(id).await.unwrap();
    assert_eq!(s.summary.version, 2, "one good write only");
    assert_eq!(s.summary.last_event_seq, 0);

    let max = limits::SESSION_EVENTS_PAGE;
    assert_eq!(invalid_field(repo.events_latest(id, 0).await), "n");
    assert_eq!(invalid_field(repo.events_latest(id, max + 1).await), "n");
    assert_eq!(
        invalid_field(repo.events_after(id, 0, max + 1).await),
        "limit"
    );
    let list = repo.list("app", "u", None, None, 0).await;
    assert_eq!(invalid_field(list), "limit");
    assert_eq!(
        invalid_field(repo.list("", "u", None, None, 1).await),
        "app_name"
    );
    let new = NewSession::new("a".repeat(limits::SESSION_APP_NAME + 1), "u");
    assert_eq!(invalid_field(repo.create(new).await), "app_name");
    let new = NewSession {
        metadata: json!([1]),
        ..NewSession::new("app", "u")
    };
    assert_eq!(invalid_field(repo.create(new).await), "metadata");
}

#[tokio::test]
async fn unknown_rows_ended_sessions_and_taken_tasks_are_typed_errors() {
    let db = TestDb::new().await;
    let repo = sessions(&db);
    let missing = SessionId::new();
    let not_found = |r: Result<(), RepoError>| matches!(r, Err(RepoError::NotFound { .. }));
    assert!(matches!(
        repo.get(missing).await,
        Err(RepoError::NotFound { .. })
    ));
    let t = repo.transition(missing, SessionStatus::Active, None).await;
    assert!(matches!(t, Err(RepoError::NotFound { .. })));
    assert!(not_found(repo.delete(missing).await));
    let task_id = task(&db).await;
    assert!(not_found(repo.link_task(missing, task_id).await));

    let s = repo.create(NewSession::new("app", "u")).await.unwrap();
    let id = s.summary.id;
    assert!(
        not_found(repo.link_task(id, Uuid::now_v7()).await),
        "unknown task"
    );
    assert!(not_found(repo.unlink_task(id, task_id).await), "not linked");
    repo.link_task(id, task_id).await.unwrap();
    let other = repo.create(NewSession::new("app", "u")).await.unwrap();
    let taken = repo.link_task(other.summary.id, task_id).await;
    assert_eq!(conflict_kind(taken), ConflictKind::Duplicate);
    assert!(not_found(repo.unlink_task(other.summary.id, task_id).await));
    let page = repo
        .tasks_of(other.summary.id, Page::default())
        .await
        .unwrap();
    assert!(page.is_empty());

    repo.transition(id, SessionStatus::Terminated, None)
        .await
        .unwrap();
    let write = repo
        .update_state(id, StateDelta::new().set("k", json!(1)), None)
        .await;
    assert_eq!(conflict_kind(write), ConflictKind::WrongState);
    let append = repo
        .append_events(id, vec![event(1)], None, StateDelta::new())
        .await;
    assert_eq!(conflict_kind(append), ConflictKind::WrongState);
    assert_eq!(repo.get(id).await.unwrap().summary.version, 2);
}

#[tokio::test]
async fn a_failed_audit_write_rolls_the_session_write_back() {
    let db = TestDb::new().await;
    let trail = AuditTrail::new("alice").unwrap().with_sink(|_tx| {
        let mut sink = MockAuditRepository::new();
        sink.expect_append()
            .returning(|_| Err(RepoError::Db(DbErr::Custom("audit down".into()))));
        sink.expect_append_many()
            .returning(|_| Err(RepoError::Db(DbErr::Custom("audit down".into()))));
        Arc::new(sink) as Arc<dyn AuditRepository>
    });
    let failing = SeaOrmSessionRepository::new(db.pool(), trail);
    let repo = sessions(&db);
    let new = NewSession {
        state: StateDelta::new()
            .set("app:k", json!(1))
            .set("user:k", json!(1)),
        ..NewSession::new("app", "u")
    };
    assert!(failing.create(new).await.is_err());
    let page = repo.list("app", "u", None, None, 10).await.unwrap();
    assert!(page.sessions.is_empty());

    let s = repo.create(NewSession::new("app", "u")).await.unwrap();
    let id = s.summary.id;
    let delta = StateDelta::new()
        .set("k", json!(1))
        .set("app:k", json!(1))
        .set("user:k", json!(1));
    assert!(
        failing
            .append_events(id, vec![event(1)], None, delta.clone())
            .await
            .is_err()
    );
    assert!(failing.update_state(id, delta, None).await.is_err());
    assert!(
        failing
            .transition(id, SessionStatus::Active, None)
            .await
            .is_err()
    );
    let task_id = task(&db).await;
    assert!(failing.link_task(id, task_id).await.is_err());
    assert!(failing.delete(id).await.is_err());
    assert_eq!(
        repo.get(id).await.unwrap(),
        s,
        "no state, status, version or seq written"
    );
    assert!(repo.events_after(id, 0, 10).await.unwrap().is_empty());
    assert_eq!(repo.session_of_task(task_id).await.unwrap(), None);
}
