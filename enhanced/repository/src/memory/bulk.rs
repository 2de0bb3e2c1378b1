//! [`MemoryRepository::put_many`](super::MemoryRepository::put_many) on SeaORM: the first
//! versions of many new entries in one transaction, in multi-row inserts, audited in one
//! multi-row insert of the audit log.
//!
//! Nothing is read before the insert: an entry that has any version has version 1 (versions
//! only ever go all at once, by a purge or a sweep), so the unique `(namespace, key, version)`
//! index refuses the batch when one of its entries exists. Only then is the batch looked up, to
//! name the first input at fault.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use memdb_enhanced_entity::memory_entries::{self, Column};
use memdb_repository::bulk::{check_each, in_batch, insert_models};
use memdb_repository::{ConflictKind, Executor, RepoError, RepoResult, now, unit_of_work};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::write::first_version;
use super::{MemoryEntry, PutMemory, SeaOrmMemoryRepository, namespace};
use crate::audited::entities::MEMORY_ENTRY;
use crate::audited::trail::Change;

/// Keys per lookup of existing entries (with the namespace and the version: far under every
/// backend's parameter limit).
const LOOKUP_CHUNK: usize = 500;

impl<C: Executor> SeaOrmMemoryRepository<C> {
    /// See [`MemoryRepository::put_many`](super::MemoryRepository::put_many).
    pub(super) async fn put_many_new(
        &self,
        inputs: Vec<PutMemory>,
    ) -> RepoResult<Vec<MemoryEntry>> {
        if inputs.is_empty() {
            return Ok(Vec::new());
        }
        let at = now();
        let actor = self.trail.actor().to_owned();
        let rows = check_each(inputs, |input| first_version(input, &actor, at))?;
        refuse_repeats(&rows)?;
        let entries = rows
            .iter()
            .cloned()
            .map(MemoryEntry::try_from)
            .collect::<RepoResult<Vec<_>>>()?;
        let changes = entries
            .iter()
            .map(|entry| {
                let id = namespace::audit_id(&entry.namespace, &entry.key);
                Change::created(MEMORY_ENTRY, id, entry)
            })
            .collect::<RepoResult<Vec<_>>>()?;
        let rows_ref = &rows;
        let written = unit_of_work(&self.db, |tx| async move {
            insert_models::<memory_entries::Entity>(&tx, rows_ref).await?;
            self.trail.record(tx, changes).await
        })
        .await;
        match written {
            Ok(()) => Ok(entries),
            // The transaction is rolled back: look for the input that names a stored entry.
            Err(err @ RepoError::Conflict { .. }) => match first_existing(&self.db, &rows).await? {
                Some(found) => Err(found),
                // Gone again since (a purge or sweep raced): report what the database said.
                None => Err(err),
            },
            Err(err) => Err(err),
        }
    }
}

/// A `Duplicate` conflict naming the second input of an entry the batch holds twice.
fn refuse_repeats(rows: &[memory_entries::Model]) -> RepoResult<()> {
    let mut first_at: HashMap<(&str, &str), usize> = HashMap::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        if let Some(first) = first_at.insert((&row.namespace, &row.key), index) {
            let message = format!(
                "input {first} is the same memory entry: {}",
                namespace::audit_id(&row.namespace, &row.key)
            );
            return Err(in_batch(
                index,
                RepoError::conflict(ConflictKind::Duplicate, message),
            ));
        }
    }
    Ok(())
}

/// A `Duplicate` conflict naming the first input whose entry has a stored version.
async fn first_existing(
    db: &impl ConnectionTrait,
    rows: &[memory_entries::Model],
) -> RepoResult<Option<RepoError>> {
    let mut keys_by_namespace: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for row in rows {
        keys_by_namespace
            .entry(&row.namespace)
            .or_default()
            .insert(&row.key);
    }
    let mut stored: HashSet<(String, String)> = HashSet::new();
    for (ns, keys) in keys_by_namespace {
        let keys: Vec<&str> = keys.into_iter().collect();
        for chunk in keys.chunks(LOOKUP_CHUNK) {
            // One probe of the unique `(namespace, key, version)` index per key.
            let found: Vec<String> = memory_entries::Entity::find()
                .select_only()
                .column(Column::Key)
                .filter(Column::Namespace.eq(ns))
                .filter(Column::Key.is_in(chunk.iter().copied()))
                .filter(Column::Version.eq(1))
                .into_tuple()
                .all(db)
                .await?;
            stored.extend(found.into_iter().map(|key| (ns.to_owned(), key)));
        }
    }
    Ok(rows.iter().enumerate().find_map(|(index, row)| {
        stored
            .contains(&(row.namespace.clone(), row.key.clone()))
            .then(|| {
                let message = format!(
                    "memory entry {} exists already",
                    namespace::audit_id(&row.namespace, &row.key)
                );
                in_batch(index, RepoError::conflict(ConflictKind::Duplicate, message))
            })
    }))
}
