//! Session reads and writes on the data set's sessions (`dataset_sessions`): the merged state,
//! an append of one event with a session state key, the latest events, a page of events after
//! a `seq`, and a listing of a user's sessions of one status, each beside the statements memdb
//! sends on the raw pool (the append's in one write transaction, its audit entries included).

use std::sync::Arc;

use anyhow::{Result, ensure};
use memdb_enhanced_repository::audited::AuditTrail;
use memdb_enhanced_repository::ids::{AuditEntryId, SessionId};
use memdb_enhanced_repository::sessions::{SessionRepository, SessionStatus, StateDelta};
use memdb_enhanced_repository::{EnhancedRepositories, SeaOrmSessionRepository};
use memdb_repository::now;
use serde_json::json;

use super::Bench;
use super::twins::{Case, Expect, memdb, raw, run_cases};
use crate::dataset_sessions::{APP, EVENTS, LONG_EVENTS, event, events, user_id};
use crate::raw::Param;
use crate::report::ResultRow;
use crate::runner::{Side, op};

/// The actor the bench's session writes are audited as.
const ACTOR: &str = "bench";

/// The columns of `sessions` in entity order: what SeaORM selects and returns.
pub(crate) const SESSION_COLUMNS: &str = "id, app_name, user_id, project_id, status, state, \
     metadata, version, last_event_seq, created_at, last_update_time, terminated_at, archived_at";

/// The columns of `session_events` in entity order.
const EVENT_COLUMNS: &str = "session_id, seq, event_type, actor, content, created_at";

/// Events of the pages read after a `seq`.
const PAGE: u64 = 50;

/// Sessions of the listed page.
const LIST_PAGE: u64 = 20;

/// The session repository on the bench's pool.
///
/// # Errors
/// None in practice: the actor name is valid.
pub(crate) fn repository(repos: &EnhancedRepositories) -> Result<SeaOrmSessionRepository> {
    let trail = AuditTrail::new(ACTOR)?;
    Ok(SeaOrmSessionRepository::new(
        repos.connection().clone(),
        trail,
    ))
}

/// The merged read of the app's and the user's state entries (`$1` and `$3` are the scopes).
const MERGED_SQL: &str = "SELECT $1 AS scope, \"key\", value FROM app_state_entries WHERE \
     app_name = $2 UNION ALL SELECT $3 AS scope, \"key\", value FROM user_state_entries WHERE \
     app_name = $4 AND user_id = $5";

/// The parameters of [`MERGED_SQL`] for session `i` of the data set.
fn merged_params(i: usize, users: u64) -> Vec<Param> {
    vec![
        Param::Text("app".to_owned()),
        Param::Text(APP.to_owned()),
        Param::Text("user".to_owned()),
        Param::Text(APP.to_owned()),
        Param::Text(user_id(i as u64 % users)),
    ]
}

/// The session workloads `selects` picks; none when the data set holds no sessions.
///
/// # Errors
/// The first failing call's error.
pub(crate) async fn run(bench: &Bench, selects: impl Fn(&str) -> bool) -> Result<Vec<ResultRow>> {
    let data = &bench.data.sessions;
    if data.ids.is_empty() || data.long.is_empty() {
        return Ok(Vec::new());
    }
    let repo = Arc::new(repository(&bench.repos)?);
    let cases = vec![
        get(bench, &repo),
        events_latest(bench, &repo),
        events_after(bench, &repo),
        list(bench, &repo),
        append(bench, &repo),
    ];
    run_cases(bench, selects, cases).await
}

/// Call `i`'s session: its index in the data set and its id.
fn pick(bench: &Bench, i: u64) -> (usize, SessionId) {
    let ids = &bench.data.sessions.ids;
    let k = Bench::pick(i, ids.len());
    (k, ids[k])
}

/// Call `i`'s long session.
fn pick_long(bench: &Bench, i: u64) -> SessionId {
    let data = &bench.data.sessions;
    data.ids[data.long[Bench::pick(i, data.long.len())]]
}

