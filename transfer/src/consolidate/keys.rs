//! Primary keys and unique constraints checked against the converted values before anything
//! is written: PostgreSQL refuses a NULL in a primary key column (SQLite allows one in a rowid
//! table's key that is not `INTEGER PRIMARY KEY`) and values that become equal after
//! conversion (`10:00:00Z` and `12:00:00+02:00` are one instant; the integer 1 and the text
//! '1' are the same text). Colliding timestamps, JSON, numbers or booleans are kept as text,
//! which keeps them apart; a key that still collides, or has a NULL, is left out with a note
//! naming the table, the rows and the columns.
//!
//! The check holds one 32-byte digest (and a rowid) per row and key while it scans a table.

use std::collections::HashMap;
use std::fmt::Write as _;

use sea_orm::{ConnectionTrait, DbErr};

use super::catalog::SourceTable;
use super::checksum::row_digest;
use super::pg_type::PgType;
use super::plan::ColumnPlan;
use super::source::RowReader;
use super::values::{SourceValue, convert};

/// A key PostgreSQL will enforce: the primary key or a unique index/constraint.
struct UniqueKey {
    /// `None` for the primary key, else the index's position in [`SourceTable::indexes`].
    index: Option<usize>,
    /// Positions of its columns in the table.
    columns: Vec<usize>,
}

/// What is wrong with a key's values.
enum Problem {
    /// A NULL in a primary key column (rowid, column).
    Null(Option<i64>, String),
    /// Two rows whose converted key values are equal.
    Collision(Option<i64>, Option<i64>),
}

/// Checks every key of `table` against its columns' planned types (`plans`), moves colliding
/// columns to text where that keeps them apart, and leaves out (from `table`, with a note)
/// the keys that still cannot be created.
///
/// # Errors
/// The source database's error.
pub(crate) async fn check(
    db: &impl ConnectionTrait,
    table: &mut SourceTable,
    plans: &mut [ColumnPlan],
    notes: &mut Vec<String>,
) -> Result<(), DbErr> {
    let mut keys = unique_keys(table, plans);
    for round in 0..2 {
        if keys.is_empty() {
            return Ok(());
        }
        let problems = scan(db, table, plans, &keys).await?;
        let mut retry = Vec::new();
        let mut dropped = Vec::new();
        for (key, problem) in keys.into_iter().zip(problems) {
            let Some(problem) = problem else { continue };
            let to_text: Vec<usize> = key
                .columns
                .iter()
                .copied()
                .filter(|c| text_keeps_apart(plans[*c].pg_type))
                .collect();
            if round == 0 && matches!(problem, Problem::Collision(..)) && !to_text.is_empty() {
                for c in to_text {
                    let was = plans[c].pg_type;
                    let _ = write!(
                        plans[c].reason,
                        "; kept as text: as {was} two rows' keys would be equal"
                    );
                    plans[c].pg_type = PgType::Text;
                }
                retry.push(key);
            } else {
                dropped.push((key, problem));
            }
        }
        for (key, problem) in dropped {
            notes.push(leave_out(table, &key, &problem));
        }
        keys = retry;
    }
    Ok(())
}

/// Whether a column of type `ty` whose key values collide is kept apart as text (its values
/// all came from text or numbers, which text holds with their spelling).
fn text_keeps_apart(ty: PgType) -> bool {
    matches!(
        ty,
        PgType::Timestamptz | PgType::Jsonb | PgType::Double | PgType::Boolean
    )
}

