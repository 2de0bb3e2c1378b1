//! Checks of tiered memory inputs, and the cluster a memory's metadata places it in. Each
//! check returns a [`RepoError::Validation`] naming the field, so nothing invalid is written.

use chrono::{DateTime, FixedOffset};
use memdb_enhanced_entity::memories;
use memdb_repository::{RepoError, RepoResult, validate};

use super::{ClusterKey, NewTieredMemory, TieredCursor, TieredMemoryUpdate, TieredPaging};
use crate::ids::TieredMemoryId;
use crate::limits;

/// The metadata keys whose string values name a memory's cluster.
pub(super) const TOPIC: &str = "topic";
/// See [`TOPIC`].
pub(super) const CATEGORY: &str = "category";

/// A user id.
pub(super) fn user_id(value: &str) -> RepoResult<String> {
    Ok(validate::non_empty("user_id", value, limits::TIERED_USER_ID)?.to_owned())
}

/// A thread id (of `field`: `thread_id` or `related_threads`).
pub(super) fn thread_id(field: &'static str, value: &str) -> RepoResult<String> {
    Ok(validate::non_empty(field, value, limits::TIERED_THREAD_ID)?.to_owned())
}

fn content(value: &str) -> RepoResult<String> {
    Ok(validate::non_empty("content", value, limits::TIERED_CONTENT)?.to_owned())
}

fn importance(value: f64) -> RepoResult<f64> {
    validate::unit_score("importance", value)
}

/// A metadata object: checked as every stored JSON object, bounded in size, and with
/// `topic` and `category` fit to name a cluster when both are strings.
fn metadata(value: serde_json::Value) -> RepoResult<serde_json::Value> {
    let value = validate::json_object("metadata", value)?;
    let size = serde_json::to_vec(&value)
        .map_err(|err| RepoError::invalid("metadata", err.to_string()))?
        .len();
    if size > limits::TIERED_METADATA_BYTES {
        return Err(RepoError::invalid(
            "metadata",
            format!(
                "is {size} bytes as JSON, the limit is {}",
                limits::TIERED_METADATA_BYTES
            ),
        ));
    }
    if let Some(key) = cluster_of(&value) {
        validate::non_empty("metadata", &key.topic, limits::TIERED_CLUSTER_KEY)
            .map_err(|err| prefixed(err, "topic: "))?;
        validate::non_empty("metadata", &key.category, limits::TIERED_CLUSTER_KEY)
            .map_err(|err| prefixed(err, "category: "))?;
    }
    Ok(value)
}

fn prefixed(err: RepoError, prefix: &str) -> RepoError {
    match err {
        RepoError::Validation { field, reason } => RepoError::Validation {
            field,
            reason: format!("{prefix}{reason}"),
        },
        other => other,
    }
}

fn related_threads(values: Vec<String>) -> RepoResult<serde_json::Value> {
    if values.len() > limits::TIERED_RELATED_THREADS {
        return Err(RepoError::invalid(
            "related_threads",
            format!(
                "names {} threads, the limit is {}",
                values.len(),
                limits::TIERED_RELATED_THREADS
            ),
        ));
    }
    for value in &values {
        thread_id("related_threads", value)?;
    }
    Ok(serde_json::Value::from(values))
}

/// The cluster `metadata` places a memory in: its `topic` and `category`, when both are
/// strings.
pub(crate) fn cluster_of(metadata: &serde_json::Value) -> Option<ClusterKey> {
    let topic = metadata.get(TOPIC)?.as_str()?;
    let category = metadata.get(CATEGORY)?.as_str()?;
    Some(ClusterKey::new(topic, category))
}

/// A cluster key given by a caller.
pub(super) fn cluster_key(key: ClusterKey) -> RepoResult<ClusterKey> {
    validate::non_empty("topic", &key.topic, limits::TIERED_CLUSTER_KEY)?;
    validate::non_empty("category", &key.category, limits::TIERED_CLUSTER_KEY)?;
    Ok(key)
}

/// `input` checked and made a row, added at `at`.
pub(super) fn new_row(
    input: NewTieredMemory,
    at: DateTime<FixedOffset>,
) -> RepoResult<memories::Model> {
    // JSON first: a rejected value is taken apart without recursion (see validate).
    let metadata = metadata(input.metadata)?;
    Ok(memories::Model {
        id: TieredMemoryId::new().into(),
        user_id: user_id(&input.user_id)?,
        thread_id: input
            .thread_id
            .as_deref()
            .map(|thread| thread_id("thread_id", thread))
            .transpose()?,
        content: content(&input.content)?,
        tier: input.tier.as_str().to_owned(),
        importance: importance(input.importance)?,
        metadata,
        related_threads: related_threads(input.related_threads)?,
        created_at: at,
        updated_at: at,
    })
}

/// A checked [`TieredMemoryUpdate`].
#[derive(Debug)]
pub(super) struct Changes {
    content: Option<String>,
    tier: Option<super::Tier>,
    importance: Option<f64>,
    metadata: Option<serde_json::Value>,
    related_threads: Option<serde_json::Value>,
}

/// `update` checked, before anything is read: a bad update fails the same way whether the
/// memory exists or not.
///
/// # Errors
/// `Validation` for a bad field or an update that names none.
pub(super) fn changes(update: TieredMemoryUpdate) -> RepoResult<Changes> {
    let TieredMemoryUpdate {
        content: new_content,
        tier,
        importance: new_importance,
        metadata: new_metadata,
        related_threads: new_related,
    } = update;
    let names_none = new_content.is_none()
        && tier.is_none()
        && new_importance.is_none()
        && new_metadata.is_none()
        && new_related.is_none();
    if names_none {
        return Err(RepoError::invalid("update", "names no field to change"));
    }
    Ok(Changes {
        metadata: new_metadata.map(metadata).transpose()?,
        content: new_content.as_deref().map(content).transpose()?,
        tier,
        importance: new_importance.map(importance).transpose()?,
        related_threads: new_related.map(related_threads).transpose()?,
    })
}

impl Changes {
    /// `row` with the changes made, changed at `at`.
    pub(super) fn apply(
        self,
        mut row: memories::Model,
        at: DateTime<FixedOffset>,
    ) -> memories::Model {
        if let Some(value) = self.metadata {
            row.metadata = value;
        }
        if let Some(value) = self.content {
            row.content = value;
        }
        if let Some(tier) = self.tier {
            tier.as_str().clone_into(&mut row.tier);
        }
        if let Some(value) = self.importance {
            row.importance = value;
        }
        if let Some(value) = self.related_threads {
            row.related_threads = value;
        }
        row.updated_at = at;
        row
    }
}

/// `paging` checked: its limit in range.
pub(super) fn paging(paging: TieredPaging) -> RepoResult<TieredPaging> {
    page_limit(paging.limit)?;
    Ok(paging)
}

/// A page size in range.
pub(super) fn page_limit(limit: u64) -> RepoResult<u64> {
    if (1..=limits::TIERED_PAGE).contains(&limit) {
        Ok(limit)
    } else {
        Err(RepoError::invalid(
            "limit",
            format!("must be 1 to {}, got {limit}", limits::TIERED_PAGE),
        ))
    }
}

/// The cursor after the last of `count` memories of a page of `limit`, when the page is full.
pub(super) fn next_cursor(
    limit: u64,
    last: Option<(DateTime<chrono::Utc>, TieredMemoryId)>,
    count: usize,
) -> Option<TieredCursor> {
    let full = u64::try_from(count).is_ok_and(|n| n == limit);
    last.filter(|_| full)
        .map(|(at, id)| TieredCursor { at, id })
}
