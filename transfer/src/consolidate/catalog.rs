//! What a source database holds, read from SQLite's catalog: `sqlite_schema` for the tables,
//! `pragma_table_info`, `pragma_foreign_key_list`, `pragma_index_list` and
//! `pragma_index_xinfo` for their columns, keys and indexes, and `pragma_foreign_key_check`
//! for rows whose foreign key points nowhere (SQLite does not enforce foreign keys unless
//! asked; PostgreSQL would refuse the constraint).

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

use super::source::rowid_name;

/// A table of a source.
#[derive(Clone, Debug)]
pub(crate) struct SourceTable {
    /// The name.
    pub(crate) name: String,
    /// Whether it is a `WITHOUT ROWID` table.
    pub(crate) without_rowid: bool,
    /// The name its rowid is read by (one no column shadows); `None` in a `WITHOUT ROWID`
    /// table, or when columns shadow `rowid`, `oid` and `_rowid_` alike.
    pub(crate) rowid: Option<&'static str>,
    /// Whether its key is `INTEGER PRIMARY KEY AUTOINCREMENT`.
    pub(crate) autoincrement: bool,
    /// The columns, in order.
    pub(crate) columns: Vec<SourceColumn>,
    /// The primary key's columns, in key order.
    pub(crate) primary_key: Vec<String>,
    /// The foreign keys.
    pub(crate) foreign_keys: Vec<SourceForeignKey>,
    /// The indexes, including those behind UNIQUE constraints (not the primary key's).
    pub(crate) indexes: Vec<SourceIndex>,
    /// Generated (and other hidden) columns, which `pragma_table_info` leaves out and which
    /// are not copied: their values follow from the others.
    pub(crate) hidden_columns: Vec<String>,
}

/// A column of a source table.
#[derive(Clone, Debug)]
pub(crate) struct SourceColumn {
    /// The name.
    pub(crate) name: String,
    /// The declared type as written (may be empty).
    pub(crate) declared: String,
    /// Whether it is `NOT NULL`.
    pub(crate) not_null: bool,
    /// The default's SQL text, as SQLite keeps it.
    pub(crate) default: Option<String>,
}

/// A foreign key of a source table.
#[derive(Clone, Debug)]
pub(crate) struct SourceForeignKey {
    /// The referencing columns.
    pub(crate) columns: Vec<String>,
    /// The referenced table, as written in the source.
    pub(crate) parent: String,
    /// The referenced columns; empty means the parent's primary key.
    pub(crate) parent_columns: Vec<String>,
    /// `ON DELETE` action as SQLite reports it (`NO ACTION`, `CASCADE`, ...).
    pub(crate) on_delete: String,
    /// `ON UPDATE` action.
    pub(crate) on_update: String,
    /// Rows whose key has no parent row (`pragma_foreign_key_check`), or `None` when SQLite
    /// could not check the key (a "foreign key mismatch": the parent columns are not unique).
    pub(crate) orphans: Option<u64>,
}

/// An index of a source table.
#[derive(Clone, Debug)]
pub(crate) struct SourceIndex {
    /// The name (SQLite's `sqlite_autoindex_*` name for a UNIQUE constraint's index).
    pub(crate) name: String,
    /// Whether it is unique.
    pub(crate) unique: bool,
    /// Whether it backs a UNIQUE constraint in the table's definition.
    pub(crate) constraint: bool,
    /// Whether it is partial (has a WHERE clause).
    pub(crate) partial: bool,
    /// Its key columns with `true` for descending; `None` for an expression.
    pub(crate) columns: Vec<Option<(String, bool)>>,
}

/// Every table of the source behind `db`, by name (SQLite's own `sqlite_*` tables left out),
/// and notes on the tables left out: virtual tables (FTS5, R*Tree, ...) and their shadow
/// tables, which are the virtual tables' storage and not data of their own.
///
/// # Errors
/// The database's error.
pub(crate) async fn tables(
    db: &impl ConnectionTrait,
) -> Result<(Vec<SourceTable>, Vec<String>), DbErr> {
    let rows = query(
        db,
        "SELECT s.name, coalesce(s.sql, ''), coalesce(l.wr, 0), coalesce(l.type, 'table') \
         FROM sqlite_schema s \
         LEFT JOIN pragma_table_list l ON l.name = s.name AND l.schema = 'main' \
         WHERE s.type = 'table' AND s.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY s.name",
        None,
    )
    .await?;
    let mut tables = Vec::new();
    let mut notes = Vec::new();
    for row in rows {
        let name: String = row.try_get_by_index(0)?;
        let sql: String = row.try_get_by_index(1)?;
        let without_rowid: i64 = row.try_get_by_index(2)?;
        let kind: String = row.try_get_by_index(3)?;
        match kind.as_str() {
            "virtual" => notes.push(format!(
                "{name}: virtual table not copied (its module's data is not plain rows)"
            )),
            "shadow" => notes.push(format!(
                "{name}: shadow table of a virtual table not copied"
            )),
            _ => tables.push(table(db, name, &sql, without_rowid != 0).await?),
        }
    }
    Ok((tables, notes))
}

