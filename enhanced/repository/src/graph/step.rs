//! The building blocks of the graph's recursive statements (`WITH RECURSIVE`, built with
//! SeaQuery and rendered for each backend): how a step follows edges, and the recursion that
//! counts the fewest steps from one node to every node it reaches.
//!
//! Every step joins a working table's nodes to `graph_edges` on the column an edge index leads
//! (`source_id` or `target_id`, the relation next in the index), so a step costs one index
//! lookup per node it expands, and the graph never comes into memory.
//!
//! [`hops_from`] keeps rows `(node, steps)` and combines them with `UNION`, which drops every
//! row already produced. A node enters the working table at most once per number of steps, so
//! a cycle adds at most one row per lap and the depth bound ends it: the work is bounded by
//! `max_depth × edges reached`. (Carrying each walk's visited path instead would also end
//! cycles, but would make one row per distinct path, exponential on dense graphs, for nothing
//! a node's distance needs.)

use memdb_enhanced_entity::{graph_edges as edges, graph_nodes as nodes};
use sea_orm::sea_query::{
    CommonTableExpression, Expr, ExprTrait, Query, SelectStatement, UnionType,
};
use uuid::Uuid;

use super::Direction;

/// The node column of every working table.
pub(super) const NODE_ID: &str = "node_id";

/// The name the statements give `graph_edges` in a step's own join.
const EDGES: &str = "graph_edges";

/// How a traversal steps from a node: which edges it follows.
pub(super) struct Step {
    direction: Direction,
    relation: Option<String>,
}

impl Step {
    /// Steps along edges in `direction`, of `relation` only when given (an already checked
    /// label).
    pub(super) fn new(direction: Direction, relation: Option<String>) -> Self {
        Self {
            direction,
            relation,
        }
    }

    /// The same edges, walked the other way.
    pub(super) fn reversed(&self) -> Self {
        Self::new(self.direction.reversed(), self.relation.clone())
    }

    /// The condition under which the edge `edges` (a name for `graph_edges`) leaves the node
    /// in `from`'s `node_id` column, and the node it leads to.
    pub(super) fn arc(&self, from: &'static str, edges: &'static str) -> (Expr, Expr) {
        let here = || Expr::col((from, NODE_ID));
        let source = || Expr::col((edges, edges::Column::SourceId));
        let target = || Expr::col((edges, edges::Column::TargetId));
        let (on, next) = match self.direction {
            Direction::Outgoing => (source().eq(here()), target()),
            Direction::Incoming => (target().eq(here()), source()),
            // Self-loops are impossible, so an edge matches one way only; each side of the OR
            // is served by the index its column leads.
            Direction::Both => (
                source().eq(here()).or(target().eq(here())),
                Expr::case(source().eq(here()), target())
                    .finally(source())
                    .into(),
            ),
        };
        let on = match &self.relation {
            Some(relation) => {
                on.and(Expr::col((edges, edges::Column::Relation)).eq(relation.as_str()))
            }
            None => on,
        };
        (on, next)
    }

    /// Makes `select` read the working table `from` joined to the edges this step follows from
    /// each of its nodes, and returns the node each edge leads to.
    pub(super) fn follow(&self, select: &mut SelectStatement, from: &'static str) -> Expr {
        let (on, next) = self.arc(from, EDGES);
        select.from(from).inner_join(edges::Entity, on);
        next
    }
}

/// The weight of the edge a [`Step::follow`] joined.
pub(super) fn weight() -> Expr {
    Expr::col((EDGES, edges::Column::Weight))
}

/// A depth bound as the integer the statements compare with (at most `MAX_DEPTH`).
pub(super) fn bound(max_depth: u32) -> i32 {
    i32::try_from(max_depth).unwrap_or(i32::MAX)
}

/// `name (node_id, <counter>)`: every node `step` reaches from `node` within `max_depth` steps,
/// once for each number of steps it can be reached in (see the module docs). Empty when there
/// is no node `node`.
pub(super) fn hops_from(
    name: &'static str,
    counter: &'static str,
    node: Uuid,
    step: &Step,
    max_depth: u32,
) -> CommonTableExpression {
    let mut walk = Query::select();
    let next = step.follow(&mut walk, name);
    walk.expr(next)
        .expr(Expr::col((name, counter)).add(1))
        .and_where(Expr::col((name, counter)).lt(bound(max_depth)));
    let mut recursion = Query::select()
        .column((nodes::Entity, nodes::Column::Id))
        .expr(Expr::val(0))
        .from(nodes::Entity)
        .and_where(Expr::col((nodes::Entity, nodes::Column::Id)).eq(node))
        .to_owned();
    recursion.union(UnionType::Distinct, walk);
    named(name, &[NODE_ID, counter], recursion)
}

/// `name (node_id, <counter>)`: the fewest steps to each node of `of`, leaving out `except`.
pub(super) fn fewest(
    name: &'static str,
    of: &'static str,
    counter: &'static str,
    except: Option<Uuid>,
) -> CommonTableExpression {
    let select = Query::select()
        .column(NODE_ID)
        .expr(Expr::col(counter).min())
        .from(of)
        .and_where_option(except.map(|node| Expr::col(NODE_ID).ne(node)))
        .group_by_col(NODE_ID)
        .to_owned();
    named(name, &[NODE_ID, counter], select)
}

/// `select` as the common table expression `name (columns)`.
pub(super) fn named(
    name: &'static str,
    columns: &[&'static str],
    select: SelectStatement,
) -> CommonTableExpression {
    CommonTableExpression::new()
        .query(select)
        .columns(columns.iter().copied())
        .table_name(name)
        .to_owned()
}
