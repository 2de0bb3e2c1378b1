//! [`FileHashRepository`] on SeaORM.

use async_trait::async_trait;
use chrono::{DateTime, FixedOffset, Utc};
use memdb_enhanced_entity::{file_hash_current as current, file_hash_history as history};
use memdb_repository::query::{fetch_page, one_or_not_found, stored_u64};
use memdb_repository::{Executor, Page, RepoError, RepoResult, now};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{FileHash, FileHashRepository, NewFileHash, Recorded};
use crate::ids::FileHashId;
use crate::input;

const ENTITY: &str = "file hash";

memdb_repository::sea_orm_repository! {
    /// [`FileHashRepository`] on SeaORM.
    SeaOrmFileHashRepository
}

impl TryFrom<history::Model> for FileHash {
    type Error = RepoError;

    fn try_from(m: history::Model) -> RepoResult<Self> {
        Ok(Self {
            id: m.id.into(),
            path: m.path,
            seq: stored_u64("file hash seq", m.seq)?,
            sha256: m.sha256,
            size_bytes: stored_u64("file size", m.size_bytes)?,
            observed_at: m.observed_at.with_timezone(&Utc),
            git_commit: m.git_commit,
        })
    }
}

/// The history row a current row is a copy of: `file_hash_current` holds each path's latest.
fn as_history(m: current::Model) -> history::Model {
    history::Model {
        id: m.id,
        path: m.path,
        seq: m.seq,
        sha256: m.sha256,
        size_bytes: m.size_bytes,
        observed_at: m.observed_at,
        git_commit: m.git_commit,
    }
}

impl TryFrom<current::Model> for FileHash {
    type Error = RepoError;

    fn try_from(m: current::Model) -> RepoResult<Self> {
        as_history(m).try_into()
    }
}

/// The upsert of a path's current row that moves it to the incoming hash only when the hash
/// differs: the next `seq`, the incoming columns, and a time never before the previous
/// change's, so a path's history reads the same in `seq` order and in time order. When the
/// hash is the same the statement changes nothing and returns no row.
///
/// The conflicting row is locked either way (PostgreSQL waits for a concurrent recorder of the
/// path to commit and then compares with its hash; SQLite's write transactions run one at a
/// time), which is what keeps concurrent recorders of one unchanged hash to one row.
fn advance_when_changed() -> OnConflict {
    use current::Column as C;
    let existing = |c: C| Expr::col((current::Entity, c));
    let incoming = |c: C| Expr::col((Alias::new("excluded"), c));
    let later_time = Expr::case(
        existing(C::ObservedAt).gt(incoming(C::ObservedAt)),
        existing(C::ObservedAt),
    )
    .finally(incoming(C::ObservedAt));
    OnConflict::column(C::Path)
        .values([
            (C::Id, incoming(C::Id)),
            (C::Seq, existing(C::Seq).add(1)),
            (C::Sha256, incoming(C::Sha256)),
            (C::SizeBytes, incoming(C::SizeBytes)),
            (C::ObservedAt, later_time.into()),
            (C::GitCommit, incoming(C::GitCommit)),
        ])
        .action_and_where(existing(C::Sha256).ne(incoming(C::Sha256)))
        .to_owned()
}

/// The row `record` writes for `input`, as a path's first observation (`seq` 1); the upsert
/// renumbers it when the path has a history.
fn first_observation(input: &NewFileHash) -> RepoResult<current::Model> {
    let path = input::file_path("path", &input.path)?;
    let sha256 = input::sha256("sha256", &input.sha256)?;
    let size_bytes = i64::try_from(input.size_bytes).map_err(|_| {
        RepoError::invalid(
            "size_bytes",
            format!("must be at most {}, got {}", i64::MAX, input.size_bytes),
        )
    })?;
    let git_commit = input
        .git_commit
        .as_deref()
        .map(|commit| input::git_object_id("git_commit", commit))
        .transpose()?;
    Ok(current::Model {
        id: FileHashId::new().into(),
        path,
        seq: 1,
        sha256,
        size_bytes,
        observed_at: now(),
        git_commit,
    })
}

/// The current rows of the paths that changed after `since`, oldest change first.
async fn changed_after(
    db: &impl Executor,
    since: DateTime<FixedOffset>,
    page: Page,
) -> RepoResult<Vec<FileHash>> {
    let select = current::Entity::find()
        .filter(current::Column::ObservedAt.gt(since))
        .order_by_asc(current::Column::ObservedAt)
        .order_by_asc(current::Column::Path);
    fetch_page(select, db, page).await
}

#[async_trait]
impl<C: Executor> FileHashRepository for SeaOrmFileHashRepository<C> {
    async fn record(&self, input: NewFileHash) -> RepoResult<Recorded> {
        let row = first_observation(&input)?;
        let path = row.path.clone();
        let txn = self.db.begin_write().await?;
        // The upsert returns the row it wrote, none when it changed nothing.
        let moved = current::Entity::insert(current::ActiveModel::from(row))
            .on_conflict(advance_when_changed())
            .exec_with_returning_many(&txn)
            .await?;
        let recorded = if let Some(head) = moved.into_iter().next() {
            let added = as_history(head);
            history::Entity::insert(history::ActiveModel::from(added.clone()))
                .exec_without_returning(&txn)
                .await?;
            Recorded::Changed(added.try_into()?)
        } else {
            // The upsert changed nothing: the path's latest hash is this one. Its row is
            // locked by the upsert (PostgreSQL) or the write lock (SQLite), so it is the
            // latest still when read.
            let select = current::Entity::find_by_id(path.clone());
            Recorded::Unchanged(one_or_not_found(select, &txn, ENTITY, path).await?)
        };
        txn.commit().await?;
        Ok(recorded)
    }

    async fn latest(&self, path: &str) -> RepoResult<FileHash> {
        let path = input::file_path("path", path)?;
        let select = current::Entity::find_by_id(path.clone());
        one_or_not_found(select, &self.db, ENTITY, path).await
    }

    async fn history(&self, path: &str, page: Page) -> RepoResult<Vec<FileHash>> {
        let select = history::Entity::find()
            .filter(history::Column::Path.eq(input::file_path("path", path)?))
            .order_by_desc(history::Column::Seq);
        fetch_page(select, &self.db, page).await
    }

    async fn changed_since(&self, since: DateTime<Utc>, page: Page) -> RepoResult<Vec<FileHash>> {
        changed_after(&self.db, input::time("since", since)?, page).await
    }

    async fn changed_since_commit(&self, commit: &str, page: Page) -> RepoResult<Vec<FileHash>> {
        let commit = input::git_object_id("commit", commit)?;
        let newest: Option<DateTime<FixedOffset>> = history::Entity::find()
            .select_only()
            .expr(Expr::col(history::Column::ObservedAt).max())
            .filter(history::Column::GitCommit.eq(commit.as_str()))
            .into_tuple()
            .one(&self.db)
            .await?
            .flatten();
        let since = newest.ok_or_else(|| RepoError::not_found("changes of commit", commit))?;
        changed_after(&self.db, since, page).await
    }

    async fn current(&self, page: Page) -> RepoResult<Vec<FileHash>> {
        let select = current::Entity::find().order_by_asc(current::Column::Path);
        fetch_page(select, &self.db, page).await
    }
}
