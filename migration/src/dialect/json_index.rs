//! Indexes that serve queries inside a JSON column, which no two backends build alike.
//!
//! PostgreSQL indexes a whole `jsonb` column with GIN (`jsonb_path_ops`, the operator class made
//! for `@>` containment: smaller and faster than the default one). SQLite has no index over a
//! whole JSON document; it indexes the value of one declared key instead, an expression index on
//! `json_extract(column, '$.key')` that a query using exactly that expression is served by.
//! Each call describes one intent and yields the backend's statement, or nothing where the
//! backend serves that intent otherwise (a key on PostgreSQL is served by the column's GIN index).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

/// What a JSON index is for.
#[derive(Debug, Clone, Copy)]
pub enum JsonIndex<'a> {
    /// Containment queries (`@>`) over the whole column.
    Containment,
    /// Equality on the value of one top-level key, e.g. `"topic"`.
    ///
    /// The key is a constant of the schema (ASCII letters, digits and `_` only), never input.
    Key(&'a str),
}

/// `CREATE INDEX IF NOT EXISTS` for `index` named `name` on `table.column`, or `None` where the
/// backend needs no such index (a key on PostgreSQL, containment on SQLite, anything on MySQL for
/// now).
///
/// # Errors
/// `DbErr::Migration` when a key is not a plain identifier (it is spliced into the index's
/// expression, so only a schema constant of the expected shape is accepted).
pub fn json_index_statement(
    backend: DbBackend,
    name: &str,
    table: &str,
    column: &str,
    index: JsonIndex<'_>,
) -> Result<Option<String>, DbErr> {
    Ok(match (backend, index) {
        (DbBackend::Postgres, JsonIndex::Containment) => Some(format!(
            "CREATE INDEX IF NOT EXISTS \"{name}\" ON \"{table}\" USING GIN (\"{column}\" jsonb_path_ops)"
        )),
        (DbBackend::Sqlite, JsonIndex::Key(key)) => {
            let plain = !key.is_empty()
                && key
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_');
            if !plain {
                return Err(DbErr::Migration(format!(
                    "JSON index {name}: key {key:?} is not a plain identifier"
                )));
            }
            Some(format!(
                "CREATE INDEX IF NOT EXISTS \"{name}\" ON \"{table}\" \
                 (json_extract(\"{column}\", '$.{key}'))"
            ))
        }
        _ => None,
    })
}

/// SQLite's expression for the value of the top-level `key` of `column`, exactly as
/// [`json_index_statement`] indexes it, so a query that uses it is served by the index.
#[must_use]
pub fn sqlite_json_key_expression(column: &str, key: &str) -> String {
    format!("json_extract(\"{column}\", '$.{key}')")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_backend_gets_the_index_it_can_use() {
        let gin = json_index_statement(DbBackend::Postgres, "ix", "t", "m", JsonIndex::Containment);
        assert!(
            gin.unwrap()
                .unwrap()
                .contains("USING GIN (\"m\" jsonb_path_ops)")
        );
        let key = json_index_statement(DbBackend::Sqlite, "ix", "t", "m", JsonIndex::Key("topic"));
        assert!(
            key.unwrap()
                .unwrap()
                .ends_with("(json_extract(\"m\", '$.topic'))")
        );
        assert!(
            json_index_statement(DbBackend::Sqlite, "ix", "t", "m", JsonIndex::Containment)
                .unwrap()
                .is_none()
        );
        assert!(
            json_index_statement(DbBackend::Postgres, "ix", "t", "m", JsonIndex::Key("topic"))
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn a_key_that_is_not_an_identifier_is_refused() {
        for key in ["", "a'b", "a.b", "a b", "$"] {
            assert!(
                json_index_statement(DbBackend::Sqlite, "ix", "t", "m", JsonIndex::Key(key))
                    .is_err(),
                "{key:?}"
            );
        }
    }
}
