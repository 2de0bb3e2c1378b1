//! The upsert of a path's row: one `INSERT .. ON CONFLICT (file_path) DO UPDATE` whose `CASE`
//! keeps the status when the content hash is the same and makes the row `stale` when it is not.

use memdb_enhanced_entity::document_index::{self, Column, Entity};
use memdb_repository::{ConflictKind, Executor, RepoError, RepoResult};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::{IndexedDocument, SyncStatus, Upserted};

/// How often an upsert that raced with an insert or delete of its path is made again before
/// it reports a `Duplicate` conflict: each retry follows another caller's committed write, so
/// more than a few in a row mean the path is being rewritten without pause.
const ATTEMPTS: usize = 8;

/// On a path that exists: the incoming descriptive fields and content hash, the status kept
/// when the hash is the same and `stale` when it is not (in SQL, against the row as locked),
/// and nothing at all when nothing differs (the statement returns no row then).
fn refresh() -> OnConflict {
    let existing = |c: Column| Expr::col((Entity, c));
    let incoming = |c: Column| Expr::col((Alias::new("excluded"), c));
    let status = Expr::case(
        existing(Column::ContentHash).eq(incoming(Column::ContentHash)),
        existing(Column::SyncStatus),
    )
    .finally(Expr::val(SyncStatus::Stale));
    // A document type is a label, never empty: '' stands for NULL in the comparison.
    let document_type = |e: Expr| Expr::cust_with_exprs("COALESCE($1, '')", [e]);
    let changed = [
        Column::ContentHash,
        Column::Title,
        Column::ChunkCount,
        Column::Metadata,
    ]
    .into_iter()
    .fold(
        document_type(existing(Column::DocumentType))
            .ne(document_type(incoming(Column::DocumentType))),
        |any, c| any.or(existing(c).ne(incoming(c))),
    );
    OnConflict::column(Column::FilePath)
        .values([
            (Column::Title, incoming(Column::Title)),
            (Column::DocumentType, incoming(Column::DocumentType)),
            (Column::ContentHash, incoming(Column::ContentHash)),
            (Column::ChunkCount, incoming(Column::ChunkCount)),
            (Column::Metadata, incoming(Column::Metadata)),
            (Column::SyncStatus, status.into()),
            (Column::UpdatedAt, incoming(Column::UpdatedAt)),
        ])
        .action_and_where(changed)
        .to_owned()
}

/// Writes `row` (checked, as a first upsert of its path would insert it) and says what
/// happened.
///
/// The path's current row is read and locked first (`FOR UPDATE` on PostgreSQL; SQLite's write
/// transactions run one at a time), so it is still the row the upsert meets and the outcome can
/// be told from the two. Only when the path had no row and another caller's insert of it
/// committed in between does the upsert meet a row that was not read: the attempt is rolled
/// back and made again, now reading that row.
pub(super) async fn upsert(db: &impl Executor, row: document_index::Model) -> RepoResult<Upserted> {
    let path = row.file_path.clone();
    for _ in 0..ATTEMPTS {
        let txn = db.begin_write().await?;
        let previous = Entity::find()
            .filter(Column::FilePath.eq(path.as_str()))
            .lock_exclusive()
            .one(&txn)
            .await?;
        let written = Entity::insert(document_index::ActiveModel::from(row.clone()))
            .on_conflict(refresh())
            .exec_with_returning_many(&txn)
            .await?
            .into_iter()
            .next();
        let outcome = match (written, previous) {
            (Some(new), _) if new.id == row.id => Some(Upserted::Inserted(new.try_into()?)),
            (Some(new), Some(old)) if new.id == old.id => {
                let stale = new.content_hash != old.content_hash;
                let new: IndexedDocument = new.try_into()?;
                Some(if stale {
                    Upserted::MadeStale(new)
                } else {
                    Upserted::Updated(new)
                })
            }
            (None, Some(old)) => Some(Upserted::Unchanged(old.try_into()?)),
            // The path's row came (or went and came back) after it was read.
            _ => None,
        };
        if let Some(outcome) = outcome {
            txn.commit().await?;
            return Ok(outcome);
        }
        txn.rollback().await?;
    }
    Err(RepoError::conflict(
        ConflictKind::Duplicate,
        format!("the row of {path:?} kept changing during {ATTEMPTS} attempts to upsert it"),
    ))
}
