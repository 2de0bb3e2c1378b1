//! Seed 002's example session, for trying memdb out and for documentation: a session of
//! [`EXAMPLE_USER`] in [`EXAMPLE_APP`], created with one event and state in the session's and
//! the user's scope, in one transaction (`memdb seed --example-session`).

use memdb_repository::{Executor, RepoResult, unit_of_work};
use serde_json::json;

use super::{
    NewEvent, NewSession, SeaOrmSessionRepository, Session, SessionRepository, StateDelta,
};
use crate::audited::AuditTrail;

/// The app the example session belongs to.
pub const EXAMPLE_APP: &str = "memdb";
/// The user the example session belongs to.
pub const EXAMPLE_USER: &str = "example_user";
/// Who the example session's writes are audited as.
pub const EXAMPLE_ACTOR: &str = "system";

/// Creates a new example session on `db` and returns it as read back (status `created`,
/// version 2: the create and its first event). Each call creates another one.
///
/// Its state is seed 002's, in memdb's scopes: `initialized` in the session's own state and
/// `user:first_session` in the user's; its first event is a `message` by `user`.
///
/// # Errors
/// The database's error (e.g. the enhanced track is not migrated); nothing is written then.
pub async fn seed_example_session<C: Executor>(db: &C) -> RepoResult<Session> {
    unit_of_work(db, |tx| async move {
        let sessions = SeaOrmSessionRepository::new(tx, AuditTrail::new(EXAMPLE_ACTOR)?);
        let created = sessions
            .create(NewSession {
                state: StateDelta::new()
                    .set("initialized", json!(true))
                    .set("user:first_session", json!(true)),
                ..NewSession::new(EXAMPLE_APP, EXAMPLE_USER)
            })
            .await?;
        let id = created.summary.id;
        let event = NewEvent::new(
            "message",
            "user",
            json!({"message": "Initialize example session", "is_final_response": false}),
        );
        sessions
            .append_events(
                id,
                vec![event],
                Some(created.summary.version),
                StateDelta::new(),
            )
            .await?;
        sessions.get(id).await
    })
    .await
}
