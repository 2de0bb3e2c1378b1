//! Statements whose text depends only on the entity and the backend, rendered once per process
//! and reused: a point read built through sea-query on every call spends more time rendering
//! its `SELECT` than SQLite spends running it.

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, PoisonError, RwLock};

use sea_orm::{DbBackend, EntityTrait, IdenStatic, Iterable, PrimaryKeyToColumn};

use crate::backend::{push_identifier, push_placeholder};

/// Which statement of an entity a cached text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Shape {
    /// [`select_by_key`].
    SelectByKey,
    /// A statement a repository renders itself, named by the repository.
    Own(&'static str),
}

type Key = (TypeId, Shape, u8);

static RENDERED: LazyLock<RwLock<HashMap<Key, Arc<str>>>> = LazyLock::new(RwLock::default);

/// `DbBackend` is not `Hash`: its index in a cache key.
pub(crate) fn backend_index(backend: DbBackend) -> u8 {
    match backend {
        DbBackend::Postgres => 0,
        DbBackend::Sqlite => 1,
        _ => 2,
    }
}

/// The value `cache` holds under `key`, made by `make` on first use. Two callers that miss
/// at once may both make it; the first one stored is kept and returned to both.
pub(crate) fn get_or_make<K, V>(
    cache: &RwLock<HashMap<K, Arc<V>>>,
    key: K,
    make: impl FnOnce() -> Arc<V>,
) -> Arc<V>
where
    K: Eq + std::hash::Hash,
    V: ?Sized,
{
    if let Some(found) = cache
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
    {
        return Arc::clone(found);
    }
    let value = make();
    Arc::clone(
        cache
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key)
            .or_insert(value),
    )
}

/// The text of `shape` for entity `E` on `backend`, rendered by `render` on first use.
pub(crate) fn cached<E: EntityTrait>(
    shape: Shape,
    backend: DbBackend,
    render: impl FnOnce() -> String,
) -> Arc<str> {
    let key = (TypeId::of::<E>(), shape, backend_index(backend));
    get_or_make(&RENDERED, key, || render().into())
}

/// Appends `E`'s table, with its schema when it has one.
pub(crate) fn push_table<E: EntityTrait>(sql: &mut String, backend: DbBackend) {
    let entity = E::default();
    if let Some(schema) = entity.schema_name() {
        push_identifier(sql, backend, schema);
        sql.push('.');
    }
    push_identifier(sql, backend, entity.table_name());
}

/// Appends every column of `E`, in entity order, comma-separated: what a `SELECT` or a
/// `RETURNING` needs for `E::Model::from_query_result`.
pub(crate) fn push_columns<E: EntityTrait>(sql: &mut String, backend: DbBackend) {
    for (i, column) in E::Column::iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        push_identifier(sql, backend, column.as_str());
    }
}

/// Appends `"k1" = $first AND "k2" = $first+1 ...` over `E`'s primary key columns; returns the
/// number of the next placeholder.
pub(crate) fn push_key_condition<E: EntityTrait>(
    sql: &mut String,
    backend: DbBackend,
    first: usize,
) -> usize {
    let mut n = first;
    for (i, key) in E::PrimaryKey::iter().enumerate() {
        if i > 0 {
            sql.push_str(" AND ");
        }
        push_identifier(sql, backend, key.into_column().as_str());
        sql.push_str(" = ");
        push_placeholder(sql, backend, n);
        n += 1;
    }
    n
}

/// `SELECT <every column> FROM <table> WHERE <key> = ? LIMIT 1` for `E` on `backend`, the
/// key's values bound in primary-key order.
pub(crate) fn select_by_key<E: EntityTrait>(backend: DbBackend) -> Arc<str> {
    cached::<E>(Shape::SelectByKey, backend, || {
        let mut sql = String::from("SELECT ");
        push_columns::<E>(&mut sql, backend);
        sql.push_str(" FROM ");
        push_table::<E>(&mut sql, backend);
        sql.push_str(" WHERE ");
        push_key_condition::<E>(&mut sql, backend, 1);
        sql.push_str(" LIMIT 1");
        sql
    })
}

#[cfg(test)]
mod tests {
    use memdb_entity::{documents, task_dependencies};

    use super::*;

    #[test]
    fn select_by_key_is_rendered_once_per_backend() {
        let postgres = select_by_key::<documents::Entity>(DbBackend::Postgres);
        assert_eq!(
            &*postgres,
            "SELECT \"id\", \"organization_id\", \"path\", \"title\", \"doc_type\", \"content\", \
             \"content_hash\", \"size_bytes\", \"metadata\", \"created_at\", \"updated_at\" \
             FROM \"documents\" WHERE \"id\" = $1 LIMIT 1"
        );
        let again = select_by_key::<documents::Entity>(DbBackend::Postgres);
        assert!(Arc::ptr_eq(&postgres, &again), "rendered twice");
        let sqlite = select_by_key::<documents::Entity>(DbBackend::Sqlite);
        assert!(sqlite.ends_with("WHERE \"id\" = ? LIMIT 1"), "{sqlite}");
    }

    #[test]
    fn composite_keys_bind_every_column() {
        let sql = select_by_key::<task_dependencies::Entity>(DbBackend::Postgres);
        assert!(
            sql.ends_with("WHERE \"task_id\" = $1 AND \"depends_on_task_id\" = $2 LIMIT 1"),
            "{sql}"
        );
    }
}
