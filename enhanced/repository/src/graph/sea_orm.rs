//! [`GraphRepository`] on SeaORM.

use async_trait::async_trait;
use chrono::Utc;
use memdb_enhanced_entity::{graph_edges, graph_nodes};
use memdb_repository::query::{delete_by_id, get_by_id, insert_isolated, one_or_not_found};
use memdb_repository::{
    ConflictKind, Executor, Page, RepoError, RepoResult, Violation, now, validate, violation,
};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::step::Step;
use super::{
    GraphEdge, GraphNeighbour, GraphNode, GraphPath, GraphRepository, MAX_DEPTH, MAX_WEIGHT,
    NeighbourQuery, NewGraphEdge, NodeUpsert, Reached, TraversalQuery, cheapest, neighbours, reach,
};
use crate::ids::{GraphEdgeId, GraphNodeId};
use crate::limits;

const NODE: &str = "graph node";

memdb_repository::sea_orm_repository! {
    /// [`GraphRepository`] on SeaORM.
    SeaOrmGraphRepository
}

impl From<graph_nodes::Model> for GraphNode {
    fn from(m: graph_nodes::Model) -> Self {
        Self {
            id: m.id.into(),
            kind: m.kind,
            key: m.key,
            properties: m.properties,
            created_at: m.created_at.with_timezone(&Utc),
            updated_at: m.updated_at.with_timezone(&Utc),
        }
    }
}

impl From<graph_edges::Model> for GraphEdge {
    fn from(m: graph_edges::Model) -> Self {
        Self {
            id: m.id.into(),
            source_id: m.source_id.into(),
            target_id: m.target_id.into(),
            relation: m.relation,
            weight: m.weight,
            properties: m.properties,
            created_at: m.created_at.with_timezone(&Utc),
        }
    }
}

/// The relation a query filters by, checked like the relations edges are stored with.
fn relation_filter(relation: Option<&str>) -> RepoResult<Option<String>> {
    relation.map(|r| validate::label("relation", r)).transpose()
}

/// The depth of a traversal, 1 to [`MAX_DEPTH`].
fn depth(query: &TraversalQuery) -> RepoResult<u32> {
    if (1..=MAX_DEPTH).contains(&query.max_depth) {
        Ok(query.max_depth)
    } else {
        Err(RepoError::invalid(
            "max_depth",
            format!("must be 1 to {MAX_DEPTH}, got {}", query.max_depth),
        ))
    }
}

/// A finite edge weight in `0.0..=MAX_WEIGHT`.
fn weight(value: f64) -> RepoResult<f64> {
    if value.is_finite() && (0.0..=MAX_WEIGHT).contains(&value) {
        // -0.0 + 0.0 is +0.0: one stored form of zero on every backend (SQLite keeps the
        // sign, PostgreSQL drops it).
        Ok(value + 0.0)
    } else {
        Err(RepoError::invalid(
            "weight",
            format!("must be a finite number from 0 to {MAX_WEIGHT:e}, got {value}"),
        ))
    }
}

/// Those of `ids` that name no node, in the order given.
async fn missing_nodes(db: &impl ConnectionTrait, ids: &[Uuid]) -> RepoResult<Vec<Uuid>> {
    let existing: Vec<Uuid> = graph_nodes::Entity::find()
        .select_only()
        .column(graph_nodes::Column::Id)
        .filter(graph_nodes::Column::Id.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids
        .iter()
        .copied()
        .filter(|id| !existing.contains(id))
        .collect())
}

/// `Ok` when every one of `ids` names a node, else `NotFound` for the first that does not.
/// Asked only when a query found nothing: an empty answer must not hide a wrong id.
async fn require_nodes(db: &impl ConnectionTrait, ids: &[Uuid]) -> RepoResult<()> {
    match missing_nodes(db, ids).await?.first() {
        Some(missing) => Err(RepoError::not_found(NODE, missing)),
        None => Ok(()),
    }
}

/// The error for an edge whose insert broke a foreign key, naming the ends that do not exist.
async fn missing_ends(db: &impl ConnectionTrait, source: Uuid, target: Uuid) -> RepoError {
    let missing = match missing_nodes(db, &[source, target]).await {
        Ok(missing) => missing,
        Err(err) => return err,
    };
    let reason = if missing.is_empty() {
        // Deleted and recreated between the insert and this check: rare, but say what we know.
        format!("node {source} or {target} did not exist when connecting them")
    } else {
        let names: Vec<String> = missing.iter().map(ToString::to_string).collect();
        format!("node {} does not exist", names.join(" and "))
    };
    RepoError::invalid("reference", reason)
}

