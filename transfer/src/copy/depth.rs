//! The copy order of a table with a foreign key onto itself (a task's parent): roots first,
//! then their children, then theirs, each level in key order, so every row's parent is in the
//! target before the row on both backends without deferring a constraint. The order is
//! computed once from the keys and parents alone; a row in a cycle, or under a parent that does
//! not exist, has no depth and is left out (verification reports it missing).

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, Statement};

use super::cell::{Cell, decode};
use super::error::{CopyError, db_err};
use super::sql::quote;
use super::table::TableShape;

/// One row's place in the order.
pub(crate) struct Entry {
    /// How many ancestors the row has.
    pub(crate) depth: i64,
    /// Its key's canonical text (the order within a level).
    pub(crate) sort: String,
    /// Its key.
    pub(crate) key: Cell,
}

/// The rows of `shape` (which has a parent column and a one-column key) in copy order.
pub(crate) async fn order(
    db: &impl ConnectionTrait,
    shape: &TableShape,
) -> Result<Vec<Entry>, CopyError> {
    let backend = db.get_database_backend();
    let (Some(parent), [key]) = (shape.parent, shape.key.as_slice()) else {
        return Ok(Vec::new());
    };
    let (key_column, parent_column) = (&shape.columns[*key], &shape.columns[parent]);
    let sql = format!(
        "SELECT {}, {} FROM {}",
        quote(&key_column.name),
        quote(&parent_column.name),
        quote(&shape.name)
    );
    let context = || format!("reading the parents of {}", shape.name);
    let rows = db
        .query_all_raw(Statement::from_string(backend, sql))
        .await
        .map_err(db_err(context()))?;
    let mut keys = Vec::with_capacity(rows.len());
    let mut parents = Vec::with_capacity(rows.len());
    for row in &rows {
        let key = decode(row, 0, key_column.kind, backend).map_err(db_err(context()))?;
        let up = decode(row, 1, parent_column.kind, backend).map_err(db_err(context()))?;
        keys.push(key);
        parents.push((up != Cell::Null).then(|| up.canonical()));
    }
    let sorts: Vec<String> = keys.iter().map(Cell::canonical).collect();
    let index: HashMap<&str, usize> = sorts
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    let parent_of: Vec<Up> = parents
        .iter()
        .map(|p| match p {
            None => Up::Root,
            Some(p) => index
                .get(p.as_str())
                .map_or(Up::Missing, |&i| Up::Parent(i)),
        })
        .collect();
    let depths = depths(&parent_of);
    let mut entries: Vec<Entry> = keys
        .into_iter()
        .zip(sorts)
        .zip(depths)
        .filter_map(|((key, sort), depth)| depth.map(|depth| Entry { depth, sort, key }))
        .collect();
    entries.sort_by(|a, b| (a.depth, &a.sort).cmp(&(b.depth, &b.sort)));
    Ok(entries)
}

/// A row's parent.
#[derive(Clone, Copy)]
enum Up {
    /// None: the row is a root.
    Root,
    /// The row at this index.
    Parent(usize),
    /// A row that does not exist.
    Missing,
}

/// Each node's depth given its parent; `None` for a node without one (in a cycle or under a
/// missing parent).
fn depths(parent_of: &[Up]) -> Vec<Option<i64>> {
    #[derive(Clone, Copy)]
    enum State {
        Unknown,
        Visiting,
        Done(Option<i64>),
    }
    let mut state = vec![State::Unknown; parent_of.len()];
    for start in 0..parent_of.len() {
        let mut path = Vec::new();
        let mut node = start;
        // Walk up until a node whose depth is known, a root, or a dead end.
        let mut base = loop {
            match state[node] {
                State::Done(depth) => break depth,
                State::Visiting => break None,
                State::Unknown => {}
            }
            state[node] = State::Visiting;
            path.push(node);
            match parent_of[node] {
                Up::Root => break Some(-1),
                Up::Missing => break None,
                Up::Parent(up) => node = up,
            }
        };
        for &n in path.iter().rev() {
            base = base.map(|d| d + 1);
            state[n] = State::Done(base);
        }
    }
    state
        .into_iter()
        .map(|s| match s {
            State::Done(depth) => depth,
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{Up, depths};

    #[test]
    fn depths_follow_parents_and_leave_out_cycles_and_orphans() {
        // 0 root, 1 under 0, 2 under 1, 3 and 4 a cycle, 5 under a missing parent.
        let parents = [
            Up::Root,
            Up::Parent(0),
            Up::Parent(1),
            Up::Parent(4),
            Up::Parent(3),
            Up::Missing,
        ];
        assert_eq!(
            depths(&parents),
            [Some(0), Some(1), Some(2), None, None, None]
        );
    }
}
