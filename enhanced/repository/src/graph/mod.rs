//! A directed, typed, weighted graph: nodes named by a key within their kind, edges between
//! them, and traversals the database computes (k-hop reach and the cheapest path), so no
//! caller ever loads the graph to walk it.
//!
//! Decisions callers can rely on:
//! - **No self-loops.** An edge from a node to itself is refused (`Validation`, and a CHECK
//!   constraint): it never leads anywhere new in a traversal or a path, and in a listing of
//!   both directions it would stand as its own outgoing and incoming neighbour.
//! - **Weights** are finite, from 0 to [`MAX_WEIGHT`]: a path's weight is the sum of its
//!   edges' weights, and no sum of [`MAX_DEPTH`] of them overflows on any backend.
//! - **Depth** is bounded: traversals follow at most [`MAX_DEPTH`] edges; asking for more is a
//!   `Validation` error, not a slow query.
//! - **Order** is total and the same on every backend: reached nodes by depth, then node id;
//!   among equally cheap paths the one with fewer edges, then the smaller sequence of node ids.

mod cheapest;
mod dialect;
mod neighbours;
mod reach;
mod sea_orm;
mod step;

pub use self::sea_orm::SeaOrmGraphRepository;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use memdb_repository::{Page, RepoResult};
use serde::{Deserialize, Serialize};

use crate::ids::{GraphEdgeId, GraphNodeId};

/// The most edges a traversal or a path may follow.
pub const MAX_DEPTH: u32 = 10;

/// The largest edge weight: any sum of [`MAX_DEPTH`] weights stays finite.
pub const MAX_WEIGHT: f64 = 1e300;

/// A stored node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GraphNode {
    /// Its id.
    pub id: GraphNodeId,
    /// What it is, a label such as `file` or `concept`.
    pub kind: String,
    /// Its name within its kind, unique there.
    pub key: String,
    /// Free-form JSON object.
    pub properties: serde_json::Value,
    /// When it was first upserted.
    pub created_at: DateTime<Utc>,
    /// When it was last upserted.
    pub updated_at: DateTime<Utc>,
}

/// Input of [`GraphRepository::upsert_node`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeUpsert {
    /// A label: 1 to 64 of lowercase letters, digits, `_ - . :`.
    pub kind: String,
    /// Not blank, at most 512 characters; stored in Unicode NFC, otherwise as given.
    pub key: String,
    /// A JSON object (`{}` when there is nothing to say): no NUL in any string or key, arrays
    /// and objects nested at most 127 deep. Replaces the stored properties on an update.
    pub properties: serde_json::Value,
}

/// A stored edge.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GraphEdge {
    /// Its id.
    pub id: GraphEdgeId,
    /// Where it starts.
    pub source_id: GraphNodeId,
    /// Where it ends.
    pub target_id: GraphNodeId,
    /// What it means, a label such as `imports` or `mentions`.
    pub relation: String,
    /// Its cost in paths, `0.0..=MAX_WEIGHT`.
    pub weight: f64,
    /// Free-form JSON object.
    pub properties: serde_json::Value,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// Input of [`GraphRepository::connect`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewGraphEdge {
    /// Where the edge starts; must exist.
    pub source_id: GraphNodeId,
    /// Where the edge ends; must exist and differ from `source_id`.
    pub target_id: GraphNodeId,
    /// A label: 1 to 64 of lowercase letters, digits, `_ - . :`. At most one edge of each
    /// relation goes from one node to another.
    pub relation: String,
    /// A finite weight in `0.0..=MAX_WEIGHT`.
    pub weight: f64,
    /// A JSON object, as [`NodeUpsert::properties`].
    pub properties: serde_json::Value,
}

/// Which edges a query follows from a node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Edges that start at the node, to their targets.
    #[default]
    Outgoing,
    /// Edges that end at the node, back to their sources.
    Incoming,
    /// Edges either way, as if the graph were undirected.
    Both,
}

impl Direction {
    /// The direction that walks the same edges the other way.
    #[must_use]
    pub fn reversed(self) -> Self {
        match self {
            Self::Outgoing => Self::Incoming,
            Self::Incoming => Self::Outgoing,
            Self::Both => Self::Both,
        }
    }
}

/// Filter of [`GraphRepository::neighbours`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeighbourQuery {
    /// Only edges of this relation.
    pub relation: Option<String>,
    /// Which edges to follow (outgoing by default).
    pub direction: Direction,
}

/// A node at the other end of one of a node's edges, with that edge.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GraphNeighbour {
    /// The node at the other end.
    pub node: GraphNode,
    /// The edge; its `source_id` tells which way it goes.
    pub edge: GraphEdge,
}