/// The primary key (unless it is the identity, which SQLite keeps unique and not NULL) and
/// every unique index PostgreSQL will get.
fn unique_keys(table: &SourceTable, plans: &[ColumnPlan]) -> Vec<UniqueKey> {
    let position = |name: &str| table.columns.iter().position(|c| c.name == name);
    let mut keys = Vec::new();
    let identity = plans.iter().any(|p| p.identity);
    if !table.primary_key.is_empty() && !identity {
        let columns: Option<Vec<usize>> = table.primary_key.iter().map(|c| position(c)).collect();
        keys.extend(columns.map(|columns| UniqueKey {
            index: None,
            columns,
        }));
    }
    for (i, index) in table.indexes.iter().enumerate() {
        if !index.unique || index.partial {
            continue;
        }
        let columns: Option<Vec<usize>> = index
            .columns
            .iter()
            .map(|c| c.as_ref().and_then(|(name, _)| position(name)))
            .collect();
        keys.extend(columns.map(|columns| UniqueKey {
            index: Some(i),
            columns,
        }));
    }
    keys
}

/// The first problem of each key, from one scan of the key columns.
async fn scan(
    db: &impl ConnectionTrait,
    table: &SourceTable,
    plans: &[ColumnPlan],
    keys: &[UniqueKey],
) -> Result<Vec<Option<Problem>>, DbErr> {
    let names: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
    let mut reader = RowReader::new(db, &table.name, &names, table.rowid, &table.primary_key);
    let mut seen: Vec<HashMap<[u8; 32], Option<i64>>> =
        keys.iter().map(|_| HashMap::new()).collect();
    let mut problems: Vec<Option<Problem>> = keys.iter().map(|_| None).collect();
    loop {
        let batch = reader.next_batch().await?;
        if batch.is_empty() {
            return Ok(problems);
        }
        for row in &batch {
            for (k, key) in keys.iter().enumerate() {
                if problems[k].is_some() {
                    continue;
                }
                let values: Vec<&SourceValue> =
                    key.columns.iter().map(|c| &row.values[*c]).collect();
                if let Some(null) = key
                    .columns
                    .iter()
                    .find(|c| row.values[**c] == SourceValue::Null)
                {
                    // PostgreSQL keeps rows with a NULL in a unique key apart; a primary key
                    // cannot hold one.
                    if key.index.is_none() {
                        problems[k] = Some(Problem::Null(row.rowid, names[*null].clone()));
                    }
                    continue;
                }
                let cells: Vec<_> = key
                    .columns
                    .iter()
                    .zip(values)
                    .filter_map(|(c, v)| convert(v, plans[*c].pg_type).ok())
                    .collect();
                if let Some(first) = seen[k].insert(row_digest(&cells), row.rowid) {
                    problems[k] = Some(Problem::Collision(first, row.rowid));
                }
            }
        }
    }
}

/// Removes `key` from `table` and says why.
fn leave_out(table: &mut SourceTable, key: &UniqueKey, problem: &Problem) -> String {
    let columns: Vec<&str> = key
        .columns
        .iter()
        .map(|c| table.columns[*c].name.as_str())
        .collect();
    let what = match key.index {
        None => format!("primary key ({})", columns.join(", ")),
        Some(i) => format!(
            "unique index {} ({}) created without UNIQUE",
            table.indexes[i].name,
            columns.join(", ")
        ),
    };
    let why = match problem {
        Problem::Null(rowid, column) => {
            format!("rowid {} has NULL in {column}", rowid_text(*rowid))
        }
        Problem::Collision(first, second) => format!(
            "rowids {} and {} have the same converted values",
            rowid_text(*first),
            rowid_text(*second)
        ),
    };
    match key.index {
        None => table.primary_key.clear(),
        Some(i) => {
            // Still an index (for lookups), no longer a constraint.
            table.indexes[i].unique = false;
            table.indexes[i].constraint = false;
        }
    }
    let verb = if key.index.is_none() {
        " not created"
    } else {
        ""
    };
    format!("{}: {what}{verb}: {why}", table.name)
}

/// A rowid for a note (`-` in a `WITHOUT ROWID` table).
fn rowid_text(rowid: Option<i64>) -> String {
    rowid.map_or_else(|| "-".to_owned(), |r| r.to_string())
}
