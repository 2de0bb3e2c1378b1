//! [`TaskRepository`] on SeaORM: submission, lookups and dependency edits; the running-work
//! transitions are in `lifecycle.rs`.

use std::collections::BTreeSet;

use async_trait::async_trait;
use memdb_entity::{task_dependencies as deps, tasks};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
};
use uuid::Uuid;

use super::TaskRepository;
use super::graph::{initial_status, path_back};
use super::lifecycle;
use super::model::{moving_to, status_of};
use super::types::{MAX_PRIORITY, NewTask, Task, TaskFilter, TaskStatus};
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

fn positive(field: &'static str, value: u32, min: u32) -> RepoResult<i32> {
    i32::try_from(value)
        .ok()
        .filter(|v| *v >= min as i32)
        .ok_or_else(|| {
            RepoError::invalid(field, format!("must be {min} to {}, got {value}", i32::MAX))
        })
}

#[async_trait]
impl<C: Executor> TaskRepository for SeaOrmTaskRepository<C> {
    async fn submit(&self, input: NewTask) -> RepoResult<Task> {
        // JSON first: a rejected value is taken apart without recursion (see validate).
        let input_data = validate::json_value("input_data", input.input_data)?;
        let prompt = validate::non_empty("prompt", &input.prompt, limits::TASK_PROMPT)?;
        let agent_type = validate::label("agent_type", &input.agent_type)?;
        if input.priority > MAX_PRIORITY {
            return Err(RepoError::invalid(
                "priority",
                format!(
                    "must be 0 (lowest) to {MAX_PRIORITY} (highest), got {}",
                    input.priority
                ),
            ));
        }
        let max_retries = positive("max_retries", input.max_retries, 0)?;
        let timeout = positive(
            "max_execution_timeout_seconds",
            input.max_execution_timeout_seconds,
            1,
        )?;
        let created_by = input
            .created_by
            .as_deref()
            .map(|c| validate::name("created_by", c, limits::TASK_CREATED_BY))
            .transpose()?;
        let depends_on: BTreeSet<Uuid> = input.depends_on.iter().map(TaskId::as_uuid).collect();

        let id = TaskId::new().as_uuid();
        let at = now();
        let mut task = tasks::ActiveModel {
            id: Set(id),
            prompt: Set(prompt.to_owned()),
            agent_type: Set(agent_type),
            priority: Set(i16::from(input.priority)),
            status: Set(TaskStatus::Ready.as_str().to_owned()),
            input_data: Set(input_data),
            result_data: Set(None),
            error_message: Set(None),
            retry_count: Set(0),
            max_retries: Set(max_retries),
            max_execution_timeout_seconds: Set(timeout),
            submitted_at: Set(at),
            started_at: Set(None),
            completed_at: Set(None),
            last_updated_at: Set(at),
            lease_expires_at: Set(None),
            created_by: Set(created_by),
            parent_task_id: Set(input.parent_task_id.map(|p| p.as_uuid())),
        };
        if input.parent_task_id.is_none() && depends_on.is_empty() {
            // Nothing to check against other rows: the one INSERT is the whole submission,
            // atomic without a transaction around it.
            return task.insert(&self.db).await?.try_into();
        }

        let txn = self.db.begin_write().await?;
        if let Some(parent) = input.parent_task_id
            && tasks::Entity::find_by_id(parent.as_uuid())
                .one(&txn)
                .await?
                .is_none()
        {
            return Err(RepoError::invalid(
                "parent_task_id",
                format!("task {parent} does not exist"),
            ));
        }
        task.status = Set(initial_status(&txn, &depends_on).await?.as_str().to_owned());
        let task = task.insert(&txn).await?;
        let depends_on: Vec<Uuid> = depends_on.into_iter().collect();
        for batch in depends_on.chunks(IDS_PER_STATEMENT) {
            deps::Entity::insert_many(batch.iter().map(|dep| deps::ActiveModel {
                task_id: Set(id),
                depends_on_task_id: Set(*dep),
            }))
            .exec(&txn)
            .await?;
        }
        txn.commit().await?;
        task.try_into()
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
        // in opposite orders.
        let mut ends = tasks::Entity::find()
            .filter(tasks::Column::Id.is_in([task.as_uuid(), depends_on.as_uuid()]))
            .order_by_asc(tasks::Column::Id)
            .lock_exclusive()
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
