//! Stored session rows as domain values, and the images the audit log keeps of them.

use chrono::Utc;
use memdb_enhanced_entity::sessions;
use memdb_repository::{RepoError, RepoResult, stored_enum};
use serde::Serialize;

use super::SessionSummary;

impl TryFrom<&sessions::Model> for SessionSummary {
    type Error = RepoError;

    fn try_from(m: &sessions::Model) -> RepoResult<Self> {
        Ok(Self {
            id: m.id.into(),
            app_name: m.app_name.clone(),
            user_id: m.user_id.clone(),
            project_id: m.project_id.clone(),
            status: stored_enum("session status", &m.status)?,
            version: m.version,
            last_event_seq: m.last_event_seq,
            created_at: m.created_at.with_timezone(&Utc),
            last_update_time: m.last_update_time.with_timezone(&Utc),
            terminated_at: m.terminated_at.map(|at| at.with_timezone(&Utc)),
            archived_at: m.archived_at.map(|at| at.with_timezone(&Utc)),
        })
    }
}

impl TryFrom<sessions::Model> for SessionSummary {
    type Error = RepoError;

    fn try_from(m: sessions::Model) -> RepoResult<Self> {
        Self::try_from(&m)
    }
}

/// What the audit log keeps of a session: its row (session-scoped state only) and, for a
/// write that changed state, the delta it applied (app and user keys included).
#[derive(Debug, Serialize)]
pub(super) struct SessionImage {
    #[serde(flatten)]
    summary: SessionSummary,
    state: serde_json::Value,
    metadata: serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    delta: Option<serde_json::Value>,
}

impl SessionImage {
    /// The image of `row`, with the `delta` that produced it.
    pub(super) fn of(row: &sessions::Model, delta: Option<serde_json::Value>) -> RepoResult<Self> {
        Ok(Self {
            summary: row.try_into()?,
            state: row.state.clone(),
            metadata: row.metadata.clone(),
            delta,
        })
    }
}
