//! The sessions of the data set: `rows / 10` sessions of one app over `rows / 400` users (40
//! sessions a user; at least one user), each created with a session, an app and a user state
//! key, every other one of each user moved to `active`, and given [`EVENTS`] events in one
//! `append_events` batch; one session in ten (a "long" one) gets [`LONG_EVENTS`] in batches of
//! [`EVENTS`], for the pages read after a `seq`. Everything goes through the public API.

use anyhow::Result;
use memdb_enhanced_repository::SeaOrmSessionRepository;
use memdb_enhanced_repository::ids::SessionId;
use memdb_enhanced_repository::sessions::{
    NewEvent, NewSession, SessionRepository, SessionStatus, StateDelta,
};
use serde_json::json;

use crate::progress::Progress;
use crate::rng::SplitMix64;

/// The app every session belongs to.
pub(crate) const APP: &str = "bench";

/// Events of an ordinary session (one `append_events` batch).
pub(crate) const EVENTS: u64 = 20;

/// Events of a long session (one in ten).
pub(crate) const LONG_EVENTS: u64 = 100;

/// Sessions each user has (but when there are fewer sessions than this).
pub(crate) const PER_USER: u64 = 40;

/// The seed of the events' contents (the other tables use 1 to 11).
const SEED: u64 = 12;

/// The sessions loaded.
#[derive(Default)]
pub(crate) struct SessionData {
    /// Every session, in creation order; session `i` belongs to user `i % users`.
    pub(crate) ids: Vec<SessionId>,
    /// Indexes in `ids` of the long sessions.
    pub(crate) long: Vec<usize>,
    /// Users (`user_id(0)` to `user_id(users - 1)`).
    pub(crate) users: u64,
}

/// User `u`'s id.
pub(crate) fn user_id(u: u64) -> String {
    format!("user{u:05}")
}

/// Event `n` of a batch of call or session `i`, its content drawn from the generator.
pub(crate) fn event(i: u64, n: u64) -> NewEvent {
    let mut rng = SplitMix64::new(SEED ^ i ^ (n << 40));
    NewEvent::new("message", "agent", json!({ "n": n, "text": rng.text(12) }))
}

/// `count` events of session or call `i`, numbered from `first`.
pub(crate) fn events(i: u64, first: u64, count: u64) -> Vec<NewEvent> {
    (first..first + count).map(|n| event(i, n)).collect()
}

/// Loads `sessions` sessions (see the module docs).
///
/// # Errors
/// The first failing call's error.
pub(crate) async fn build(repo: &SeaOrmSessionRepository, sessions: u64) -> Result<SessionData> {
    let users = (sessions / PER_USER).max(1);
    let mut data = SessionData {
        ids: Vec::with_capacity(sessions as usize),
        long: Vec::new(),
        users,
    };
    let mut progress = Progress::new("sessions", sessions);
    for i in 0..sessions {
        let input = NewSession {
            state: StateDelta::new()
                .set("step", json!(0))
                .set("app:model", json!("bench-model"))
                .set(format!("user:lang{}", i % users), json!("en")),
            ..NewSession::new(APP, user_id(i % users))
        };
        let id = repo.create(input).await?.summary.id;
        // Every other session of each user (session `i` is its user's `i / users`-th).
        if (i / users).is_multiple_of(2) {
            repo.transition(id, SessionStatus::Active, None).await?;
        }
        let total = if i % 10 == 0 { LONG_EVENTS } else { EVENTS };
        for first in (0..total).step_by(EVENTS as usize) {
            let batch = events(i, first, EVENTS.min(total - first));
            repo.append_events(id, batch, None, StateDelta::new())
                .await?;
        }
        if total == LONG_EVENTS {
            data.long.push(data.ids.len());
        }
        data.ids.push(id);
        progress.update(i + 1);
    }
    Ok(data)
}
