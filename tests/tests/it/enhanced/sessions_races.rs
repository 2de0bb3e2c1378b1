//! Sessions under concurrent writers on the pool (real tokio tasks): 50 sessions, each with
//! several appenders and state updaters at once, lose and reorder nothing; concurrent appenders
//! to one session get distinct, consecutive event numbers.

use std::sync::Arc;

use memdb_enhanced_repository::SessionId;
use memdb_enhanced_repository::sessions::{NewEvent, NewSession, SessionRepository, StateDelta};
use memdb_tests::TestDb;
use serde_json::json;

use super::sessions::sessions;
use super::support::retrying;

const SESSIONS: usize = 50;
const APPENDERS: usize = 3;
const APPENDS: usize = 4;
const UPDATERS: usize = 2;
const UPDATES: usize = 3;

async fn append(repo: &Arc<dyn SessionRepository>, id: SessionId, appender: usize, i: usize) {
    let event = NewEvent::new("step", format!("appender-{appender}"), json!({"i": i}));
    retrying(|| repo.append_events(id, vec![event.clone()], None, StateDelta::new())).await;
}

async fn update(repo: &Arc<dyn SessionRepository>, id: SessionId, updater: usize, i: usize) {
    let delta = StateDelta::new()
        .set(format!("s{updater}-{i}"), json!(i))
        .set(format!("user:{id}-{updater}-{i}"), json!(i))
        .set(format!("app:{id}-{updater}-{i}"), json!(i));
    retrying(|| repo.update_state(id, delta.clone(), None)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_sessions_with_concurrent_appenders_and_updaters_lose_nothing() {
    let db = TestDb::new().await;
    let repo: Arc<dyn SessionRepository> = Arc::new(sessions(&db));
    let mut ids = Vec::new();
    for _ in 0..SESSIONS {
        ids.push(
            repo.create(NewSession::new("race", "alice"))
                .await
                .unwrap()
                .summary
                .id,
        );
    }
    let mut tasks = Vec::new();
    for &id in &ids {
        for appender in 0..APPENDERS {
            let repo = Arc::clone(&repo);
            tasks.push(tokio::spawn(async move {
                for i in 0..APPENDS {
                    append(&repo, id, appender, i).await;
                }
            }));
        }
        for updater in 0..UPDATERS {
            let repo = Arc::clone(&repo);
            tasks.push(tokio::spawn(async move {
                for i in 0..UPDATES {
                    update(&repo, id, updater, i).await;
                }
            }));
        }
    }
    for task in tasks {
        task.await.unwrap();
    }

    let events = APPENDERS * APPENDS;
    let writes = events + UPDATERS * UPDATES;
    for &id in &ids {
        let session = repo.get(id).await.unwrap();
        assert_eq!(session.summary.version, 1 + i32::try_from(writes).unwrap());
        assert_eq!(
            session.summary.last_event_seq,
            i64::try_from(events).unwrap()
        );
        let stored = repo.events_after(id, 0, 1000).await.unwrap();
        let seqs: Vec<i64> = stored.iter().map(|e| e.seq).collect();
        let expected: Vec<i64> = (1..=i64::try_from(events).unwrap()).collect();
        assert_eq!(seqs, expected, "no gap, no duplicate");
        for appender in 0..APPENDERS {
            let own: Vec<&serde_json::Value> = stored
                .iter()
                .filter(|e| e.actor == format!("appender-{appender}"))
                .map(|e| &e.content["i"])
                .collect();
            let in_order: Vec<serde_json::Value> = (0..APPENDS).map(|i| json!(i)).collect();
            assert_eq!(
                own,
                in_order.iter().collect::<Vec<_>>(),
                "appender {appender}'s order"
            );
        }
        let state = session.state.as_object().unwrap();
        for updater in 0..UPDATERS {
            for i in 0..UPDATES {
                for key in [
                    format!("s{updater}-{i}"),
                    format!("user:{id}-{updater}-{i}"),
                    format!("app:{id}-{updater}-{i}"),
                ] {
                    assert_eq!(state.get(&key), Some(&json!(i)), "{key} of session {id}");
                }
            }
        }
    }
    // Every session of the user sees every user and app key written by all of them.
    let shared = SESSIONS * UPDATERS * UPDATES * 2;
    let any = repo.get(ids[0]).await.unwrap();
    let scoped = any
        .state
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| k.starts_with("user:") || k.starts_with("app:"))
        .count();
    assert_eq!(scoped, shared);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appenders_to_one_session_get_distinct_consecutive_seqs() {
    const APPENDERS: usize = 16;
    const BATCH: usize = 3;
    let db = TestDb::new().await;
    let repo: Arc<dyn SessionRepository> = Arc::new(sessions(&db));
    let id = repo
        .create(NewSession::new("race", "bob"))
        .await
        .unwrap()
        .summary
        .id;
    let tasks: Vec<_> = (0..APPENDERS)
        .map(|a| {
            let repo = Arc::clone(&repo);
            tokio::spawn(async move {
                let batch: Vec<NewEvent> = (0..BATCH)
                    .map(|i| NewEvent::new("step", format!("a{a}"), json!({"i": i})))
                    .collect();
                retrying(|| repo.append_events(id, batch.clone(), None, StateDelta::new())).await
            })
        })
        .collect();
    let mut seqs = Vec::new();
    for task in tasks {
        let appended = task.await.unwrap();
        let own: Vec<i64> = appended.events.iter().map(|e| e.seq).collect();
        let first = own[0];
        let batch = i64::try_from(BATCH).unwrap();
        assert_eq!(
            own,
            (first..first + batch).collect::<Vec<_>>(),
            "a batch is consecutive"
        );
        seqs.extend(own);
    }
    seqs.sort_unstable();
    let total = i64::try_from(APPENDERS * BATCH).unwrap();
    assert_eq!(seqs, (1..=total).collect::<Vec<_>>(), "distinct, no gap");
    let stored = repo.events_after(id, 0, 1000).await.unwrap();
    assert_eq!(stored.len(), APPENDERS * BATCH);
    let session = repo.get(id).await.unwrap();
    assert_eq!(
        session.summary.version,
        1 + i32::try_from(APPENDERS).unwrap()
    );
}