/// One table's columns, keys and indexes.
async fn table(
    db: &impl ConnectionTrait,
    name: String,
    sql: &str,
    without_rowid: bool,
) -> Result<SourceTable, DbErr> {
    let rows = query(
        db,
        "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid",
        Some(&name),
    )
    .await?;
    let mut columns = Vec::new();
    let mut keyed = Vec::new();
    for row in rows {
        let column_name: String = row.try_get_by_index(0)?;
        let pk: i64 = row.try_get_by_index(4)?;
        if pk > 0 {
            keyed.push((pk, column_name.clone()));
        }
        columns.push(SourceColumn {
            name: column_name,
            declared: row.try_get_by_index(1)?,
            not_null: row.try_get_by_index::<i64>(2)? != 0,
            default: row.try_get_by_index(3)?,
        });
    }
    keyed.sort();
    let hidden = query(
        db,
        "SELECT name FROM pragma_table_xinfo(?) WHERE hidden <> 0 ORDER BY cid",
        Some(&name),
    )
    .await?;
    let hidden_columns: Vec<String> = hidden
        .iter()
        .map(|r| r.try_get_by_index(0))
        .collect::<Result<_, DbErr>>()?;
    let every_column: Vec<&str> = columns
        .iter()
        .map(|c| c.name.as_str())
        .chain(hidden_columns.iter().map(String::as_str))
        .collect();
    Ok(SourceTable {
        rowid: if without_rowid {
            None
        } else {
            rowid_name(&every_column)
        },
        hidden_columns,
        autoincrement: sql.to_ascii_uppercase().contains("AUTOINCREMENT"),
        foreign_keys: foreign_keys(db, &name).await?,
        indexes: indexes(db, &name).await?,
        primary_key: keyed.into_iter().map(|(_, c)| c).collect(),
        name,
        without_rowid,
        columns,
    })
}

/// A table's foreign keys with their orphan counts.
async fn foreign_keys(
    db: &impl ConnectionTrait,
    table: &str,
) -> Result<Vec<SourceForeignKey>, DbErr> {
    let rows = query(
        db,
        "SELECT id, \"table\", \"from\", \"to\", on_delete, on_update \
         FROM pragma_foreign_key_list(?) ORDER BY id, seq",
        Some(table),
    )
    .await?;
    let checked = query(
        db,
        "SELECT fkid, count(*) FROM pragma_foreign_key_check(?) GROUP BY fkid",
        Some(table),
    )
    .await;
    let orphans: Option<BTreeMap<i64, i64>> = match checked {
        Ok(rows) => Some(
            rows.iter()
                .map(|r| Ok((r.try_get_by_index(0)?, r.try_get_by_index(1)?)))
                .collect::<Result<_, DbErr>>()?,
        ),
        // "foreign key mismatch": a parent key SQLite cannot check, nor PostgreSQL enforce.
        Err(_) => None,
    };
    let mut keys: BTreeMap<i64, SourceForeignKey> = BTreeMap::new();
    for row in rows {
        let id: i64 = row.try_get_by_index(0)?;
        let key = keys.entry(id).or_insert_with(|| SourceForeignKey {
            columns: Vec::new(),
            parent: String::new(),
            parent_columns: Vec::new(),
            on_delete: String::new(),
            on_update: String::new(),
            orphans: orphans
                .as_ref()
                .map(|o| o.get(&id).copied().unwrap_or(0) as u64),
        });
        key.parent = row.try_get_by_index(1)?;
        key.columns.push(row.try_get_by_index(2)?);
        if let Some(to) = row.try_get_by_index::<Option<String>>(3)? {
            key.parent_columns.push(to);
        }
        key.on_delete = row.try_get_by_index(4)?;
        key.on_update = row.try_get_by_index(5)?;
    }
    Ok(keys.into_values().collect())
}

/// A table's indexes except the primary key's.
async fn indexes(db: &impl ConnectionTrait, table: &str) -> Result<Vec<SourceIndex>, DbErr> {
    let rows = query(
        db,
        "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?) \
         WHERE origin <> 'pk' ORDER BY name",
        Some(table),
    )
    .await?;
    let mut indexes = Vec::new();
    for row in rows {
        let name: String = row.try_get_by_index(0)?;
        let origin: String = row.try_get_by_index(2)?;
        let parts = query(
            db,
            "SELECT name, \"desc\" FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno",
            Some(&name),
        )
        .await?;
        let columns = parts
            .iter()
            .map(|p| {
                let column: Option<String> = p.try_get_by_index(0)?;
                let desc: i64 = p.try_get_by_index(1)?;
                Ok(column.map(|c| (c, desc != 0)))
            })
            .collect::<Result<_, DbErr>>()?;
        indexes.push(SourceIndex {
            unique: row.try_get_by_index::<i64>(1)? != 0,
            constraint: origin == "u",
            partial: row.try_get_by_index::<i64>(3)? != 0,
            name,
            columns,
        });
    }
    Ok(indexes)
}

/// Runs a catalog query with an optional text argument.
async fn query(
    db: &impl ConnectionTrait,
    sql: &str,
    arg: Option<&str>,
) -> Result<Vec<sea_orm::QueryResult>, DbErr> {
    let values: Vec<sea_orm::Value> = arg.into_iter().map(Into::into).collect();
    db.query_all_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        sql,
        values,
    ))
    .await
}
