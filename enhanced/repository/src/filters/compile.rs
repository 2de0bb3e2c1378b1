//! The compiler of [`MetadataFilter`]s into one SQL condition: the one place that knows how
//! JSON filters differ per backend ([`postgres`](super::postgres) and
//! [`sqlite`](super::sqlite) spell them), and the text-and-values builder they share.

use memdb_repository::backend::{push_identifier, push_placeholder};
use memdb_repository::{RepoError, RepoResult};
use sea_orm::sea_query::{Expr, Value};
use sea_orm::{DbBackend, DbErr};

use super::MetadataFilter;
use super::validate::is_key;

/// The JSON object column a filter applies to: a table and a column named in code (entity
/// names, never input), written qualified (`"memories"."metadata"`) so the condition works in
/// joins too. The column is `jsonb` on PostgreSQL (`ColumnType::JsonBinary`) and JSON text on
/// SQLite, where every row must hold valid JSON (a `CHECK (json_valid(..))` keeps it so):
/// SQLite's JSON functions fail the whole statement on malformed text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JsonColumn {
    table: &'static str,
    column: &'static str,
}

impl JsonColumn {
    /// The column `column` of `table`. Both must be identifiers of `[A-Za-z0-9_]`;
    /// [`metadata_condition`] refuses others.
    #[must_use]
    pub const fn new(table: &'static str, column: &'static str) -> Self {
        Self { table, column }
    }
}

/// The condition `filter` puts on `column`, as one SQL expression for `backend` with every
/// path, key and operand bound as a value (nothing of the filter is pasted into the SQL text):
/// put it in a statement's `WHERE` with SeaQuery (`and_where`, `Condition::add`). It is never
/// `NULL`, so `NOT` and `OR` around it keep their meaning.
///
/// - PostgreSQL (`jsonb`): containment and `eq` are `column @> $n::jsonb`, which a GIN index
///   (`jsonb_path_ops`) serves; typed comparisons test `jsonb_typeof` in a `CASE` before they
///   cast; strings compare with `COLLATE "C"` (by bytes, as SQLite does).
/// - SQLite (JSON text): `json_type` / `json_extract` / `json_each`. A path of one key listed
///   in `hot_keys` is written as the literal `json_extract(<column>, '$.<key>')`, the
///   expression of an index such as
///   `CREATE INDEX .. ON memories(json_extract(metadata, '$.topic'))`, so equality, `in` and
///   containment on it are index-served (ranges when the planner finds it cheaper); other
///   paths are bound. `hot_keys` are top-level keys named in code.
///
/// # Errors
/// [`RepoError::Validation`] of `filter` when the filter breaks a rule of
/// [`MetadataFilter::validate`], of `column` or `hot_keys` for identifiers or keys outside
/// their character sets; [`RepoError::Db`] (`BackendNotSupported`) on MySQL.
pub fn metadata_condition(
    backend: DbBackend,
    column: JsonColumn,
    filter: &MetadataFilter,
    hot_keys: &[&'static str],
) -> RepoResult<Expr> {
    filter.validate()?;
    let identifier = |name: &str| {
        !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    };
    if !identifier(column.table) || !identifier(column.column) {
        return Err(RepoError::invalid(
            "column",
            "table and column names are identifiers of A-Z, a-z, 0-9 and _",
        ));
    }
    if let Some(bad) = hot_keys.iter().find(|key| !is_key(key)) {
        return Err(RepoError::invalid(
            "hot_keys",
            format!("hot key {bad:?} is no filter key"),
        ));
    }
    let mut sql = Sql::new(backend);
    let mut col = String::new();
    push_identifier(&mut col, backend, column.table);
    col.push('.');
    push_identifier(&mut col, backend, column.column);
    match backend {
        DbBackend::Postgres => super::postgres::condition(&mut sql, &col, filter),
        DbBackend::Sqlite => super::sqlite::condition(&mut sql, &col, filter, hot_keys),
        _ => {
            return Err(RepoError::Db(DbErr::BackendNotSupported {
                db: "MySql",
                ctx: "metadata filters",
            }));
        }
    }
    Ok(Expr::cust_with_values(sql.text, sql.values))
}

/// SQL text with its bound values, built left to right: each value's placeholder is written
/// where it is bound (`$n` on PostgreSQL, `?` on SQLite).
pub(super) struct Sql {
    backend: DbBackend,
    text: String,
    values: Vec<Value>,
    aliases: usize,
}

impl Sql {
    fn new(backend: DbBackend) -> Self {
        Self {
            backend,
            text: String::new(),
            values: Vec::new(),
            aliases: 0,
        }
    }

    /// Appends SQL text written in code.
    pub(super) fn push(&mut self, text: &str) {
        self.text.push_str(text);
    }

    /// Appends the placeholder of `value`, bound.
    pub(super) fn bind(&mut self, value: impl Into<Value>) {
        self.values.push(value.into());
        push_placeholder(&mut self.text, self.backend, self.values.len());
    }

    /// A table alias not used before in this condition.
    pub(super) fn alias(&mut self) -> String {
        self.aliases += 1;
        format!("je{}", self.aliases)
    }

    /// Appends `items` joined by `separator`, each written by `write`; `empty` when there are
    /// none.
    pub(super) fn join<T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        separator: &str,
        empty: &str,
        mut write: impl FnMut(&mut Self, T),
    ) {
        let mut items = items.into_iter().peekable();
        if items.peek().is_none() {
            self.push(empty);
            return;
        }
        self.push("(");
        let mut first = true;
        for item in items {
            if !first {
                self.push(separator);
            }
            first = false;
            write(self, item);
        }
        self.push(")");
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::sea_query::{Alias, PostgresQueryBuilder, Query, SqliteQueryBuilder};
    use serde_json::json;

    use super::*;

    const COLUMN: JsonColumn = JsonColumn::new("docs", "metadata");

    fn rendered(backend: DbBackend, filter: &MetadataFilter) -> (String, usize) {
        let condition = metadata_condition(backend, COLUMN, filter, &["topic"]).unwrap();
        let select = Query::select()
            .column(Alias::new("id"))
            .from(Alias::new("docs"))
            .and_where(condition)
            .to_owned();
        let (sql, values) = match backend {
            DbBackend::Postgres => select.build(PostgresQueryBuilder),
            _ => select.build(SqliteQueryBuilder),
        };
        (sql, values.0.len())
    }

    #[test]
    fn operands_paths_and_keys_are_bound_and_hot_keys_are_literal() {
        let filter = MetadataFilter::eq("topic", "secret-1")
            & MetadataFilter::gt("customer.age", 40)
            & MetadataFilter::contains(json!({"tags": ["secret-2"], "topic": "secret-3"}));
        let (pg, pg_values) = rendered(DbBackend::Postgres, &filter);
        let (lite, lite_values) = rendered(DbBackend::Sqlite, &filter);
        for sql in [&pg, &lite] {
            for hidden in ["secret", "customer", "age", "tags", "40"] {
                assert!(!sql.contains(hidden), "{hidden} in {sql}");
            }
        }
        assert!(pg.contains(r#""docs"."metadata" @> $1::jsonb"#), "{pg}");
        assert!(pg.contains("jsonb_typeof"), "{pg}");
        assert!(!pg.contains("$.topic"), "{pg}");
        assert!(
            lite.contains(r#"json_extract("docs"."metadata", '$.topic') = ?"#),
            "{lite}"
        );
        assert!(lite.contains("json_each"), "{lite}");
        assert_eq!(lite.matches('?').count(), lite_values);
        assert!(pg_values >= 4 && lite_values >= 4);
    }
}
