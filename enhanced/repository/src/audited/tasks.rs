//! [`TaskRepository`] audited.
//!
//! Only the task a call names (or claims) gets an entry (each task of a batch one): dependents that a failure or a
//! cancellation cancels, or that a completion makes ready, change without one. A claim and a
//! timeout sweep pick their tasks themselves, so their entries have no before image. The audited
//! sweep runs as one transaction (its batches savepoints inside it), so that every requeued
//! task's entry commits with it.

use async_trait::async_trait;
use memdb_repository::taskmaster::{BulkTask, NewTask, Task, TaskFilter};
use memdb_repository::{Executor, Page, RepoResult, TaskId, TaskRepository};
use serde_json::json;

use super::entities::{TASK, TASK_DEPENDENCY};
use memdb_entity::tasks;

use super::{Audited, Change, OnTransaction, lock_row};

#[async_trait]
impl<R, C> TaskRepository for Audited<R, C>
where
    R: TaskRepository + OnTransaction,
    R::Transactional: TaskRepository,
    C: Executor,
{
    async fn submit(&self, input: NewTask) -> RepoResult<Task> {
        self.change(|repo, _tx| async move {
            let task = repo.submit(input).await?;
            let change = Change::created(TASK, task.id, &task)?;
            Ok((task, change))
        })
        .await
    }

    async fn submit_many(&self, inputs: Vec<BulkTask>) -> RepoResult<Vec<Task>> {
        self.changes(|repo, _tx| async move {
            let tasks = repo.submit_many(inputs).await?;
            let changes = tasks
                .iter()
                .map(|task| Change::created(TASK, task.id, task))
                .collect::<RepoResult<_>>()?;
            Ok((tasks, changes))
        })
        .await
    }

    async fn get(&self, id: TaskId) -> RepoResult<Task> {
        self.inner.get(id).await
    }

    async fn dependencies(&self, id: TaskId, page: Page) -> RepoResult<Vec<TaskId>> {
        self.inner.dependencies(id, page).await
    }

    async fn add_dependency(&self, task: TaskId, depends_on: TaskId) -> RepoResult<()> {
        self.change(|repo, _tx| async move {
            repo.add_dependency(task, depends_on).await?;
            let edge = json!({ "task_id": task, "depends_on": depends_on });
            let change = Change::created(TASK_DEPENDENCY, format!("{task}/{depends_on}"), &edge)?;
            Ok(((), change))
        })
        .await
    }

    async fn list(&self, filter: TaskFilter, page: Page) -> RepoResult<Vec<Task>> {
        self.inner.list(filter, page).await
    }

    async fn children(&self, parent: TaskId, page: Page) -> RepoResult<Vec<Task>> {
        self.inner.children(parent, page).await
    }

    async fn claim_next(&self, agent_type: &str) -> RepoResult<Task> {
        self.change(|repo, _tx| async move {
            let task = repo.claim_next(agent_type).await?;
            let change = Change::updated_unseen(TASK, task.id, &task)?;
            Ok((task, change))
        })
        .await
    }

    async fn complete(&self, id: TaskId, result: serde_json::Value) -> RepoResult<Task> {
        self.change(|repo, tx| async move {
            lock_row::<tasks::Entity>(&tx, id).await?;
            let before = repo.get(id).await?;
            let after = repo.complete(id, result).await?;
            let change = Change::updated(TASK, id, &before, &after)?;
            Ok((after, change))
        })
        .await
    }

    async fn fail(&self, id: TaskId, error: &str) -> RepoResult<Task> {
        self.change(|repo, tx| async move {
            lock_row::<tasks::Entity>(&tx, id).await?;
            let before = repo.get(id).await?;
            let after = repo.fail(id, error).await?;
            let change = Change::updated(TASK, id, &before, &after)?;
            Ok((after, change))
        })
        .await
    }

    async fn cancel(&self, id: TaskId) -> RepoResult<Task> {
        self.change(|repo, tx| async move {
            lock_row::<tasks::Entity>(&tx, id).await?;
            let before = repo.get(id).await?;
            let after = repo.cancel(id).await?;
            let change = Change::updated(TASK, id, &before, &after)?;
            Ok((after, change))
        })
        .await
    }

    async fn requeue_timed_out(&self) -> RepoResult<Vec<TaskId>> {
        self.changes(|repo, _tx| async move {
            let requeued = repo.requeue_timed_out().await?;
            let mut changes = Vec::with_capacity(requeued.len());
            for id in &requeued {
                let after = repo.get(*id).await?;
                changes.push(Change::updated_unseen(TASK, id, &after)?);
            }
            Ok((requeued, changes))
        })
        .await
    }
}
