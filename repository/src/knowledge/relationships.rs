//! `SeaORM` queries for knowledge relationships, used by [`super::SeaOrmKnowledgeRepository`].

use memdb_entity::{knowledge_items, knowledge_relationships};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityName, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use uuid::Uuid;

use super::bulk::checked_edge;
use super::{
    Direction, EdgeDirection, KnowledgeItem, Neighbour, NeighbourQuery, NewRelationship,
    Relationship,
};
use crate::error::{ConflictKind, RepoError, RepoResult, Violation, violation};
use crate::executor::Executor;
use crate::ids::KnowledgeId;
use crate::page::{Page, now, utc};
use crate::query::insert_isolated;
use crate::validate;

impl From<knowledge_relationships::Model> for Relationship {
    fn from(m: knowledge_relationships::Model) -> Self {
        Self {
            source_id: m.source_id.into(),
            target_id: m.target_id.into(),
            relationship_type: m.relationship_type,
            strength: m.strength,
            created_at: utc(m.created_at),
        }
    }
}

pub(super) async fn relate(db: &impl Executor, input: NewRelationship) -> RepoResult<Relationship> {
    let edge = checked_edge(&input, now())?;
    let (source_id, target_id): (KnowledgeId, KnowledgeId) =
        (edge.source_id.into(), edge.target_id.into());
    let relationship_type = edge.relationship_type.clone();
    // In a savepoint of its own: after a foreign-key failure the query naming the missing ends
    // still runs inside a caller's unit of work.
    let inserted = insert_isolated(db, edge.into_active_model().reset_all()).await?;
    match inserted {
        Ok(model) => Ok(model.into()),
        Err(err) => Err(match violation(&err) {
            Some(Violation::Unique(_)) => RepoError::conflict(
                ConflictKind::Duplicate,
                format!(
                    "a {relationship_type:?} relationship from {source_id} to {target_id} \
                     already exists"
                ),
            ),
            Some(Violation::ForeignKey(_)) => missing_ends(db, source_id, target_id).await,
            _ => err.into(),
        }),
    }
}

/// The error for an edge whose insert broke a foreign key, naming the ids that do not exist.
async fn missing_ends(
    db: &impl ConnectionTrait,
    source_id: KnowledgeId,
    target_id: KnowledgeId,
) -> RepoError {
    let ends = [source_id.as_uuid(), target_id.as_uuid()];
    let existing: Vec<Uuid> = match knowledge_items::Entity::find()
        .select_only()
        .column(knowledge_items::Column::Id)
        .filter(knowledge_items::Column::Id.is_in(ends))
        .into_tuple()
        .all(db)
        .await
    {
        Ok(existing) => existing,
        Err(err) => return err.into(),
    };
    let missing: Vec<String> = ends
        .iter()
        .filter(|id| !existing.contains(id))
        .map(ToString::to_string)
        .collect();
    let reason = if missing.is_empty() {
        // Deleted and recreated between the insert and this check: rare, but say what we know.
        format!("knowledge item {source_id} or {target_id} did not exist when relating them")
    } else {
        format!("knowledge item {} does not exist", missing.join(" and "))
    };
    RepoError::invalid("reference", reason)
}

pub(super) async fn neighbours(
    db: &impl ConnectionTrait,
    id: KnowledgeId,
    query: NeighbourQuery,
    page: Page,
) -> RepoResult<Vec<Neighbour>> {
    use knowledge_items as items;
    use knowledge_relationships as edges;

    let relationship_type = query
        .relationship_type
        .as_deref()
        .map(|t| validate::label("relationship_type", t))
        .transpose()?;
    let me = id.as_uuid();
    // The join picks the edges and, for each, the item at its other end, so one query returns
    // every neighbour with its edge; `Both` is the union of the two conditions (self-loops are
    // impossible, so no edge matches both).
    let other_end = |end: edges::Column| {
        Expr::col((items::Entity, items::Column::Id)).equals((edges::Entity, end))
    };
    let outgoing = Condition::all()
        .add(edges::Column::SourceId.eq(me))
        .add(other_end(edges::Column::TargetId));
    let incoming = Condition::all()
        .add(edges::Column::TargetId.eq(me))
        .add(other_end(edges::Column::SourceId));
    let on = match query.direction {
        Direction::Outgoing => outgoing,
        Direction::Incoming => incoming,
        Direction::Both => Condition::any().add(outgoing).add(incoming),
    };
    let outgoing_first: Expr = Expr::case(edges::Column::SourceId.eq(me), 0)
        .finally(1)
        .into();
    let mut select = edges::Entity::find()
        .select_two_required(items::Entity)
        .apply_if(relationship_type, |q, t| {
            q.filter(edges::Column::RelationshipType.eq(t))
        })
        .order_by_desc(edges::Column::Strength)
        .order_by_asc(items::Column::Id)
        .order_by_asc(edges::Column::RelationshipType)
        .order_by_asc(outgoing_first)
        .limit(page.limit())
        .offset(page.offset());
    QueryTrait::query(&mut select).inner_join(items::Entity.table_ref(), on);
    let rows = select.all(db).await?;
    rows.into_iter()
        .map(|(edge, item)| {
            Ok(Neighbour {
                direction: if edge.source_id == me {
                    EdgeDirection::Outgoing
                } else {
                    EdgeDirection::Incoming
                },
                relationship_type: edge.relationship_type,
                strength: edge.strength,
                item: KnowledgeItem::try_from(item)?,
            })
        })
        .collect()
}