/// `get` with its merged state beside the `SELECT` by id and the merged read.
fn get(bench: &Bench, repo: &Arc<SeaOrmSessionRepository>) -> Case {
    let users = bench.data.sessions.users;
    let by_id = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = $1 LIMIT 1");
    let pool = bench.raw.clone();
    let (by_id, merged) = (Arc::new(pool.sql(&by_id)), Arc::new(pool.sql(MERGED_SQL)));
    let b = bench.clone();
    let twin = Side {
        label: "raw SELECT + merged state SELECT",
        op: op(move |i| {
            let (pool, by_id, merged) = (pool.clone(), by_id.clone(), merged.clone());
            let (k, id) = pick(&b, i);
            async move {
                let found = pool
                    .fetch_count(&by_id, &[Param::Uuid(id.as_uuid())])
                    .await?;
                let entries = pool.fetch_count(&merged, &merged_params(k, users)).await?;
                ensure!(
                    found == 1 && entries == 2,
                    "found {found} sessions, {entries} entries"
                );
                Ok(())
            }
        }),
    };
    let (repo, b) = (repo.clone(), bench.clone());
    (
        "sessions.get (merged state)",
        vec![
            memdb(bench, Expect::One, move |_, i| {
                let (repo, (_, id)) = (repo.clone(), pick(&b, i));
                async move {
                    let session = repo.get(id).await?;
                    let keys = session.state.as_object().map_or(0, serde_json::Map::len);
                    ensure!(keys == 3, "merged state has {keys} keys, not 3");
                    Ok(1)
                }
            }),
            twin,
        ],
    )
}

/// The latest [`EVENTS`] events of a session.
fn events_latest(bench: &Bench, repo: &Arc<SeaOrmSessionRepository>) -> Case {
    let (repo, b, b2) = (repo.clone(), bench.clone(), bench.clone());
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM session_events WHERE session_id = $1 ORDER BY seq DESC \
         LIMIT $2"
    );
    (
        "sessions.events_latest 20",
        vec![
            memdb(bench, Expect::Some, move |_, i| {
                let (repo, (_, id)) = (repo.clone(), pick(&b, i));
                async move {
                    let found = repo.events_latest(id, EVENTS).await?.len();
                    ensure!(found == EVENTS as usize, "{found} events, not {EVENTS}");
                    Ok(found)
                }
            }),
            raw(bench, "raw", Expect::Some, &sql, move |i| {
                let (_, id) = pick(&b2, i);
                vec![Param::Uuid(id.as_uuid()), Param::Int(EVENTS as i64)]
            }),
        ],
    )
}

/// [`PAGE`] events of a long session after a `seq` of its first half.
fn events_after(bench: &Bench, repo: &Arc<SeaOrmSessionRepository>) -> Case {
    let (repo, b, b2) = (repo.clone(), bench.clone(), bench.clone());
    let after = |i: u64| (i % (LONG_EVENTS - PAGE)) as i64;
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM session_events WHERE session_id = $1 AND seq > $2 \
         ORDER BY seq ASC LIMIT $3"
    );
    (
        "sessions.events_after page of 50",
        vec![
            memdb(bench, Expect::Some, move |_, i| {
                let (repo, id) = (repo.clone(), pick_long(&b, i));
                async move {
                    let page = repo.events_after(id, after(i), PAGE).await?;
                    ensure!(
                        page.len() == PAGE as usize,
                        "{} events, not {PAGE}",
                        page.len()
                    );
                    ensure!(
                        page[0].seq == after(i) + 1,
                        "the page starts at {}",
                        page[0].seq
                    );
                    Ok(page.len())
                }
            }),
            raw(bench, "raw", Expect::Some, &sql, move |i| {
                let id = pick_long(&b2, i);
                vec![
                    Param::Uuid(id.as_uuid()),
                    Param::Int(after(i)),
                    Param::Int(PAGE as i64),
                ]
            }),
        ],
    )
}

/// The first page of a user's active sessions, newest first.
fn list(bench: &Bench, repo: &Arc<SeaOrmSessionRepository>) -> Case {
    let users = bench.data.sessions.users;
    let user = move |i: u64| user_id(Bench::pick(i, users as usize) as u64);
    let repo = repo.clone();
    let sql = format!(
        "SELECT {SESSION_COLUMNS} FROM sessions WHERE app_name = $1 AND user_id = $2 AND \
         status = $3 ORDER BY id DESC LIMIT $4"
    );
    (
        "sessions.list by user+status page of 20",
        vec![
            memdb(bench, Expect::Some, move |_, i| {
                let repo = repo.clone();
                async move {
                    let status = Some(SessionStatus::Active);
                    let page = repo.list(APP, &user(i), status, None, LIST_PAGE).await?;
                    Ok(page.sessions.len())
                }
            }),
            raw(bench, "raw", Expect::Some, &sql, move |i| {
                vec![
                    Param::Text(APP.to_owned()),
                    Param::Text(user(i)),
                    Param::Text(SessionStatus::Active.as_str().to_owned()),
                    Param::Int(LIST_PAGE as i64),
                ]
            }),
        ],
    )
}

/// The raw twin of an append: memdb's statements in the backend's placeholders.
struct AppendTwin {
    bump: String,
    update: String,
    insert: String,
    merged: String,
    audit: String,
    users: u64,
}