#[async_trait]
impl<C: Executor> GraphRepository for SeaOrmGraphRepository<C> {
    async fn upsert_node(&self, input: NodeUpsert) -> RepoResult<GraphNode> {
        // JSON first: a rejected value is taken apart without recursion (see validate).
        let properties = validate::json_object("properties", input.properties)?;
        let kind = validate::label("kind", &input.kind)?;
        let key = validate::key("key", &input.key, limits::GRAPH_NODE_KEY)?;
        let at = now();
        let node = graph_nodes::ActiveModel {
            id: Set(GraphNodeId::new().into()),
            kind: Set(kind),
            key: Set(key),
            properties: Set(properties),
            created_at: Set(at),
            updated_at: Set(at),
        };
        // One statement decides insert or update under the unique index, so concurrent
        // upserts of one key never both insert (and never fail): the database serialises them.
        let stored = graph_nodes::Entity::insert(node)
            .on_conflict(
                OnConflict::columns([graph_nodes::Column::Kind, graph_nodes::Column::Key])
                    .update_columns([
                        graph_nodes::Column::Properties,
                        graph_nodes::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_with_returning(&self.db)
            .await?;
        Ok(stored.into())
    }

    async fn get_node(&self, id: GraphNodeId) -> RepoResult<GraphNode> {
        get_by_id::<graph_nodes::Entity, _>(&self.db, NODE, id).await
    }

    async fn get_node_by_key(&self, kind: &str, key: &str) -> RepoResult<GraphNode> {
        let kind = validate::label("kind", kind)?;
        let key = validate::key("key", key, limits::GRAPH_NODE_KEY)?;
        let select = graph_nodes::Entity::find()
            .filter(graph_nodes::Column::Kind.eq(kind.as_str()))
            .filter(graph_nodes::Column::Key.eq(key.as_str()));
        one_or_not_found(select, &self.db, NODE, format!("{kind}:{key}")).await
    }

    async fn connect(&self, input: NewGraphEdge) -> RepoResult<GraphEdge> {
        let NewGraphEdge {
            source_id,
            target_id,
            ..
        } = input;
        // The schema refuses self-loops too; checking here gives the caller a field and a reason.
        if source_id == target_id {
            return Err(RepoError::invalid(
                "target_id",
                format!("node {source_id} cannot be connected to itself"),
            ));
        }
        let properties = validate::json_object("properties", input.properties)?;
        let relation = validate::label("relation", &input.relation)?;
        let weight = weight(input.weight)?;
        // In a savepoint of its own: after a foreign-key failure the query naming the missing
        // ends still runs inside a caller's unit of work.
        let edge = graph_edges::ActiveModel {
            id: Set(GraphEdgeId::new().into()),
            source_id: Set(source_id.into()),
            target_id: Set(target_id.into()),
            relation: Set(relation.clone()),
            weight: Set(weight),
            properties: Set(properties),
            created_at: Set(now()),
        };
        match insert_isolated(&self.db, edge).await? {
            Ok(model) => Ok(model.into()),
            Err(err) => Err(match violation(&err) {
                Some(Violation::Unique(_)) => RepoError::conflict(
                    ConflictKind::Duplicate,
                    format!("a {relation:?} edge from {source_id} to {target_id} already exists"),
                ),
                Some(Violation::ForeignKey(_)) => {
                    missing_ends(&self.db, source_id.into(), target_id.into()).await
                }
                _ => err.into(),
            }),
        }
    }

    async fn neighbours(
        &self,
        id: GraphNodeId,
        query: NeighbourQuery,
        page: Page,
    ) -> RepoResult<Vec<GraphNeighbour>> {
        let relation = relation_filter(query.relation.as_deref())?;
        let found = neighbours::page(&self.db, id.into(), query.direction, relation, page).await?;
        if found.is_empty() {
            require_nodes(&self.db, &[id.into()]).await?;
        }
        Ok(found)
    }

    async fn traverse(
        &self,
        start: GraphNodeId,
        query: TraversalQuery,
        page: Page,
    ) -> RepoResult<Vec<Reached>> {
        let max_depth = depth(&query)?;
        let relation = relation_filter(query.relation.as_deref())?;
        let step = Step::new(query.direction, relation);
        let reached = reach::reach(&self.db, start.into(), &step, max_depth, page).await?;
        if reached.is_empty() {
            require_nodes(&self.db, &[start.into()]).await?;
        }
        Ok(reached)
    }

    async fn shortest_path(
        &self,
        from: GraphNodeId,
        to: GraphNodeId,
        query: TraversalQuery,
    ) -> RepoResult<Option<GraphPath>> {
        let max_depth = depth(&query)?;
        let relation = relation_filter(query.relation.as_deref())?;
        let step = Step::new(query.direction, relation);
        let path =
            cheapest::cheapest_path(&self.db, from.into(), to.into(), &step, max_depth).await?;
        if path.is_none() {
            require_nodes(&self.db, &[from.into(), to.into()]).await?;
        }
        Ok(path)
    }

    async fn delete_node(&self, id: GraphNodeId) -> RepoResult<()> {
        // The edges go with it: both foreign keys cascade, each served by an index it leads.
        delete_by_id::<graph_nodes::Entity>(&self.db, NODE, id).await
    }
}