/// What [`GraphRepository::traverse`] and [`GraphRepository::shortest_path`] follow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraversalQuery {
    /// The most edges to follow, 1 to [`MAX_DEPTH`].
    pub max_depth: u32,
    /// Only edges of this relation.
    pub relation: Option<String>,
    /// Which edges to follow from each node.
    pub direction: Direction,
}

impl TraversalQuery {
    /// Outgoing edges of every relation, at most `max_depth` of them.
    #[must_use]
    pub fn new(max_depth: u32) -> Self {
        Self {
            max_depth,
            relation: None,
            direction: Direction::Outgoing,
        }
    }
}

/// A node a traversal reached, with the fewest edges it takes to get there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reached {
    /// The node.
    pub node: GraphNode,
    /// How many edges from the start, 1 to the query's `max_depth`.
    pub depth: u32,
}

/// The cheapest way from one node to another.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GraphPath {
    /// The nodes in order, from the start to the end (one node when they are the same).
    pub nodes: Vec<GraphNodeId>,
    /// The sum of the weights of the edges between them, added from the start.
    pub total_weight: f64,
}

/// Graph nodes, the edges between them and traversals over them.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait GraphRepository: Send + Sync {
    /// Stores the node of this kind and key, or replaces the properties of the one that
    /// exists (its id and `created_at` stay). Concurrent upserts of one key all succeed and
    /// leave one node, with the properties of whichever ran last.
    ///
    /// # Errors
    /// `Validation` for a bad kind, key or properties.
    async fn upsert_node(&self, input: NodeUpsert) -> RepoResult<GraphNode>;

    /// The node with this id.
    ///
    /// # Errors
    /// `NotFound` when there is none.
    async fn get_node(&self, id: GraphNodeId) -> RepoResult<GraphNode>;

    /// The node of this kind with this key (compared in Unicode NFC, as keys are stored).
    ///
    /// # Errors
    /// `NotFound` when there is none; `Validation` for a kind or key no node could have.
    async fn get_node_by_key(&self, kind: &str, key: &str) -> RepoResult<GraphNode>;

    /// Adds an edge from one node to another.
    ///
    /// # Errors
    /// `Validation` for an edge from a node to itself, a bad relation label, a weight that is
    /// NaN, infinite, negative or above [`MAX_WEIGHT`], bad properties, or nodes that do not
    /// exist (field `reference`); `Conflict` (`Duplicate`) when an edge of this relation
    /// already goes from `source_id` to `target_id`.
    async fn connect(&self, input: NewGraphEdge) -> RepoResult<GraphEdge>;

    /// The nodes at the other end of `id`'s edges that `query` selects, one page at a time, by
    /// relation, then the other node's id, outgoing before incoming.
    ///
    /// # Errors
    /// `NotFound` when there is no node `id`; `Validation` for a bad relation label.
    async fn neighbours(
        &self,
        id: GraphNodeId,
        query: NeighbourQuery,
        page: Page,
    ) -> RepoResult<Vec<GraphNeighbour>>;

    /// Every node reachable from `start` along at most `query.max_depth` of the edges `query`
    /// selects, with the fewest edges it takes, nearest first (ties by node id), one page at a
    /// time. `start` itself is not listed; cycles are fine.
    ///
    /// # Errors
    /// `NotFound` when there is no node `start`; `Validation` for a depth outside 1 to
    /// [`MAX_DEPTH`] or a bad relation label.
    async fn traverse(
        &self,
        start: GraphNodeId,
        query: TraversalQuery,
        page: Page,
    ) -> RepoResult<Vec<Reached>>;

    /// The cheapest path from `from` to `to` along at most `query.max_depth` of the edges
    /// `query` selects, visiting no node twice; among equally cheap paths the one with fewer
    /// edges, then the smaller sequence of node ids. `None` when `to` cannot be reached within
    /// the depth. From a node to itself: that node alone, weight 0.
    ///
    /// # Errors
    /// `NotFound` when `from` or `to` does not exist; `Validation` for a depth outside 1 to
    /// [`MAX_DEPTH`] or a bad relation label.
    async fn shortest_path(
        &self,
        from: GraphNodeId,
        to: GraphNodeId,
        query: TraversalQuery,
    ) -> RepoResult<Option<GraphPath>>;

    /// Deletes a node together with every edge from or to it.
    ///
    /// # Errors
    /// `NotFound` when there is none.
    async fn delete_node(&self, id: GraphNodeId) -> RepoResult<()>;
}
