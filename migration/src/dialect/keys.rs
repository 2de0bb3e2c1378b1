//! One table's columns with their declared types, its primary key and its foreign keys, as the
//! backend's catalog describes them (the connection's current schema). What a generic row copy
//! needs to read and write any table of the schema.

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

/// One foreign key of a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignKey {
    /// The referencing columns, in key order.
    pub columns: Vec<String>,
    /// The referenced table.
    pub parent: String,
    /// The referenced columns, in key order (empty: the parent's primary key).
    pub parent_columns: Vec<String>,
}

/// `table`'s columns with their declared types, in the table's order; empty when there is no
/// such table.
///
/// # Errors
/// The database's error.
pub async fn declared_columns(
    db: &impl ConnectionTrait,
    table: &str,
) -> Result<Vec<(String, String)>, DbErr> {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a \
             JOIN pg_class c ON c.oid = a.attrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() \
             WHERE c.relname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 \
             AND NOT a.attisdropped ORDER BY a.attnum"
        }
        _ => "SELECT name, type FROM pragma_table_info($1) ORDER BY cid",
    };
    let rows = rows_of(db, sql, table).await?;
    rows.iter()
        .map(|row| Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?)))
        .collect()
}

/// The columns of `table`'s primary key, in key order; empty without one.
///
/// # Errors
/// The database's error.
pub async fn primary_key(db: &impl ConnectionTrait, table: &str) -> Result<Vec<String>, DbErr> {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT a.attname::text FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() \
             CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) \
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum \
             WHERE c.relname = $1 AND i.indisprimary ORDER BY k.ord"
        }
        _ => "SELECT name FROM pragma_table_info($1) WHERE pk > 0 ORDER BY pk",
    };
    let rows = rows_of(db, sql, table).await?;
    rows.iter().map(|row| row.try_get_by_index(0)).collect()
}

/// The foreign keys of `table`, each with its columns in key order.
///
/// # Errors
/// The database's error.
pub async fn foreign_keys(
    db: &impl ConnectionTrait,
    table: &str,
) -> Result<Vec<ForeignKey>, DbErr> {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT co.oid::bigint, fa.attname::text, pc.relname::text, ta.attname::text \
             FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() \
             JOIN pg_class pc ON pc.oid = co.confrelid \
             CROSS JOIN LATERAL unnest(co.conkey, co.confkey) WITH ORDINALITY AS k(f, t, ord) \
             JOIN pg_attribute fa ON fa.attrelid = co.conrelid AND fa.attnum = k.f \
             JOIN pg_attribute ta ON ta.attrelid = co.confrelid AND ta.attnum = k.t \
             WHERE c.relname = $1 AND co.contype = 'f' ORDER BY co.oid, k.ord"
        }
        _ => {
            "SELECT id, \"from\", \"table\", coalesce(\"to\", '') \
             FROM pragma_foreign_key_list($1) ORDER BY id, seq"
        }
    };
    let mut found: Vec<(i64, ForeignKey)> = Vec::new();
    for row in rows_of(db, sql, table).await? {
        let id: i64 = row.try_get_by_index(0)?;
        let column: String = row.try_get_by_index(1)?;
        let parent: String = row.try_get_by_index(2)?;
        let parent_column: String = row.try_get_by_index(3)?;
        match found.last_mut() {
            Some((last, key)) if *last == id => {
                key.columns.push(column);
                key.parent_columns.push(parent_column);
            }
            _ => found.push((
                id,
                ForeignKey {
                    columns: vec![column],
                    parent,
                    parent_columns: vec![parent_column],
                },
            )),
        }
    }
    Ok(found
        .into_iter()
        .map(|(_, mut key)| {
            // SQLite leaves the referenced columns out when the key names the parent's
            // primary key.
            if key.parent_columns.iter().any(String::is_empty) {
                key.parent_columns.clear();
            }
            key
        })
        .collect())
}

/// The rows `sql` returns with `table` as its one parameter.
async fn rows_of(
    db: &impl ConnectionTrait,
    sql: &str,
    table: &str,
) -> Result<Vec<sea_orm_migration::sea_orm::QueryResult>, DbErr> {
    db.query_all_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        [table.into()],
    ))
    .await
}
