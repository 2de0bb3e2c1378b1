//! [`MemoryRepository`] on SeaORM: the reads, and the writes built on [`super::write`].

use async_trait::async_trait;
use chrono::{DateTime, FixedOffset, Utc};
use memdb_enhanced_entity::memory_entries::{self, Column};
use memdb_repository::backend::push_placeholder;
use memdb_repository::query::{convert_all, stored_u32};
use memdb_repository::{Executor, Page, RepoError, RepoResult, now, stored_enum};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
    Statement,
};

use super::namespace;
use super::write::{Draft, Step};
use super::{MemoryCursor, MemoryEntry, MemoryPage, MemoryRepository, PutMemory, ScopedMemory};
use crate::audited::AuditTrail;
use crate::limits::MEMORY_SWEEP_BATCH;

/// The most entries one listing page may hold.
const MAX_LIST: u64 = 1000;

/// [`MemoryRepository`] on SeaORM. Writes are made and audited as the [`AuditTrail`]'s actor.
#[derive(Clone, Debug)]
pub struct SeaOrmMemoryRepository<C = sea_orm::DatabaseConnection> {
    pub(super) db: C,
    pub(super) trail: AuditTrail,
}

impl<C: Executor> SeaOrmMemoryRepository<C> {
    /// Memory entries on `db` (the pool or a unit of work), written as `trail`'s actor.
    #[must_use]
    pub fn new(db: C, trail: AuditTrail) -> Self {
        Self { db, trail }
    }

    /// A handle that reads and writes user `user_id`'s namespaces only (see [`ScopedMemory`]).
    ///
    /// # Errors
    /// `Validation` (field `user_id`) when `user_id` is not a valid namespace segment.
    pub fn scoped_to_user(&self, user_id: &str) -> RepoResult<ScopedMemory<Self>> {
        ScopedMemory::new(self.clone(), user_id)
    }
}

impl TryFrom<memory_entries::Model> for MemoryEntry {
    type Error = RepoError;

    fn try_from(m: memory_entries::Model) -> RepoResult<Self> {
        Ok(Self {
            id: m.id.into(),
            namespace: m.namespace,
            key: m.key,
            value: m.value,
            memory_type: stored_enum("memory type", &m.memory_type)?,
            version: stored_u32("memory entry version", m.version)?,
            is_deleted: m.is_deleted,
            metadata: m.metadata,
            created_by: m.created_by,
            updated_by: m.updated_by,
            created_at: m.created_at.with_timezone(&Utc),
            updated_at: m.updated_at.with_timezone(&Utc),
            expires_at: m.expires_at.map(|at| at.with_timezone(&Utc)),
        })
    }
}

/// The versions of one entry.
pub(super) fn versions(namespace: &str, key: &str) -> Select<memory_entries::Entity> {
    memory_entries::Entity::find()
        .filter(Column::Namespace.eq(namespace))
        .filter(Column::Key.eq(key))
}

/// The latest version row of an entry, whatever its state.
pub(super) async fn latest_row(
    db: &impl ConnectionTrait,
    namespace: &str,
    key: &str,
) -> RepoResult<Option<memory_entries::Model>> {
    Ok(versions(namespace, key)
        .order_by_desc(Column::Version)
        .one(db)
        .await?)
}

/// Whether a row's entry has expired at `at`.
pub(super) fn expired(row: &memory_entries::Model, at: DateTime<FixedOffset>) -> bool {
    row.expires_at.is_some_and(|expires| expires <= at)
}

/// Checked namespace and key.
pub(super) fn entry_name(namespace: &str, key: &str) -> RepoResult<(String, String)> {
    Ok((
        namespace::check("namespace", namespace)?,
        namespace::key(key)?,
    ))
}

/// A version number as stored.
fn version_value(version: u32) -> RepoResult<i32> {
    i32::try_from(version).map_err(|_| RepoError::invalid("version", "is out of range"))
}

