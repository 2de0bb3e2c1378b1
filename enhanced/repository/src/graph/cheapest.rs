//! [`cheapest_path`]: the cheapest path between two nodes, in one recursive statement.
//!
//! The answer is a sequence of nodes, so the search's rows carry the path so far as text (ids
//! joined by commas) and a step never goes to a node already in its path: paths are simple,
//! which also ends cycles. Weights are never negative, so no walk is cheaper than the simple
//! path inside it, and nothing is lost. (A recursion cannot keep only the cheapest row per node
//! as Dijkstra would: neither backend allows an aggregate in the recursive step.)
//!
//! The number of simple paths grows fast with their length, so before it enumerates any the
//! statement bounds the search, exactly (no path it leaves out could be the answer):
//! 1. `back`, `remaining`: how many steps each node is from the target, walked backwards from
//!    it (see [`hops_from`]). A path goes on only to nodes from which the target is still
//!    reachable within the depth left.
//! 2. `first`, `ceiling`: one path found without search (from each node to one node a step
//!    nearer the target), whose weight bounds the answer's. A path goes on
//!    only while its weight stays within that bound: adding a non-negative weight never makes
//!    a sum smaller, in floating point too.
//! 3. `paths`: the search itself, which also never goes on past the target.
//!
//! What is left to enumerate is the paths that could still tie with or beat the first one; on
//! graphs whose weights are all zero that can still be every path.

use memdb_enhanced_entity::graph_edges as edges;
use memdb_repository::{RepoError, RepoResult};
use sea_orm::sea_query::{
    CommonTableExpression, Expr, ExprTrait, Order, Query, UnionType, WithClause,
};
use sea_orm::{ConnectionTrait, DbBackend};
use uuid::Uuid;

use super::GraphPath;
use super::dialect::{bytewise, concat, contains, id_text};
use super::step::{NODE_ID, Step, bound, fewest, hops_from, named, weight};

const BACK: &str = "back";
const REMAINING: &str = "remaining";
const FIRST: &str = "first";
const CEILING: &str = "ceiling";
const PATHS: &str = "paths";
const HOPS: &str = "hops";
const DEPTH: &str = "depth";
const COST: &str = "cost";
const PATH: &str = "path";

/// `first (node_id, hops, cost)`: from `from`, each step to one node one step nearer the
/// target (by `remaining`; the one whose id has the smallest text, any single choice would
/// do), so `hops` counts down to 0 at the target. Parallel edges of different weights to that
/// node make a row each.
fn first_path(backend: DbBackend, from: Uuid, step: &Step) -> CommonTableExpression {
    const NEARER: &str = "nearer";
    let here = |column| Expr::col((FIRST, column));
    let (on, candidate) = step.arc(FIRST, NEARER);
    // MIN rather than ORDER BY ... LIMIT 1: the SQLite memdb bundles (3.51) refuses the outer
    // row's columns in such a subquery inside a recursive step ("no such column"). Over the
    // ids' text because PostgreSQL has no MIN of a uuid.
    let nearest = Query::select()
        .expr(id_text(backend, candidate.clone()).min())
        .from_as(edges::Entity, NEARER)
        .inner_join(REMAINING, Expr::col((REMAINING, NODE_ID)).eq(candidate))
        .and_where(on)
        .and_where(Expr::col((REMAINING, HOPS)).eq(here(HOPS).sub(1)))
        .to_owned();
    let mut walk = Query::select();
    let next = step.follow(&mut walk, FIRST);
    walk.expr(next.clone())
        .expr(here(HOPS).sub(1))
        .expr(here(COST).add(weight()))
        .and_where(here(HOPS).gt(0))
        .and_where(id_text(backend, next).eq(Expr::from(nearest)));
    let mut recursion = Query::select()
        .column(NODE_ID)
        .column(HOPS)
        .expr(Expr::val(0.0_f64))
        .from(REMAINING)
        .and_where(Expr::col(NODE_ID).eq(from))
        .to_owned();
    recursion.union(UnionType::Distinct, walk);
    named(FIRST, &[NODE_ID, HOPS, COST], recursion)
}

/// The cheapest path from `from` to `to` along at most `max_depth` steps, if there is one:
/// the lightest, then the one with fewer edges, then the smaller sequence of ids.
pub(super) async fn cheapest_path(
    db: &impl ConnectionTrait,
    from: Uuid,
    to: Uuid,
    step: &Step,
    max_depth: u32,
) -> RepoResult<Option<GraphPath>> {
    let backend = db.get_database_backend();
    let column = |name| Expr::col((PATHS, name));

    let mut extend = Query::select();
    let next = step.follow(&mut extend, PATHS);
    let cost = column(COST).add(weight());
    extend
        .expr(next.clone())
        .expr(column(DEPTH).add(1))
        .expr(cost.clone())
        .expr(concat(
            concat(column(PATH), Expr::val(",")),
            id_text(backend, next.clone()),
        ))
        .inner_join(REMAINING, Expr::col((REMAINING, NODE_ID)).eq(next.clone()))
        .inner_join(CEILING, cost.lte(Expr::col((CEILING, COST))))
        .and_where(column(NODE_ID).ne(to))
        .and_where(
            column(DEPTH)
                .add(1)
                .add(Expr::col((REMAINING, HOPS)))
                .lte(bound(max_depth)),
        )
        .and_where(contains(backend, column(PATH), id_text(backend, next)).not());
    let mut paths = Query::select()
        .column(NODE_ID)
        .expr(Expr::val(0))
        .expr(Expr::val(0.0_f64))
        .expr(id_text(backend, Expr::col(NODE_ID)))
        .from(REMAINING)
        .and_where(Expr::col(NODE_ID).eq(from))
        .to_owned();
    paths.union(UnionType::All, extend);

    let ceiling = Query::select()
        .expr(Expr::col(COST).min())
        .from(FIRST)
        .and_where(Expr::col(NODE_ID).eq(to))
        .to_owned();
    let cheapest = Query::select()
        .column(PATH)
        .column(COST)
        .from(PATHS)
        .and_where(Expr::col(NODE_ID).eq(to))
        .order_by(COST, Order::Asc)
        .order_by(DEPTH, Order::Asc)
        .order_by_expr(bytewise(backend, Expr::col(PATH)), Order::Asc)
        .limit(1)
        .to_owned();
    let statement = WithClause::new()
        .recursive(true)
        .cte(hops_from(BACK, HOPS, to, &step.reversed(), max_depth))
        .cte(fewest(REMAINING, BACK, HOPS, None))
        .cte(first_path(backend, from, step))
        .cte(named(CEILING, &[COST], ceiling))
        .cte(named(PATHS, &[NODE_ID, DEPTH, COST, PATH], paths))
        .to_owned()
        .query(cheapest);
    let Some(row) = db.query_one(&statement).await? else {
        return Ok(None);
    };
    let path: String = row.try_get("", PATH)?;
    let nodes = path
        .split(',')
        .map(|id| Uuid::parse_str(id).map(Into::into))
        .collect::<Result<_, _>>()
        .map_err(|_| RepoError::corrupt("graph path", &path))?;
    Ok(Some(GraphPath {
        nodes,
        total_weight: row.try_get("", COST)?,
    }))
}