impl AppendTwin {
    fn new(bench: &Bench) -> Self {
        let sql = |s: &str| bench.raw.sql(s);
        Self {
            bump: sql(&format!(
                "UPDATE sessions SET version = version + $1, last_event_seq = last_event_seq + \
                 $2 WHERE id = $3 RETURNING {SESSION_COLUMNS}"
            )),
            update: sql(&format!(
                "UPDATE sessions SET state = $1, last_update_time = $2 WHERE id = $3 \
                 RETURNING {SESSION_COLUMNS}"
            )),
            insert: sql(&format!(
                "INSERT INTO session_events ({EVENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6) \
                 RETURNING {EVENT_COLUMNS}"
            )),
            merged: sql(MERGED_SQL),
            audit: sql(
                "INSERT INTO audit_log (id, actor, action, entity, entity_id, \"before\", \
                 \"after\", at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8), ($9, $10, $11, $12, \
                 $13, $14, $15, $16)",
            ),
            users: bench.data.sessions.users,
        }
    }

    /// One audit entry's parameters.
    fn entry(
        action: &str,
        entity: &str,
        entity_id: String,
        before: Option<serde_json::Value>,
        after: serde_json::Value,
    ) -> Vec<Param> {
        vec![
            Param::Uuid(AuditEntryId::new().as_uuid()),
            Param::Text(ACTOR.to_owned()),
            Param::Text(action.to_owned()),
            Param::Text(entity.to_owned()),
            Param::Text(entity_id),
            before.map_or(Param::NoJson, Param::Json),
            Param::Json(after),
            Param::Time(now()),
        ]
    }

    /// What follows the bump for call `i` on session `k` (`id`), its event numbered `seq`.
    fn after_bump(&self, i: u64, k: usize, id: SessionId, seq: i64) -> Vec<(String, Vec<Param>)> {
        let (at, uuid, e) = (now(), Param::Uuid(id.as_uuid()), event(i, 0));
        let image = json!({ "id": id, "state": { "step": i } });
        let stored = json!([{ "seq": seq, "content": e.content }]);
        let mut audited = Self::entry(
            "update",
            "session",
            id.to_string(),
            Some(image.clone()),
            image,
        );
        let events_id = format!("{id}/{seq}-{seq}");
        audited.extend(Self::entry(
            "create",
            "session_events",
            events_id,
            None,
            stored,
        ));
        let row = vec![
            Param::Json(json!({ "step": i })),
            Param::Time(at),
            uuid.clone(),
        ];
        let stored_event = vec![
            uuid,
            Param::Int(seq),
            Param::Text(e.event_type),
            Param::Text(e.actor),
            Param::Json(e.content),
            Param::Time(at),
        ];
        vec![
            (self.update.clone(), row),
            (self.insert.clone(), stored_event),
            (self.merged.clone(), merged_params(k, self.users)),
            ("SAVEPOINT _sqlx_savepoint_1".to_owned(), Vec::new()),
            (self.audit.clone(), audited),
            ("RELEASE SAVEPOINT _sqlx_savepoint_1".to_owned(), Vec::new()),
        ]
    }
}

/// `append_events` of one event with a session state key beside memdb's statements in one
/// write transaction: the bump, the row update, the event insert, the merged read and the two
/// audit entries (the session's update, the event) in a savepoint.
fn append(bench: &Bench, repo: &Arc<SeaOrmSessionRepository>) -> Case {
    let (repo, b, b2) = (repo.clone(), bench.clone(), bench.clone());
    let (pool, statements) = (bench.raw.clone(), Arc::new(AppendTwin::new(bench)));
    let twin = Side {
        label: "raw write transaction (+ audit rows)",
        op: op(move |i| {
            let (pool, statements) = (pool.clone(), statements.clone());
            let (k, id) = pick(&b2, i);
            async move {
                let bumped = [Param::Int(1), Param::Int(1), Param::Uuid(id.as_uuid())];
                let rows = pool
                    .write_transaction_chained(
                        (&statements.bump, &bumped),
                        "last_event_seq",
                        |seq| statements.after_bump(i, k, id, seq),
                    )
                    .await?;
                // The bump, the update, the event and the two state entries.
                ensure!(
                    rows == 5,
                    "the append's statements returned {rows} rows, not 5"
                );
                Ok(())
            }
        }),
    };
    (
        "sessions.append_events 1 event",
        vec![
            memdb(bench, Expect::One, move |_, i| {
                let (repo, (_, id)) = (repo.clone(), pick(&b, i));
                async move {
                    let delta = StateDelta::new().set("step", json!(i));
                    let appended = repo.append_events(id, events(i, 0, 1), None, delta).await?;
                    Ok(appended.events.len())
                }
            }),
            twin,
        ],
    )
}
