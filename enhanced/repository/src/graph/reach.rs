//! [`reach`]: the nodes a traversal reaches, nearest first, in one recursive statement.

use memdb_enhanced_entity::graph_nodes as nodes;
use memdb_repository::query::stored_u32;
use memdb_repository::{Page, RepoResult};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query, WithClause};
use sea_orm::{ConnectionTrait, FromQueryResult, Iterable};
use uuid::Uuid;

use super::Reached;
use super::step::{NODE_ID, Step, fewest, hops_from};

/// One page of the nodes `step` reaches from `start` within `max_depth` steps, with the fewest
/// steps each takes, nearest first, ties by node id.
pub(super) async fn reach(
    db: &impl ConnectionTrait,
    start: Uuid,
    step: &Step,
    max_depth: u32,
    page: Page,
) -> RepoResult<Vec<Reached>> {
    const REACH: &str = "reach";
    const NEAREST: &str = "nearest";
    const DEPTH: &str = "depth";

    let mut select = Query::select();
    for column in nodes::Column::iter() {
        select.column((nodes::Entity, column));
    }
    select
        .column((NEAREST, DEPTH))
        .from(NEAREST)
        .inner_join(
            nodes::Entity,
            Expr::col((nodes::Entity, nodes::Column::Id)).equals((NEAREST, NODE_ID)),
        )
        .order_by((NEAREST, DEPTH), Order::Asc)
        .order_by((nodes::Entity, nodes::Column::Id), Order::Asc)
        .limit(page.limit())
        .offset(page.offset());
    let statement = WithClause::new()
        .recursive(true)
        .cte(hops_from(REACH, DEPTH, start, step, max_depth))
        .cte(fewest(NEAREST, REACH, DEPTH, Some(start)))
        .to_owned()
        .query(select);
    db.query_all(&statement)
        .await?
        .iter()
        .map(|row| {
            Ok(Reached {
                node: nodes::Model::from_query_result(row, "")?.into(),
                depth: stored_u32("graph depth", row.try_get("", DEPTH)?)?,
            })
        })
        .collect()
}
