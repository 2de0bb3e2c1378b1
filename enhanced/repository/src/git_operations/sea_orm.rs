//! [`GitOperationRepository`] on SeaORM.

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::Utc;
use memdb_enhanced_entity::{
    file_hash_history as history, git_operation_files as files, git_operations as operations,
};
use memdb_repository::query::{fetch_page, one_or_not_found};
use memdb_repository::{DbResultExt, Executor, Page, RepoError, RepoResult, stored_enum, validate};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::Value;
use uuid::Uuid;

use super::{GitOperation, GitOperationRepository, NewGitOperation};
use crate::file_hashes::FileHash;
use crate::ids::GitOperationId;
use crate::{input, limits};

const ENTITY: &str = "git operation";

/// How many path rows one statement inserts: three values each, well below every backend's
/// cap on bound parameters (SQLite 32 766, PostgreSQL 65 535).
const FILES_PER_STATEMENT: usize = 1000;

memdb_repository::sea_orm_repository! {
    /// [`GitOperationRepository`] on SeaORM.
    SeaOrmGitOperationRepository
}

impl TryFrom<operations::Model> for GitOperation {
    type Error = RepoError;

    fn try_from(m: operations::Model) -> RepoResult<Self> {
        Ok(Self {
            id: m.id.into(),
            operation: stored_enum("git operation kind", &m.operation)?,
            files_changed: stored_paths(m.files_changed)?,
            commit_sha: m.commit_sha,
            branch: m.branch,
            author: m.author,
            message: m.message,
            occurred_at: m.occurred_at.with_timezone(&Utc),
        })
    }
}

/// The stored `files_changed`: a JSON array of strings, as `record` writes it.
fn stored_paths(value: Value) -> RepoResult<Vec<String>> {
    const WHAT: &str = "git operation files_changed";
    let Value::Array(items) = value else {
        return Err(RepoError::corrupt(WHAT, value));
    };
    items
        .into_iter()
        .map(|item| match item {
            Value::String(path) => Ok(path),
            other => Err(RepoError::corrupt(WHAT, other)),
        })
        .collect()
}

/// `files_changed` checked: each a valid file path, none twice, not too many.
fn changed_paths(paths: Vec<String>) -> RepoResult<Vec<String>> {
    const FIELD: &str = "files_changed";
    if paths.len() > limits::GIT_FILES_CHANGED {
        return Err(RepoError::invalid(
            FIELD,
            format!(
                "lists {} paths, the limit is {}",
                paths.len(),
                limits::GIT_FILES_CHANGED
            ),
        ));
    }
    let mut seen = HashSet::with_capacity(paths.len());
    for path in &paths {
        input::file_path(FIELD, path)?;
        if !seen.insert(path.as_str()) {
            return Err(RepoError::invalid(FIELD, format!("lists {path:?} twice")));
        }
    }
    Ok(paths)
}

/// A branch name: not blank, without NUL, at most [`limits::GIT_BRANCH`] characters, kept as
/// given (git compares branch names by their bytes).
fn branch(value: &str) -> RepoResult<&str> {
    validate::non_empty("branch", value, limits::GIT_BRANCH)
}

/// The operations on `branch`, newest first.
fn on_branch(branch: &str) -> sea_orm::Select<operations::Entity> {
    operations::Entity::find()
        .filter(operations::Column::Branch.eq(branch))
        .order_by_desc(operations::Column::OccurredAt)
        .order_by_desc(operations::Column::Id)
}

/// The operation of `commit_sha`, already checked and lowercased.
fn of_commit(commit_sha: &str) -> sea_orm::Select<operations::Entity> {
    operations::Entity::find().filter(operations::Column::CommitSha.eq(commit_sha))
}

#[async_trait]
impl<C: Executor> GitOperationRepository for SeaOrmGitOperationRepository<C> {
    async fn record(&self, input: NewGitOperation) -> RepoResult<GitOperation> {
        let commit_sha = input::git_object_id("commit_sha", &input.commit_sha)?;
        let branch = branch(&input.branch)?.to_owned();
        let author = validate::name("author", &input.author, limits::GIT_AUTHOR)?;
        let message = validate::bounded("message", &input.message, limits::GIT_MESSAGE)?;
        let paths = changed_paths(input.files_changed)?;
        let occurred_at = input::time("occurred_at", input.occurred_at)?;
        let id: Uuid = GitOperationId::new().into();

        let txn = self.db.begin_write().await?;
        let operation = operations::ActiveModel {
            id: Set(id),
            commit_sha: Set(commit_sha.clone()),
            branch: Set(branch),
            author: Set(author),
            message: Set(message.to_owned()),
            operation: Set(input.operation.as_str().to_owned()),
            files_changed: Set(Value::from(paths.clone())),
            occurred_at: Set(occurred_at),
        }
        .insert(&txn)
        .await
        .on_duplicate(|| format!("an operation of commit {commit_sha} is already recorded"))?;
        for batch in paths.chunks(FILES_PER_STATEMENT) {
            files::Entity::insert_many(batch.iter().map(|path| files::ActiveModel {
                git_operation_id: Set(id),
                path: Set(path.clone()),
                occurred_at: Set(occurred_at),
            }))
            .exec_without_returning(&txn)
            .await?;
        }
        txn.commit().await?;
        operation.try_into()
    }

    async fn get_by_commit(&self, commit_sha: &str) -> RepoResult<GitOperation> {
        let commit_sha = input::git_object_id("commit_sha", commit_sha)?;
        one_or_not_found(of_commit(&commit_sha), &self.db, ENTITY, commit_sha).await
    }

    async fn latest_on_branch(&self, branch_name: &str) -> RepoResult<GitOperation> {
        let branch_name = branch(branch_name)?;
        let key = format!("on branch {branch_name:?}");
        one_or_not_found(on_branch(branch_name), &self.db, ENTITY, key).await
    }

    async fn list_on_branch(&self, branch_name: &str, page: Page) -> RepoResult<Vec<GitOperation>> {
        fetch_page(on_branch(branch(branch_name)?), &self.db, page).await
    }

    async fn touching_path(&self, path: &str, page: Page) -> RepoResult<Vec<GitOperation>> {
        let path = input::file_path("path", path)?;
        // The link rows carry the operation's time, so their (path, occurred_at, id) index
        // gives the order and each operation is then read by its key.
        let select = operations::Entity::find()
            .inner_join(files::Entity)
            .filter(files::Column::Path.eq(path))
            .order_by_desc(files::Column::OccurredAt)
            .order_by_desc(files::Column::GitOperationId);
        fetch_page(select, &self.db, page).await
    }

    async fn file_hashes(&self, commit_sha: &str, page: Page) -> RepoResult<Vec<FileHash>> {
        let commit_sha = input::git_object_id("commit_sha", commit_sha)?;
        let recorded: Option<Uuid> = of_commit(&commit_sha)
            .select_only()
            .column(operations::Column::Id)
            .into_tuple()
            .one(&self.db)
            .await?;
        if recorded.is_none() {
            return Err(RepoError::not_found(ENTITY, commit_sha));
        }
        let select = history::Entity::find()
            .filter(history::Column::GitCommit.eq(commit_sha))
            .order_by_asc(history::Column::Path)
            .order_by_asc(history::Column::Seq);
        fetch_page(select, &self.db, page).await
    }
}
