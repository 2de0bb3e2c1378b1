//! [`TaskRepository`] on SeaORM: submission, lookups and dependency edits; the running-work
//! transitions are in `lifecycle.rs`.

use async_trait::async_trait;
use memdb_entity::{task_dependencies as deps, tasks};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::LockType;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait,
};
use uuid::Uuid;

use super::TaskRepository;
use super::bulk::{self, BulkTask};
use super::graph::{add_dependents, initial_status, path_back};
use super::lifecycle;
use super::model::{moving_to, status_of};
use super::types::{NewTask, Task, TaskFilter, TaskStatus};
use crate::batch::IDS_PER_STATEMENT;
use crate::connect::{Section, enter_section};
use crate::error::{ConflictKind, DbResultExt, RepoError, RepoResult};
use crate::executor::Executor;
use crate::ids::TaskId;
use crate::page::{Page, now};
use crate::query::{fetch_page, get_by_id};
use crate::{limits, validate};

const ENTITY: &str = "task";

crate::sea_orm_repository! {
    /// [`TaskRepository`] on SeaORM.
    SeaOrmTaskRepository
}

#[async_trait]
impl<C: Executor> TaskRepository for SeaOrmTaskRepository<C> {
    async fn submit(&self, input: NewTask) -> RepoResult<Task> {
        let (task, depends_on) = bulk::checked_task(input, now())?;
        if task.parent_task_id.is_none() && depends_on.is_empty() {
            // Nothing to check against other rows: the one INSERT is the whole submission,
            // atomic without a transaction around it.
            return task
                .into_active_model()
                .reset_all()
                .insert(&self.db)
                .await?
                .try_into();
        }
        let txn = self.db.begin_write().await?;
        if let Some(parent) = task.parent_task_id
            && tasks::Entity::find_by_id(parent).one(&txn).await?.is_none()
        {
            return Err(RepoError::invalid(
                "parent_task_id",
                format!("task {parent} does not exist"),
            ));
        }
        let status = initial_status(&txn, &depends_on).await?;
        let task = tasks::ActiveModel {
            status: Set(status.as_str().to_owned()),
            ..task.into_active_model().reset_all()
        }
        .insert(&txn)
        .await?;
        let id = task.id;
        let depends_on: Vec<Uuid> = depends_on.into_iter().collect();
        for batch in depends_on.chunks(IDS_PER_STATEMENT) {
            deps::Entity::insert_many(batch.iter().map(|dep| deps::ActiveModel {
                task_id: Set(id),
                depends_on_task_id: Set(*dep),
            }))
            .exec(&txn)
            .await?;
        }
        add_dependents(&txn, &depends_on, 1).await?;
        txn.commit().await?;
        task.try_into()
    }

    async fn submit_many(&self, inputs: Vec<BulkTask>) -> RepoResult<Vec<Task>> {
        bulk::submit_many(&self.db, inputs).await
    }

    async fn get(&self, id: TaskId) -> RepoResult<Task> {
        get_by_id::<tasks::Entity, _>(&self.db, ENTITY, id).await
    }

    async fn dependencies(&self, id: TaskId, page: Page) -> RepoResult<Vec<TaskId>> {
        self.get(id).await?;
        let ids: Vec<Uuid> = deps::Entity::find()
            .select_only()
            .column(deps::Column::DependsOnTaskId)
            .filter(deps::Column::TaskId.eq(id.as_uuid()))
            .order_by_asc(deps::Column::DependsOnTaskId)
            .limit(page.limit())
            .offset(page.offset())
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(ids.into_iter().map(TaskId::from).collect())
    }

