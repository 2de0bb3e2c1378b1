//! [`DocumentRepository::create_many`](super::DocumentRepository::create_many) on SeaORM, and
//! the input check it shares with `create`.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, FixedOffset};
use memdb_entity::{documents, organizations};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::sea_orm::content_hash;
use super::{Document, NewDocument};
use crate::batch::{IDS_PER_STATEMENT, uuids_where_in};
use crate::bulk::{check_each, in_batch, insert_all_or_nothing};
use crate::error::{ConflictKind, RepoError, RepoResult, Violation, violation};
use crate::executor::Executor;
use crate::ids::DocumentId;
use crate::query::convert_all;
use crate::{limits, validate};

/// `input` checked and made the row it is stored as, with a new id, stamped `at`.
///
/// # Errors
/// `Validation` naming the first bad field.
pub(super) fn checked(
    input: NewDocument,
    at: DateTime<FixedOffset>,
) -> RepoResult<documents::Model> {
    // JSON first: a rejected value is taken apart without recursion (see validate).
    let metadata = validate::json_object("metadata", input.metadata)?;
    let path = validate::key("path", &input.path, limits::DOCUMENT_PATH)?;
    let title = validate::name("title", &input.title, limits::DOCUMENT_TITLE)?;
    let doc_type = validate::label("doc_type", &input.doc_type)?;
    validate::text("content", &input.content)?;
    let content = input.content;
    Ok(documents::Model {
        id: DocumentId::new().into(),
        organization_id: input.organization_id.into(),
        path,
        title,
        doc_type,
        content_hash: content_hash(&content),
        size_bytes: content.len() as i64,
        content,
        metadata,
        created_at: at,
        updated_at: at,
    })
}

pub(super) async fn create_many(
    db: &impl Executor,
    inputs: Vec<NewDocument>,
) -> RepoResult<Vec<Document>> {
    if inputs.is_empty() {
        return Ok(Vec::new());
    }
    let at = crate::page::now();
    let rows = check_each(inputs, |input| checked(input, at))?;
    let mut first_at: HashMap<(Uuid, &str), usize> = HashMap::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        if let Some(first) = first_at.insert((row.organization_id, &row.path), index) {
            let message = format!(
                "input {first} is at {:?} in organization {} too",
                row.path, row.organization_id
            );
            return Err(in_batch(
                index,
                RepoError::conflict(ConflictKind::Duplicate, message),
            ));
        }
    }
    drop(first_at);
    if let Err(err) = insert_all_or_nothing::<documents::Entity>(db, &rows).await? {
        return Err(refused(db, &rows, err).await);
    }
    convert_all(rows)
}

/// The error for a batch whose insert the database refused, naming the first input at fault.
async fn refused(db: &impl ConnectionTrait, rows: &[documents::Model], err: DbErr) -> RepoError {
    let found = match violation(&err) {
        Some(Violation::Unique(_)) => first_taken_path(db, rows).await,
        Some(Violation::ForeignKey(_)) => first_unknown_organization(db, rows).await,
        None => return err.into(),
    };
    match found {
        Ok(Some(error)) => error,
        // Gone again since (or not found): report what the database said.
        Ok(None) => err.into(),
        Err(lookup) => lookup,
    }
}

/// A `Duplicate` conflict naming the first input whose path exists in its organization.
async fn first_taken_path(
    db: &impl ConnectionTrait,
    rows: &[documents::Model],
) -> RepoResult<Option<RepoError>> {
    let mut by_organization: BTreeMap<Uuid, Vec<&str>> = BTreeMap::new();
    for row in rows {
        by_organization
            .entry(row.organization_id)
            .or_default()
            .push(&row.path);
    }
    let mut taken: HashSet<(Uuid, String)> = HashSet::new();
    for (organization, paths) in by_organization {
        for batch in paths.chunks(IDS_PER_STATEMENT) {
            let found: Vec<String> = documents::Entity::find()
                .select_only()
                .column(documents::Column::Path)
                .filter(documents::Column::OrganizationId.eq(organization))
                .filter(documents::Column::Path.is_in(batch.iter().copied()))
                .into_tuple()
                .all(db)
                .await?;
            taken.extend(found.into_iter().map(|path| (organization, path)));
        }
    }
    Ok(rows.iter().enumerate().find_map(|(index, row)| {
        taken
            .contains(&(row.organization_id, row.path.clone()))
            .then(|| {
                let message = format!(
                    "a document at {:?} already exists in organization {}",
                    row.path, row.organization_id
                );
                in_batch(index, RepoError::conflict(ConflictKind::Duplicate, message))
            })
    }))
}

/// A `Validation` of `organization_id` naming the first input whose organization is unknown.
async fn first_unknown_organization(
    db: &impl ConnectionTrait,
    rows: &[documents::Model],
) -> RepoResult<Option<RepoError>> {
    let wanted: Vec<Uuid> = rows
        .iter()
        .map(|row| row.organization_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let id = organizations::Column::Id;
    let known: HashSet<Uuid> = uuids_where_in::<organizations::Entity>(db, id, id, &wanted)
        .await?
        .into_iter()
        .collect();
    Ok(rows.iter().enumerate().find_map(|(index, row)| {
        (!known.contains(&row.organization_id)).then(|| {
            let reason = format!("organization {} does not exist", row.organization_id);
            in_batch(index, RepoError::invalid("organization_id", reason))
        })
    }))
}
