//! The writes of [`SeaOrmMemoryRepository`]: each adds the entry's next version and its audit
//! entry in one transaction, and is tried again when a racing writer took the version first.

use std::time::Duration;

use chrono::{DateTime, FixedOffset, TimeDelta};
use memdb_enhanced_entity::memory_entries::{self, Column};
use memdb_repository::{
    ConflictKind, Executor, RepoError, RepoResult, SharedTransaction, now, unit_of_work, validate,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::sea_orm::{entry_name, expired, latest_row, versions};
use super::{MemoryEntry, PutMemory, SeaOrmMemoryRepository, namespace};
use crate::audited::entities::MEMORY_ENTRY;
use crate::audited::trail::Change;
use crate::ids::MemoryEntryId;

/// How often a write that lost the race for a version number is made again before it reports
/// a `Duplicate` conflict.
const ATTEMPTS: usize = 32;
/// The shortest and longest time to live.
const TTL_RANGE: (Duration, Duration) = (
    Duration::from_millis(1),
    Duration::from_hours(100 * 366 * 24),
);

/// A write other than a put: what the new version is made of.
#[derive(Clone, Copy, Debug)]
pub(super) enum Step {
    /// Version N's value, type and metadata, live.
    Restore(i32),
    /// The latest value, flagged deleted.
    Delete,
    /// The deleted value, live again.
    Undelete,
}

/// A put's checked input.
#[derive(Clone, Debug)]
pub(super) struct Put {
    value: serde_json::Value,
    memory_type: super::MemoryType,
    metadata: serde_json::Value,
    ttl: Option<TimeDelta>,
    expected: Option<i32>,
}

/// A checked write of one entry.
#[derive(Clone, Debug)]
pub(super) struct Draft {
    namespace: String,
    key: String,
    kind: Result<Put, Step>,
}

impl Draft {
    /// `input` checked.
    pub(super) fn put(input: PutMemory) -> RepoResult<Self> {
        let (namespace, key, put) = checked_put(input)?;
        Ok(Self {
            namespace,
            key,
            kind: Ok(put),
        })
    }

    /// `step` on the checked entry `namespace`/`key`.
    pub(super) fn step(namespace: String, key: String, step: Step) -> Self {
        Self {
            namespace,
            key,
            kind: Err(step),
        }
    }

    /// The version the write expects to replace, if it names one.
    fn expected(&self) -> Option<i32> {
        self.kind.as_ref().ok().and_then(|put| put.expected)
    }
}

/// `input` checked: its namespace, key and the rest.
fn checked_put(input: PutMemory) -> RepoResult<(String, String, Put)> {
    // JSON first: a rejected value is taken apart without recursion (see validate).
    let value = validate::json_value("value", input.value);
    let metadata = validate::json_object("metadata", input.metadata);
    let (value, metadata) = (value?, metadata?);
    let (namespace, key) = entry_name(&input.namespace, &input.key)?;
    let ttl = input.ttl.map(ttl).transpose()?;
    let expected = input
        .expected_version
        .map(|v| {
            i32::try_from(v).map_err(|_| RepoError::invalid("expected_version", "is out of range"))
        })
        .transpose()?;
    let put = Put {
        value,
        memory_type: input.memory_type,
        metadata,
        ttl,
        expected,
    };
    Ok((namespace, key, put))
}

/// `input` checked and made the row of its entry's first version, written by `actor` at `at`.
///
/// # Errors
/// `Validation` as for a put, and of `expected_version` when it names a version other than 0
/// (a first version replaces none).
pub(super) fn first_version(
    input: PutMemory,
    actor: &str,
    at: DateTime<FixedOffset>,
) -> RepoResult<memory_entries::Model> {
    let (namespace, key, put) = checked_put(input)?;
    if put.expected.is_some_and(|expected| expected != 0) {
        return Err(RepoError::invalid(
            "expected_version",
            "must be 0 or none: a bulk put writes first versions only",
        ));
    }
    Ok(memory_entries::Model {
        id: MemoryEntryId::new().into(),
        namespace,
        key,
        value: put.value,
        memory_type: put.memory_type.as_str().to_owned(),
        version: 1,
        is_deleted: false,
        metadata: put.metadata,
        created_by: actor.to_owned(),
        updated_by: actor.to_owned(),
        created_at: at,
        updated_at: at,
        expires_at: put.ttl.map(|ttl| at + ttl),
    })
}

fn ttl(ttl: Duration) -> RepoResult<TimeDelta> {
    let (min, max) = TTL_RANGE;
    if ttl < min || ttl > max {
        return Err(RepoError::invalid(
            "ttl",
            "must be 1 millisecond to 100 years",
        ));
    }
    TimeDelta::from_std(ttl).map_err(|_| RepoError::invalid("ttl", "is out of range"))
}

fn stale(message: String) -> RepoError {
    RepoError::conflict(ConflictKind::StaleVersion, message)
}

impl<C: Executor> SeaOrmMemoryRepository<C> {
    /// Makes `draft` (see the module docs).
    pub(super) async fn write(&self, draft: Draft) -> RepoResult<MemoryEntry> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome = unit_of_work(&self.db, |tx| self.write_once(tx, &draft)).await;
            match outcome {
                Err(RepoError::Conflict {
                    kind: ConflictKind::Duplicate,
                    message,
                }) => {
                    if draft.expected().is_some() {
                        return Err(stale(message));
                    }
                    if attempt >= ATTEMPTS {
                        return Err(RepoError::conflict(ConflictKind::Duplicate, message));
                    }
                }
                other => return other,
            }
        }
    }

    async fn write_once(&self, tx: SharedTransaction, draft: &Draft) -> RepoResult<MemoryEntry> {
        let (ns, key) = (&draft.namespace, &draft.key);
        let at = now();
        let latest = latest_row(&tx, ns, key).await?;
        let current = latest.as_ref().map_or(0, |row| row.version);
        let live = latest.filter(|row| !expired(row, at));
        let missing = || RepoError::not_found("memory entry", namespace::audit_id(ns, key));
        let wrong = |what: &str| {
            RepoError::conflict(
                ConflictKind::WrongState,
                format!("memory entry {} is {what}", namespace::audit_id(ns, key)),
            )
        };
        let (source, is_deleted, expires_at) = match &draft.kind {
            Ok(put) => {
                if let Some(expected) = put.expected
                    && expected != current
                {
                    return Err(stale(format!(
                        "memory entry {} is at version {current}, not {expected}",
                        namespace::audit_id(ns, key)
                    )));
                }
                let source = (
                    put.value.clone(),
                    put.memory_type.as_str().to_owned(),
                    put.metadata.clone(),
                );
                (source, false, put.ttl.map(|ttl| at + ttl))
            }
            Err(step) => {
                let live = live.as_ref().ok_or_else(missing)?;
                let from = match step {
                    Step::Restore(version) => versions(ns, key)
                        .filter(Column::Version.eq(*version))
                        .one(&tx)
                        .await?
                        .ok_or_else(|| {
                            RepoError::not_found(
                                "memory entry version",
                                format!("{}@{version}", namespace::audit_id(ns, key)),
                            )
                        })?,
                    Step::Delete if live.is_deleted => return Err(wrong("deleted already")),
                    Step::Undelete if !live.is_deleted => return Err(wrong("not deleted")),
                    Step::Delete | Step::Undelete => live.clone(),
                };
                let source = (from.value, from.memory_type, from.metadata);
                (source, matches!(step, Step::Delete), live.expires_at)
            }
        };
        let actor = self.trail.actor().to_owned();
        let (created_by, created_at) = live.as_ref().map_or((actor.clone(), at), |row| {
            (row.created_by.clone(), row.created_at)
        });
        let row = memory_entries::ActiveModel {
            id: Set(MemoryEntryId::new().into()),
            namespace: Set(ns.clone()),
            key: Set(key.clone()),
            value: Set(source.0),
            memory_type: Set(source.1),
            version: Set(current + 1),
            is_deleted: Set(is_deleted),
            metadata: Set(source.2),
            created_by: Set(created_by),
            updated_by: Set(actor),
            created_at: Set(created_at),
            updated_at: Set(at),
            expires_at: Set(expires_at),
        }
        .insert(&tx)
        .await?;
        let entry = MemoryEntry::try_from(row)?;
        let before = live.map(MemoryEntry::try_from).transpose()?;
        let id = namespace::audit_id(ns, key);
        let change = match (&before, &draft.kind) {
            (Some(before), Err(Step::Delete)) => Change::deleted(MEMORY_ENTRY, id, before)?,
            (Some(before), _) => Change::updated(MEMORY_ENTRY, id, before, &entry)?,
            (None, _) => Change::created(MEMORY_ENTRY, id, &entry)?,
        };
        self.trail.record(tx, vec![change]).await?;
        Ok(entry)
    }

    /// Removes every version of the checked entry, audited.
    pub(super) async fn purge_entry(&self, ns: String, key: String) -> RepoResult<u64> {
        unit_of_work(&self.db, |tx| async move {
            let id = namespace::audit_id(&ns, &key);
            let latest = latest_row(&tx, &ns, &key)
                .await?
                .ok_or_else(|| RepoError::not_found("memory entry", &id))?;
            let removed = memory_entries::Entity::delete_many()
                .filter(Column::Namespace.eq(ns.as_str()))
                .filter(Column::Key.eq(key.as_str()))
                .exec(&tx)
                .await?
                .rows_affected;
            let before = MemoryEntry::try_from(latest)?;
            self.trail
                .record(tx, vec![Change::deleted(MEMORY_ENTRY, id, &before)?])
                .await?;
            Ok(removed)
        })
        .await
    }
}
