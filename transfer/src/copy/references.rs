//! The foreign keys of a table as the catalog describes them: which columns reference which
//! columns of which table. Finding the rows a skipped row takes with it needs them.

use sea_orm::{ConnectionTrait, DbBackend, Statement};

use super::error::{CopyError, db_err};

/// One foreign key of a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Reference {
    /// The referencing columns, in key order.
    pub(crate) columns: Vec<String>,
    /// The referenced table.
    pub(crate) parent: String,
    /// The referenced columns, in key order (empty: the parent's primary key).
    pub(crate) parent_columns: Vec<String>,
}

/// The foreign keys of `table` on `db`.
pub(crate) async fn references(
    db: &impl ConnectionTrait,
    table: &str,
) -> Result<Vec<Reference>, CopyError> {
    let backend = db.get_database_backend();
    let sql = match backend {
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
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, [table.into()]))
        .await
        .map_err(db_err(format!("reading the foreign keys of {table}")))?;
    let mut found: Vec<(i64, Reference)> = Vec::new();
    for row in rows {
        let read = || -> Result<(i64, String, String, String), sea_orm::DbErr> {
            Ok((
                row.try_get_by_index(0)?,
                row.try_get_by_index(1)?,
                row.try_get_by_index(2)?,
                row.try_get_by_index(3)?,
            ))
        };
        let (id, column, parent, parent_column) =
            read().map_err(db_err(format!("reading the foreign keys of {table}")))?;
        match found.last_mut() {
            Some((last, reference)) if *last == id => {
                reference.columns.push(column);
                reference.parent_columns.push(parent_column);
            }
            _ => found.push((
                id,
                Reference {
                    columns: vec![column],
                    parent,
                    parent_columns: vec![parent_column],
                },
            )),
        }
    }
    Ok(found
        .into_iter()
        .map(|(_, mut reference)| {
            if reference.parent_columns.iter().any(String::is_empty) {
                reference.parent_columns.clear();
            }
            reference
        })
        .collect())
}