impl<C: Executor> SeaOrmMemoryRepository<C> {
    /// The latest row when the entry has not expired.
    async fn unexpired(
        &self,
        namespace: &str,
        key: &str,
    ) -> RepoResult<Option<memory_entries::Model>> {
        let row = latest_row(&self.db, namespace, key).await?;
        Ok(row.filter(|row| !expired(row, now())))
    }
}

#[async_trait]
impl<C: Executor> MemoryRepository for SeaOrmMemoryRepository<C> {
    async fn put(&self, input: PutMemory) -> RepoResult<MemoryEntry> {
        let draft = Draft::put(input)?;
        self.write(draft).await
    }

    async fn put_many(&self, inputs: Vec<PutMemory>) -> RepoResult<Vec<MemoryEntry>> {
        self.put_many_new(inputs).await
    }

    async fn get(&self, namespace: &str, key: &str) -> RepoResult<Option<MemoryEntry>> {
        let (namespace, key) = entry_name(namespace, key)?;
        let row = self.unexpired(&namespace, &key).await?;
        row.filter(|row| !row.is_deleted)
            .map(TryInto::try_into)
            .transpose()
    }

    async fn get_version(
        &self,
        namespace: &str,
        key: &str,
        version: u32,
    ) -> RepoResult<Option<MemoryEntry>> {
        let (namespace, key) = entry_name(namespace, key)?;
        let version = version_value(version)?;
        if self.unexpired(&namespace, &key).await?.is_none() {
            return Ok(None);
        }
        let row = versions(&namespace, &key)
            .filter(Column::Version.eq(version))
            .one(&self.db)
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn history(
        &self,
        namespace: &str,
        key: &str,
        page: Page,
    ) -> RepoResult<Vec<MemoryEntry>> {
        let (namespace, key) = entry_name(namespace, key)?;
        if self.unexpired(&namespace, &key).await?.is_none() {
            return Ok(Vec::new());
        }
        let rows = versions(&namespace, &key)
            .order_by_desc(Column::Version)
            .limit(page.limit())
            .offset(page.offset())
            .all(&self.db)
            .await?;
        convert_all(rows)
    }

    async fn restore(&self, namespace: &str, key: &str, version: u32) -> RepoResult<MemoryEntry> {
        let (namespace, key) = entry_name(namespace, key)?;
        let draft = Draft::step(namespace, key, Step::Restore(version_value(version)?));
        self.write(draft).await
    }

    async fn delete(&self, namespace: &str, key: &str) -> RepoResult<MemoryEntry> {
        let (namespace, key) = entry_name(namespace, key)?;
        self.write(Draft::step(namespace, key, Step::Delete)).await
    }

    async fn undelete(&self, namespace: &str, key: &str) -> RepoResult<MemoryEntry> {
        let (namespace, key) = entry_name(namespace, key)?;
        self.write(Draft::step(namespace, key, Step::Undelete))
            .await
    }

    async fn purge(&self, namespace: &str, key: &str) -> RepoResult<u64> {
        let (namespace, key) = entry_name(namespace, key)?;
        self.purge_entry(namespace, key).await
    }

    async fn list(
        &self,
        prefix: &str,
        after: Option<MemoryCursor>,
        limit: u64,
    ) -> RepoResult<MemoryPage> {
        let prefix = namespace::check("prefix", prefix)?;
        if !(1..=MAX_LIST).contains(&limit) {
            return Err(RepoError::invalid(
                "limit",
                format!("must be 1 to {MAX_LIST}"),
            ));
        }
        // The prefix's own namespace sorts before every namespace below it: its rows first,
        // then the range of `prefix:*`, each an ordered walk of the unique index.
        let mut rows = Vec::new();
        let in_root = after.as_ref().is_none_or(|a| a.namespace == prefix);
        if in_root {
            let mut select = live_latest().filter(Column::Namespace.eq(prefix.as_str()));
            if let Some(after) = &after {
                select = select.filter(Column::Key.gt(namespace::key(&after.key)?));
            }
            rows = ordered(select, limit).all(&self.db).await?;
        }
        let room = limit - u64::try_from(rows.len()).unwrap_or(limit);
        if room > 0 {
            let (lower, upper) = namespace::below(&prefix);
            let mut select = live_latest()
                .filter(Column::Namespace.gte(lower))
                .filter(Column::Namespace.lt(upper));
            if let Some(after) = after.filter(|_| !in_root) {
                let (ns, key) = entry_name(&after.namespace, &after.key)?;
                select = select.filter(
                    Expr::tuple([Expr::col(Column::Namespace), Expr::col(Column::Key)])
                        .gt(Expr::tuple([Expr::val(ns), Expr::val(key)])),
                );
            }
            rows.extend(ordered(select, room).all(&self.db).await?);
        }
        let entries: Vec<MemoryEntry> = convert_all(rows)?;
        let full = u64::try_from(entries.len()).is_ok_and(|n| n == limit);
        let next = entries.last().filter(|_| full).map(|last| MemoryCursor {
            namespace: last.namespace.clone(),
            key: last.key.clone(),
        });
        Ok(MemoryPage { entries, next })
    }

    async fn sweep_expired(&self, batch: u64) -> RepoResult<u64> {
        if !(1..=MEMORY_SWEEP_BATCH).contains(&batch) {
            return Err(RepoError::invalid(
                "batch",
                format!("must be 1 to {MEMORY_SWEEP_BATCH}"),
            ));
        }
        let backend = self.db.get_database_backend();
        // Entries whose latest version has expired, the longest expired first (the expiry
        // index), each removed with every version.
        let mut sql = String::from(
            "DELETE FROM \"memory_entries\" WHERE (\"namespace\", \"key\") IN (\
             SELECT \"m\".\"namespace\", \"m\".\"key\" FROM \"memory_entries\" AS \"m\" \
             WHERE \"m\".\"expires_at\" <= ",
        );
        push_placeholder(&mut sql, backend, 1);
        sql.push_str(
            " AND NOT EXISTS (SELECT 1 FROM \"memory_entries\" \
             AS \"n\" WHERE \"n\".\"namespace\" = \"m\".\"namespace\" AND \"n\".\"key\" = \"m\".\"key\" \
             AND \"n\".\"version\" > \"m\".\"version\") ORDER BY \"m\".\"expires_at\" LIMIT ",
        );
        push_placeholder(&mut sql, backend, 2);
        sql.push(')');
        let batch =
            i64::try_from(batch).map_err(|_| RepoError::invalid("batch", "is out of range"))?;
        let statement = Statement::from_sql_and_values(backend, sql, [now().into(), batch.into()]);
        // One statement: atomic on its own.
        Ok(self.db.execute_raw(statement).await?.rows_affected())
    }
}

/// The latest versions of live, unexpired entries.
fn live_latest() -> Select<memory_entries::Entity> {
    memory_entries::Entity::find()
        .filter(Expr::cust(LATEST))
        .filter(Column::IsDeleted.eq(false))
        .filter(Column::ExpiresAt.is_null().or(Column::ExpiresAt.gt(now())))
}

/// `select` in listing order, `limit` rows at most.
fn ordered(select: Select<memory_entries::Entity>, limit: u64) -> Select<memory_entries::Entity> {
    select
        .order_by_asc(Column::Namespace)
        .order_by_asc(Column::Key)
        .limit(limit)
}

/// Rows that are their entry's latest version (no later version of the same entry exists);
/// served by the `(namespace, key, version)` index.
pub(crate) const LATEST: &str = "NOT EXISTS (SELECT 1 FROM \"memory_entries\" AS \"n\" \
     WHERE \"n\".\"namespace\" = \"memory_entries\".\"namespace\" \
     AND \"n\".\"key\" = \"memory_entries\".\"key\" \
     AND \"n\".\"version\" > \"memory_entries\".\"version\")";
