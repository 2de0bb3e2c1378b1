//! Every session statement, for the plan check.

use memdb_enhanced_repository::audited::AuditTrail;
use memdb_enhanced_repository::sessions::{
    NewEvent, NewSession, SessionRepository, SessionStatus, StateDelta,
};
use memdb_enhanced_repository::{Page, SeaOrmSessionRepository};
use memdb_repository::Repositories;
use memdb_repository::taskmaster::NewTask;
use sea_orm::DatabaseConnection;
use serde_json::json;

use super::recorder::Recorder;

pub(super) async fn sessions(db: &DatabaseConnection, rec: &Recorder) {
    let repo = SeaOrmSessionRepository::new(db.clone(), AuditTrail::new("planner").unwrap());
    let task = Repositories::from_connection(db.clone())
        .tasks
        .submit(NewTask::new("session work"))
        .await
        .unwrap()
        .id
        .into();
    for user in ["alice", "bob", "carol"] {
        repo.create(NewSession::new("planner", user)).await.unwrap();
    }
    rec.call("sessions.create with app and user state");
    let input = NewSession {
        state: StateDelta::new()
            .set("step", json!(1))
            .set("app:a", json!(1))
            .set("user:u", json!(1)),
        ..NewSession::new("planner", "alice")
    };
    let id = repo.create(input).await.unwrap().summary.id;
    rec.call("sessions.get with the merged state");
    repo.get(id).await.unwrap();
    rec.call("sessions.transition");
    repo.transition(id, SessionStatus::Active, Some(1))
        .await
        .unwrap();
    rec.call("sessions.update_state setting and removing keys");
    let delta = StateDelta::new()
        .set("app:b", json!(2))
        .remove("app:a")
        .set("user:v", json!(2))
        .remove("user:u")
        .remove("step");
    repo.update_state(id, delta, None).await.unwrap();
    rec.call("sessions.update_metadata");
    repo.update_metadata(id, json!({"m": 1}), None)
        .await
        .unwrap();
    rec.call("sessions.append_events");
    let events = (0..3)
        .map(|i| NewEvent::new("step", "agent", json!({"i": i})))
        .collect();
    repo.append_events(id, events, Some(4), StateDelta::new())
        .await
        .unwrap();
    rec.call("sessions.events_latest");
    assert_eq!(repo.events_latest(id, 2).await.unwrap().len(), 2);
    rec.call("sessions.events_after");
    assert_eq!(repo.events_after(id, 1, 10).await.unwrap().len(), 2);
    rec.call("sessions.list");
    let page = repo.list("planner", "alice", None, None, 1).await.unwrap();
    rec.call("sessions.list of a later page");
    repo.list("planner", "alice", None, page.next, 1)
        .await
        .unwrap();
    rec.call("sessions.list by status");
    let page = repo
        .list("planner", "alice", Some(SessionStatus::Created), None, 1)
        .await
        .unwrap();
    assert_eq!(page.sessions.len(), 1);
    rec.call("sessions.list by status of a later page");
    repo.list(
        "planner",
        "alice",
        Some(SessionStatus::Active),
        page.next,
        1,
    )
    .await
    .unwrap();
    rec.call("sessions.link_task");
    repo.link_task(id, task).await.unwrap();
    rec.call("sessions.tasks_of");
    assert_eq!(repo.tasks_of(id, Page::default()).await.unwrap(), [task]);
    rec.call("sessions.session_of_task");
    assert_eq!(repo.session_of_task(task).await.unwrap(), Some(id));
    rec.call("sessions.unlink_task");
    repo.unlink_task(id, task).await.unwrap();
    repo.link_task(id, task).await.unwrap();
    rec.call("sessions.delete");
    repo.delete(id).await.unwrap();
}
