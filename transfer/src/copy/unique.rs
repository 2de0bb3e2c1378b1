//! Unique values other than the primary key, found before any row is written: a source row
//! whose values of another unique index the target holds under another key (two databases that
//! each ran `memdb init` both have an organization `default`) cannot be inserted. Such rows are
//! conflicts; they are skipped, and so are, transitively, the source rows referencing them (a
//! document of the skipped organization), so the rest of a merge completes and verification
//! reports them.

use std::collections::{HashMap, HashSet};

use memdb_migration::dialect::catalog::{Catalog, EXPRESSION, read_catalog};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use super::cell::Cell;
use super::error::{CopyError, db_err};
use super::page;
use super::references::{Reference, references};
use super::report::{LISTED_CONFLICTS, SkippedRow, UniqueConflict};
use super::table::TableShape;
use super::transfer::MAX_BATCH_ROWS;

/// The source rows of one table the copy leaves out.
#[derive(Debug, Default)]
pub(crate) struct TableSkips {
    /// Their keys ([`TableShape::key_text`]).
    keys: HashSet<String>,
    /// Their cells, for the rows referencing them.
    rows: Vec<Vec<Cell>>,
    /// How many collide with a target row on a unique value.
    pub(crate) conflicts: u64,
    /// The first of those.
    pub(crate) listed_conflicts: Vec<UniqueConflict>,
    /// How many reference a skipped row.
    pub(crate) skipped: u64,
    /// The first of those.
    pub(crate) listed_skipped: Vec<SkippedRow>,
}

impl TableSkips {
    /// Whether the row with key text `key` is left out.
    pub(crate) fn contains(&self, key: &str) -> bool {
        self.keys.contains(key)
    }

    /// Leaves out `cells` (key text `key`).
    fn add(&mut self, key: String, cells: &[Cell]) {
        self.keys.insert(key);
        self.rows.push(cells.to_vec());
    }
}

/// The rows left out, by table.
#[derive(Debug, Default)]
pub(crate) struct Skips {
    tables: HashMap<String, TableSkips>,
}

impl Skips {
    /// The rows of `table` left out, if any.
    pub(crate) fn of(&self, table: &str) -> Option<&TableSkips> {
        self.tables.get(table)
    }
}

/// Finds the source rows to leave out, reading every table of `shapes` (parents first) on both
/// sides; writes nothing.
pub(crate) async fn find(
    source: &impl ConnectionTrait,
    target: &DatabaseConnection,
    shapes: &[(TableShape, TableShape)],
) -> Result<Skips, CopyError> {
    let catalog = read_catalog(target)
        .await
        .map_err(db_err("reading the target's unique indexes"))?;
    let by_name: HashMap<&str, &TableShape> =
        shapes.iter().map(|(s, _)| (s.name.as_str(), s)).collect();
    let mut skips = Skips::default();
    for (source_shape, target_shape) in shapes {
        let table = source_shape.name.as_str();
        let indexes = unique_indexes(&catalog, source_shape);
        let refs = references(source, table).await?;
        let parents: Vec<(&Reference, HashMap<String, String>)> = refs
            .iter()
            .filter(|r| r.parent != table)
            .filter_map(|r| {
                let parent = by_name.get(r.parent.as_str())?;
                let skipped = skips.of(&r.parent)?;
                Some((r, referenced(parent, r, skipped)))
            })
            .filter(|(_, set)| !set.is_empty())
            .collect();
        if indexes.is_empty() && parents.is_empty() {
            continue;
        }
        let held = held_values(target, target_shape, &indexes).await?;
        let mut found = TableSkips::default();
        let mut pending: Vec<(String, Vec<Cell>)> = Vec::new();
        let self_ref = refs.iter().find(|r| r.parent == table);
        let mut after: Option<Vec<Cell>> = None;
        loop {
            let rows = page::read(source, source_shape, after.as_deref(), MAX_BATCH_ROWS).await?;
            for row in &rows {
                let key = source_shape.key_text(&row.cells);
                if let Some(conflict) = collision(source_shape, &indexes, &held, &key, &row.cells) {
                    found.conflicts += 1;
                    if found.listed_conflicts.len() < LISTED_CONFLICTS {
                        found.listed_conflicts.push(conflict);
                    }
                    found.add(key, &row.cells);
                } else if let Some(because) = parents.iter().find_map(|(r, set)| {
                    tuple(source_shape, &r.columns, &row.cells).and_then(|t| set.get(&t))
                }) {
                    skip_dependent(&mut found, key, &row.cells, &because_of(because));
                } else if self_ref.is_some() {
                    pending.push((key, row.cells.clone()));
                }
            }
            match rows.last() {
                Some(last) if rows.len() == MAX_BATCH_ROWS => after = Some(last.key.clone()),
                _ => break,
            }
        }
        if let Some(r) = self_ref {
            skip_descendants(source_shape, r, &mut found, pending);
        }
        if !found.keys.is_empty() {
            skips.tables.insert(table.to_owned(), found);
        }
    }
    Ok(skips)
}