    async fn add_dependency(&self, task: TaskId, depends_on: TaskId) -> RepoResult<()> {
        if task == depends_on {
            return Err(RepoError::invalid(
                "depends_on",
                format!("task {task} cannot depend on itself"),
            ));
        }
        let txn = self.db.begin_write().await?;
        // One edge addition at a time: two at once could close a cycle that neither cycle
        // search sees, as each reads only the other's uncommitted absence.
        enter_section(&txn, Section::TaskGraphEdits).await?;
        // Both ends locked by one statement in id order, so lockers never wait on each other
        // in opposite orders. `FOR NO KEY UPDATE` on PostgreSQL, as `submit` takes it
        // (`graph::locked_statuses`): inserts that reference these tasks are not blocked.
        let mut ends = tasks::Entity::find()
            .filter(tasks::Column::Id.is_in([task.as_uuid(), depends_on.as_uuid()]))
            .order_by_asc(tasks::Column::Id)
            .lock(LockType::NoKeyUpdate)
            .all(&txn)
            .await?;
        let mut take = |id: TaskId| match ends.iter().position(|t| t.id == id.as_uuid()) {
            Some(at) => Ok(ends.swap_remove(at)),
            None => Err(RepoError::not_found(ENTITY, id)),
        };
        let waiting = take(task)?;
        let target = take(depends_on)?;
        let (waiting_status, target_status) = (status_of(&waiting)?, status_of(&target)?);
        if !TaskStatus::WAITING.contains(&waiting_status) {
            return Err(RepoError::conflict(
                ConflictKind::WrongState,
                format!(
                    "task {task} is {waiting_status}; only waiting tasks can gain dependencies"
                ),
            ));
        }
        if target_status.is_dead() {
            return Err(RepoError::invalid(
                "depends_on",
                format!("task {depends_on} is {target_status}, so task {task} could never run"),
            ));
        }
        if let Some(path) = path_back(&txn, task.as_uuid(), depends_on.as_uuid()).await? {
            let cycle: Vec<String> = std::iter::once(task.as_uuid())
                .chain(path)
                .map(|id| id.to_string())
                .collect();
            return Err(RepoError::invalid(
                "depends_on",
                format!("would create a dependency cycle: {}", cycle.join(" -> ")),
            ));
        }
        deps::ActiveModel {
            task_id: Set(task.as_uuid()),
            depends_on_task_id: Set(depends_on.as_uuid()),
        }
        .insert(&txn)
        .await
        .on_duplicate(|| format!("task {task} already depends on {depends_on}"))?;
        add_dependents(&txn, &[depends_on.as_uuid()], 1).await?;
        if target_status != TaskStatus::Completed && waiting_status == TaskStatus::Ready {
            moving_to(TaskStatus::Pending, now())
                .filter(tasks::Column::Id.eq(task.as_uuid()))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    async fn list(&self, filter: TaskFilter, page: Page) -> RepoResult<Vec<Task>> {
        let agent_type = filter
            .agent_type
            .as_deref()
            .map(|a| validate::label("agent_type", a))
            .transpose()?;
        // Trimmed like the stored value (see `submit`), so " alice " finds alice's tasks.
        let created_by = filter
            .created_by
            .as_deref()
            .map(|c| validate::name("created_by", c, limits::TASK_CREATED_BY))
            .transpose()?;
        let select = tasks::Entity::find()
            .apply_if(filter.status, |q, s| q.filter(tasks::Column::Status.eq(s)))
            .apply_if(agent_type, |q, a| q.filter(tasks::Column::AgentType.eq(a)))
            .apply_if(created_by, |q, c| q.filter(tasks::Column::CreatedBy.eq(c)))
            .order_by_asc(tasks::Column::SubmittedAt)
            .order_by_asc(tasks::Column::Id);
        fetch_page(select, &self.db, page).await
    }

    async fn children(&self, parent: TaskId, page: Page) -> RepoResult<Vec<Task>> {
        let select = tasks::Entity::find()
            .filter(tasks::Column::ParentTaskId.eq(parent.as_uuid()))
            .order_by_asc(tasks::Column::SubmittedAt)
            .order_by_asc(tasks::Column::Id);
        fetch_page(select, &self.db, page).await
    }

    async fn claim_next(&self, agent_type: &str) -> RepoResult<Task> {
        lifecycle::claim_next(&self.db, agent_type).await
    }

    async fn complete(&self, id: TaskId, result: serde_json::Value) -> RepoResult<Task> {
        lifecycle::complete(&self.db, id, result).await
    }

    async fn fail(&self, id: TaskId, error: &str) -> RepoResult<Task> {
        lifecycle::fail(&self.db, id, error).await
    }

    async fn cancel(&self, id: TaskId) -> RepoResult<Task> {
        lifecycle::cancel(&self.db, id).await
    }

    async fn requeue_timed_out(&self) -> RepoResult<Vec<TaskId>> {
        lifecycle::requeue_timed_out(&self.db).await
    }
}
