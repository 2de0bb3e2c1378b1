//! One page of a node's neighbours, in an order the edge indexes give.
//!
//! Each direction is one arm: the node's edges from the index it leads (`source_id` for
//! outgoing, `target_id` for incoming), already in (relation, other end) order, joined to the
//! node at the other end. Both directions are the two arms merged with `UNION ALL`: each arm
//! arrives sorted, so the database merges them instead of sorting the node's edges (SQLite
//! plans a `MERGE (UNION ALL)`; it needs both indexes unique to know nothing follows the
//! other end in an arm's order).

use memdb_enhanced_entity::{graph_edges, graph_nodes};
use memdb_repository::{Page, RepoResult};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query, SelectStatement, UnionType};
use sea_orm::{ConnectionTrait, FromQueryResult, IdenStatic, Iterable};
use uuid::Uuid;

use super::{Direction, GraphNeighbour};

/// Prefixes of the edge's and the neighbour's columns in the result.
const EDGE: &str = "e_";
const NODE: &str = "n_";

/// The result columns the order is taken from.
const RELATION: &str = "e_relation";
const OTHER_END: &str = "other_id";
const INCOMING: &str = "incoming";

/// Which end of its edges the asked-about node is.
#[derive(Clone, Copy)]
enum End {
    /// The node is the source; the neighbour is the target.
    Source,
    /// The node is the target; the neighbour is the source.
    Target,
}

impl End {
    fn columns(self) -> (graph_edges::Column, graph_edges::Column) {
        match self {
            Self::Source => (graph_edges::Column::SourceId, graph_edges::Column::TargetId),
            Self::Target => (graph_edges::Column::TargetId, graph_edges::Column::SourceId),
        }
    }
}

/// `id`'s edges at `end`, each with the node at its other end, in (relation, other end) order.
fn arm(id: Uuid, end: End, relation: Option<&str>) -> SelectStatement {
    let (this, other) = end.columns();
    let mut select = Query::select();
    for column in graph_edges::Column::iter() {
        select.expr_as(
            Expr::col((graph_edges::Entity, column)),
            format!("{EDGE}{}", column.as_str()),
        );
    }
    for column in graph_nodes::Column::iter() {
        select.expr_as(
            Expr::col((graph_nodes::Entity, column)),
            format!("{NODE}{}", column.as_str()),
        );
    }
    select
        .expr_as(Expr::col((graph_edges::Entity, other)), OTHER_END)
        .expr_as(Expr::val(i32::from(matches!(end, End::Target))), INCOMING)
        .from(graph_edges::Entity)
        .inner_join(
            graph_nodes::Entity,
            Expr::col((graph_nodes::Entity, graph_nodes::Column::Id))
                .equals((graph_edges::Entity, other)),
        )
        .and_where(Expr::col((graph_edges::Entity, this)).eq(id))
        .and_where_option(
            relation.map(|r| Expr::col((graph_edges::Entity, graph_edges::Column::Relation)).eq(r)),
        );
    select
}

/// One page of `id`'s neighbours in `direction`, by relation, other end, outgoing first.
pub(super) async fn page(
    db: &impl ConnectionTrait,
    id: Uuid,
    direction: Direction,
    relation: Option<String>,
    page: Page,
) -> RepoResult<Vec<GraphNeighbour>> {
    let relation = relation.as_deref();
    let mut select = match direction {
        Direction::Outgoing => arm(id, End::Source, relation),
        Direction::Incoming => arm(id, End::Target, relation),
        Direction::Both => {
            let mut outgoing = arm(id, End::Source, relation);
            outgoing.union(UnionType::All, arm(id, End::Target, relation));
            outgoing
        }
    };
    select
        .order_by(RELATION, Order::Asc)
        .order_by(OTHER_END, Order::Asc)
        .order_by(INCOMING, Order::Asc)
        .limit(page.limit())
        .offset(page.offset());
    db.query_all(&select)
        .await?
        .iter()
        .map(|row| {
            Ok(GraphNeighbour {
                node: graph_nodes::Model::from_query_result(row, NODE)?.into(),
                edge: graph_edges::Model::from_query_result(row, EDGE)?.into(),
            })
        })
        .collect()
}
