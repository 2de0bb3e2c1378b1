//! Recording a read of a knowledge item: one `UPDATE ... RETURNING` that counts the access and
//! returns the item, rendered once per backend.

use memdb_entity::knowledge_items;
use sea_orm::{DbBackend, FromQueryResult, Statement, Value};

use super::KnowledgeItem;
use crate::backend::{commit_without_flush, push_identifier, push_placeholder};
use crate::error::{RepoError, RepoResult};
use crate::executor::Executor;
use crate::ids::KnowledgeId;
use crate::page::now;
use crate::prerendered::{Shape, cached, push_columns, push_key_condition, push_table};

const ENTITY: &str = "knowledge item";

/// `UPDATE knowledge_items SET access_count = access_count + 1, last_accessed = ? WHERE id = ?
/// RETURNING <every column>`; with `relaxed`, the backend's [`commit_without_flush`] condition
/// joins the `WHERE`.
pub(super) fn record_access_sql(backend: DbBackend, relaxed: bool) -> String {
    let shape = Shape::Own(if relaxed {
        "record access, commit without flush"
    } else {
        "record access"
    });
    let sql = cached::<knowledge_items::Entity>(shape, backend, || {
        let count = "access_count";
        let mut sql = String::from("UPDATE ");
        push_table::<knowledge_items::Entity>(&mut sql, backend);
        sql.push_str(" SET ");
        push_identifier(&mut sql, backend, count);
        sql.push_str(" = ");
        push_identifier(&mut sql, backend, count);
        sql.push_str(" + 1, ");
        push_identifier(&mut sql, backend, "last_accessed");
        sql.push_str(" = ");
        push_placeholder(&mut sql, backend, 1);
        sql.push_str(" WHERE ");
        push_key_condition::<knowledge_items::Entity>(&mut sql, backend, 2);
        if let Some(condition) = commit_without_flush(backend).filter(|_| relaxed) {
            sql.push_str(" AND ");
            sql.push_str(condition);
        }
        sql.push_str(" RETURNING ");
        push_columns::<knowledge_items::Entity>(&mut sql, backend);
        sql
    });
    sql.to_string()
}

/// Counts an access to item `id` and returns the item as it is after it.
///
/// The increment happens in the database, so concurrent reads of the same item never lose a
/// count, and the caller sees the recorded access. On the pool the statement is its own
/// transaction and commits without waiting for the WAL flush on PostgreSQL: a crash may lose
/// the last few counts, never data, and every other write stays durable. Inside a unit of
/// work it runs as is, and the caller's commit keeps the caller's durability.
pub(super) async fn record_access(
    db: &impl Executor,
    id: KnowledgeId,
) -> RepoResult<KnowledgeItem> {
    let backend = db.get_database_backend();
    let sql = record_access_sql(backend, db.commits_each_statement());
    let values = [Value::from(now()), Value::from(id.as_uuid())];
    // Every row read, not the first one only: the statement writes, and on SQLite a statement
    // left unfinished would keep its write transaction open.
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    let row = rows
        .first()
        .ok_or_else(|| RepoError::not_found(ENTITY, id))?;
    knowledge_items::Model::from_query_result(row, "")?.try_into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_pools_statement_on_postgres_commits_without_a_flush() {
        let relaxed = record_access_sql(DbBackend::Postgres, true);
        assert!(
            relaxed.starts_with(
                "UPDATE \"knowledge_items\" SET \"access_count\" = \"access_count\" + 1, \
                 \"last_accessed\" = $1 WHERE \"id\" = $2 AND set_config('synchronous_commit', \
                 'off', true) IS NOT NULL RETURNING \"id\", "
            ),
            "{relaxed}"
        );
        let durable = record_access_sql(DbBackend::Postgres, false);
        assert!(!durable.contains("set_config"), "{durable}");
        for relaxed in [true, false] {
            let sqlite = record_access_sql(DbBackend::Sqlite, relaxed);
            assert!(sqlite.contains("WHERE \"id\" = ? RETURNING"), "{sqlite}");
        }
    }
}
