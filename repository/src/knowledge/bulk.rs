//! [`KnowledgeRepository::add_many`](super::KnowledgeRepository::add_many) and
//! [`relate_many`](super::KnowledgeRepository::relate_many) on SeaORM, and the input checks
//! they share with `add` and `relate`.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, FixedOffset};
use memdb_entity::{knowledge_items, knowledge_relationships};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::{KnowledgeItem, NewKnowledge, NewRelationship, Relationship};
use crate::batch::{IDS_PER_STATEMENT, uuids_where_in};
use crate::bulk::{check_each, in_batch, insert_all_or_nothing};
use crate::error::{ConflictKind, RepoError, RepoResult, Violation, violation};
use crate::executor::Executor;
use crate::ids::KnowledgeId;
use crate::page::now;
use crate::query::convert_all;
use crate::{limits, validate};

/// `input` checked and made the row it is stored as: a new id, never accessed, stamped `at`.
///
/// # Errors
/// `Validation` naming the first bad field.
pub(super) fn checked_item(
    input: NewKnowledge,
    at: DateTime<FixedOffset>,
) -> RepoResult<knowledge_items::Model> {
    // JSON first: a rejected value is taken apart without recursion (see validate).
    let metadata = validate::json_object("metadata", input.metadata)?;
    validate::non_empty("content", &input.content, limits::KNOWLEDGE_CONTENT)?;
    Ok(knowledge_items::Model {
        id: KnowledgeId::new().into(),
        source: validate::name("source", &input.source, limits::KNOWLEDGE_SOURCE)?,
        knowledge_type: validate::label("knowledge_type", &input.knowledge_type)?,
        confidence_score: validate::unit_score("confidence_score", input.confidence_score)?,
        retention_score: validate::unit_score("retention_score", input.retention_score)?,
        content: input.content,
        access_count: 0,
        last_accessed: None,
        metadata,
        created_at: at,
        updated_at: at,
    })
}

/// `input` checked and made the row it is stored as, stamped `at`.
///
/// # Errors
/// `Validation` for an edge from an item to itself, a bad type or strength.
pub(super) fn checked_edge(
    input: &NewRelationship,
    at: DateTime<FixedOffset>,
) -> RepoResult<knowledge_relationships::Model> {
    let NewRelationship {
        source_id,
        target_id,
        ..
    } = *input;
    // The schema refuses self-loops too; checking here gives the caller a field and a reason.
    if source_id == target_id {
        return Err(RepoError::invalid(
            "target_id",
            format!("knowledge item {source_id} cannot be related to itself"),
        ));
    }
    Ok(knowledge_relationships::Model {
        source_id: source_id.into(),
        target_id: target_id.into(),
        relationship_type: validate::label("relationship_type", &input.relationship_type)?,
        strength: validate::unit_score("strength", input.strength)?,
        created_at: at,
    })
}

pub(super) async fn add_many(
    db: &impl Executor,
    inputs: Vec<NewKnowledge>,
) -> RepoResult<Vec<KnowledgeItem>> {
    if inputs.is_empty() {
        return Ok(Vec::new());
    }
    let at = now();
    let rows = check_each(inputs, |input| checked_item(input, at))?;
    // New ids and no unique key but the id: nothing the database could refuse but a fault.
    insert_all_or_nothing::<knowledge_items::Entity>(db, &rows).await??;
    convert_all(rows)
}

pub(super) async fn relate_many(
    db: &impl Executor,
    inputs: Vec<NewRelationship>,
) -> RepoResult<Vec<Relationship>> {
    if inputs.is_empty() {
        return Ok(Vec::new());
    }
    let at = now();
    let rows = check_each(inputs, |input| checked_edge(&input, at))?;
    let mut first_at: HashMap<(Uuid, Uuid, &str), usize> = HashMap::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        if let Some(first) = first_at.insert(edge_key(row), index) {
            let message = format!("input {first} is the same edge: {}", describe(row));
            return Err(in_batch(
                index,
                RepoError::conflict(ConflictKind::Duplicate, message),
            ));
        }
    }
    drop(first_at);
    if let Err(err) = insert_all_or_nothing::<knowledge_relationships::Entity>(db, &rows).await? {
        return Err(refused(db, &rows, err).await);
    }
    convert_all(rows)
}

fn edge_key(row: &knowledge_relationships::Model) -> (Uuid, Uuid, &str) {
    (row.source_id, row.target_id, &row.relationship_type)
}

fn describe(row: &knowledge_relationships::Model) -> String {
    format!(
        "a {:?} relationship from {} to {}",
        row.relationship_type, row.source_id, row.target_id
    )
}

/// The error for a batch of edges the database refused, naming the first input at fault.
async fn refused(
    db: &impl ConnectionTrait,
    rows: &[knowledge_relationships::Model],
    err: DbErr,
) -> RepoError {
    let found = match violation(&err) {
        Some(Violation::Unique(_)) => first_existing_edge(db, rows).await,
        Some(Violation::ForeignKey(_)) => first_missing_end(db, rows).await,
        None => return err.into(),
    };
    match found {
        Ok(Some(error)) => error,
        // Changed again since: report what the database said.
        Ok(None) => err.into(),
        Err(lookup) => lookup,
    }
}

/// A `Duplicate` conflict naming the first input whose edge is already stored.
async fn first_existing_edge(
    db: &impl ConnectionTrait,
    rows: &[knowledge_relationships::Model],
) -> RepoResult<Option<RepoError>> {
    use knowledge_relationships as edges;
    // Edges of the batch's sources, by the primary key's leading column.
    let sources: Vec<Uuid> = rows
        .iter()
        .map(|row| row.source_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut stored: HashSet<(Uuid, Uuid, String)> = HashSet::new();
    for batch in sources.chunks(IDS_PER_STATEMENT) {
        let found: Vec<(Uuid, Uuid, String)> = edges::Entity::find()
            .select_only()
            .column(edges::Column::SourceId)
            .column(edges::Column::TargetId)
            .column(edges::Column::RelationshipType)
            .filter(edges::Column::SourceId.is_in(batch.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        stored.extend(found);
    }
    Ok(rows.iter().enumerate().find_map(|(index, row)| {
        let key = (row.source_id, row.target_id, row.relationship_type.clone());
        stored.contains(&key).then(|| {
            let message = format!("{} already exists", describe(row));
            in_batch(index, RepoError::conflict(ConflictKind::Duplicate, message))
        })
    }))
}

/// A `Validation` of `reference` naming the first input with an end that does not exist.
async fn first_missing_end(
    db: &impl ConnectionTrait,
    rows: &[knowledge_relationships::Model],
) -> RepoResult<Option<RepoError>> {
    let ends: Vec<Uuid> = rows
        .iter()
        .flat_map(|row| [row.source_id, row.target_id])
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let id = knowledge_items::Column::Id;
    let known: HashSet<Uuid> = uuids_where_in::<knowledge_items::Entity>(db, id, id, &ends)
        .await?
        .into_iter()
        .collect();
    Ok(rows.iter().enumerate().find_map(|(index, row)| {
        let missing: Vec<String> = [row.source_id, row.target_id]
            .iter()
            .filter(|id| !known.contains(*id))
            .map(ToString::to_string)
            .collect();
        (!missing.is_empty()).then(|| {
            let reason = format!("knowledge item {} does not exist", missing.join(" and "));
            in_batch(index, RepoError::invalid("reference", reason))
        })
    }))
}