/// The row a `because` entry ("table\u{1f}key", see [`referenced`]) names, as the reason of a
/// skipped row (whose key the caller fills in).
fn because_of(because: &str) -> SkippedRow {
    let (table, key) = because.split_once('\u{1f}').unwrap_or(("", because));
    SkippedRow {
        key: String::new(),
        because_table: table.to_owned(),
        because_key: key.to_owned(),
    }
}

/// Leaves out the row `key` because of `why` (its key filled in).
fn skip_dependent(found: &mut TableSkips, key: String, cells: &[Cell], why: &SkippedRow) {
    found.skipped += 1;
    if found.listed_skipped.len() < LISTED_CONFLICTS {
        found.listed_skipped.push(SkippedRow {
            key: key.clone(),
            ..why.clone()
        });
    }
    found.add(key, cells);
}

/// Leaves out, until nothing changes, the `pending` rows whose reference onto their own table
/// names a row left out.
fn skip_descendants(
    shape: &TableShape,
    reference: &Reference,
    found: &mut TableSkips,
    mut pending: Vec<(String, Vec<Cell>)>,
) {
    loop {
        let set = referenced(shape, reference, found);
        let before = pending.len();
        let mut kept = Vec::with_capacity(pending.len());
        for (key, cells) in pending {
            match tuple(shape, &reference.columns, &cells).and_then(|t| set.get(&t)) {
                Some(because) => {
                    let why = because_of(because);
                    skip_dependent(found, key, &cells, &why);
                }
                None => kept.push((key, cells)),
            }
        }
        pending = kept;
        if pending.len() == before {
            return;
        }
    }
}

/// The values of `reference`'s referenced columns of `parent`'s skipped rows, each mapped to
/// "table\u{1f}key" of the row.
fn referenced(
    parent: &TableShape,
    reference: &Reference,
    skipped: &TableSkips,
) -> HashMap<String, String> {
    let columns: Vec<String> = if reference.parent_columns.is_empty() {
        parent.key_names().into_iter().map(str::to_owned).collect()
    } else {
        reference.parent_columns.clone()
    };
    skipped
        .rows
        .iter()
        .filter_map(|cells| {
            let t = tuple(parent, &columns, cells)?;
            Some((
                t,
                format!("{}\u{1f}{}", parent.name, parent.key_text(cells)),
            ))
        })
        .collect()
}

/// The canonical text of `columns`' values in `cells`; `None` when one is NULL (or unknown).
fn tuple(shape: &TableShape, columns: &[String], cells: &[Cell]) -> Option<String> {
    let mut parts = Vec::with_capacity(columns.len());
    for name in columns {
        let i = shape.columns.iter().position(|c| &c.name == name)?;
        match &cells[i] {
            Cell::Null => return None,
            cell => parts.push(serde_json::Value::String(cell.canonical())),
        }
    }
    Some(serde_json::Value::Array(parts).to_string())
}

/// The unique indexes of `shape`'s table in the target other than its primary key (and other
/// than those over an expression), as column names.
fn unique_indexes(catalog: &Catalog, shape: &TableShape) -> Vec<Vec<String>> {
    let mut key: Vec<&str> = shape.key_names();
    key.sort_unstable();
    let Some(table) = catalog.tables.get(&shape.name) else {
        return Vec::new();
    };
    table
        .indexes
        .values()
        .filter(|index| index.unique && !index.columns.iter().any(|c| c == EXPRESSION))
        .filter(|index| {
            let mut columns: Vec<&str> = index.columns.iter().map(String::as_str).collect();
            columns.sort_unstable();
            columns != key
        })
        .map(|index| index.columns.clone())
        .collect()
}

/// For each index, the target's values (canonical tuples) and the key text of the row holding
/// them.
async fn held_values(
    target: &DatabaseConnection,
    shape: &TableShape,
    indexes: &[Vec<String>],
) -> Result<Vec<HashMap<String, String>>, CopyError> {
    let mut held = vec![HashMap::new(); indexes.len()];
    if indexes.is_empty() {
        return Ok(held);
    }
    let mut after: Option<Vec<Cell>> = None;
    loop {
        let rows = page::read(target, shape, after.as_deref(), MAX_BATCH_ROWS).await?;
        for row in &rows {
            for (index, map) in indexes.iter().zip(held.iter_mut()) {
                if let Some(t) = tuple(shape, index, &row.cells) {
                    map.insert(t, shape.key_text(&row.cells));
                }
            }
        }
        match rows.last() {
            Some(last) if rows.len() == MAX_BATCH_ROWS => after = Some(last.key.clone()),
            _ => return Ok(held),
        }
    }
}

/// The first unique index whose values of `cells` the target holds under another key.
fn collision(
    shape: &TableShape,
    indexes: &[Vec<String>],
    held: &[HashMap<String, String>],
    key: &str,
    cells: &[Cell],
) -> Option<UniqueConflict> {
    indexes.iter().zip(held).find_map(|(index, map)| {
        let theirs = map.get(&tuple(shape, index, cells)?)?;
        (theirs != key).then(|| UniqueConflict {
            key: key.to_owned(),
            columns: index.clone(),
            target_key: theirs.clone(),
        })
    })
}
