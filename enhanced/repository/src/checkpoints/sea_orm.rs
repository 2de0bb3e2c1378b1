//! [`CheckpointRepository`] on SeaORM.

use async_trait::async_trait;
use memdb_enhanced_entity::checkpoints::{self, Column};
use memdb_repository::query::{convert_all, insert_isolated, one_or_not_found, stored_u32};
use memdb_repository::{
    ConflictKind, Executor, Page, RepoError, RepoResult, TaskId, Violation, now, utc, validate,
    violation,
};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select, Set,
};

use super::{Checkpoint, CheckpointPage, CheckpointRepository, NewCheckpoint};
use crate::ids::CheckpointId;
use crate::limits::CHECKPOINT_ITERATION;
use crate::owners::missing_owner;

const ENTITY: &str = "checkpoint";

memdb_repository::sea_orm_repository! {
    /// [`CheckpointRepository`] on SeaORM.
    SeaOrmCheckpointRepository
}

impl TryFrom<checkpoints::Model> for Checkpoint {
    type Error = RepoError;

    fn try_from(m: checkpoints::Model) -> RepoResult<Self> {
        Ok(Self {
            id: m.id.into(),
            task_id: m.task_id.into(),
            session_id: m.session_id,
            iteration: stored_u32("checkpoint iteration", m.iteration)?,
            state: m.state,
            created_at: utc(m.created_at),
        })
    }
}

/// An iteration as stored.
fn stored_iteration(field: &'static str, iteration: u32) -> RepoResult<i32> {
    i32::try_from(iteration).map_err(|_| {
        RepoError::invalid(
            field,
            format!("must be at most {CHECKPOINT_ITERATION}, got {iteration}"),
        )
    })
}

/// The checkpoints of one task.
fn of_task(task: TaskId) -> Select<checkpoints::Entity> {
    checkpoints::Entity::find().filter(Column::TaskId.eq(task.as_uuid()))
}

#[async_trait]
impl<C: Executor> CheckpointRepository for SeaOrmCheckpointRepository<C> {
    async fn save(&self, input: NewCheckpoint) -> RepoResult<Checkpoint> {
        // JSON first: a rejected value is taken apart without recursion (see validate).
        let state = validate::json_value("state", input.state)?;
        let iteration = stored_iteration("iteration", input.iteration)?;
        let task_id = input.task_id;
        let checkpoint = checkpoints::ActiveModel {
            id: Set(CheckpointId::new().into()),
            task_id: Set(task_id.as_uuid()),
            session_id: Set(input.session_id),
            iteration: Set(iteration),
            state: Set(state),
            created_at: Set(now()),
        };
        // In a savepoint of its own: after a foreign-key failure the lookups that name the
        // missing owner still run inside a caller's unit of work.
        match insert_isolated(&self.db, checkpoint).await? {
            Ok(model) => model.try_into(),
            Err(err) => Err(match violation(&err) {
                Some(Violation::Unique(_)) => RepoError::conflict(
                    ConflictKind::Duplicate,
                    format!("task {task_id} already has a checkpoint of iteration {iteration}"),
                ),
                Some(Violation::ForeignKey(_)) => {
                    missing_owner(&self.db, ENTITY, Some(task_id.as_uuid()), input.session_id).await
                }
                _ => err.into(),
            }),
        }
    }

    async fn latest(&self, task: TaskId) -> RepoResult<Option<Checkpoint>> {
        let row = of_task(task)
            .order_by_desc(Column::Iteration)
            .one(&self.db)
            .await?;
        row.map(TryInto::try_into).transpose()
    }

    async fn get(&self, task: TaskId, iteration: u32) -> RepoResult<Checkpoint> {
        let stored = stored_iteration("iteration", iteration)?;
        let select = of_task(task).filter(Column::Iteration.eq(stored));
        one_or_not_found(select, &self.db, ENTITY, format!("{task}/{iteration}")).await
    }

    async fn list(
        &self,
        task: TaskId,
        before: Option<u32>,
        limit: u64,
    ) -> RepoResult<CheckpointPage> {
        // Checked like a page's limit.
        let limit = Page::new(limit, 0)?.limit();
        // Iterations above the column's range are all "before" every stored one.
        let before = before.and_then(|before| i32::try_from(before).ok());
        let rows = of_task(task)
            .apply_if(before, |q, before| q.filter(Column::Iteration.lt(before)))
            .order_by_desc(Column::Iteration)
            .limit(limit)
            .all(&self.db)
            .await?;
        let checkpoints: Vec<Checkpoint> = convert_all(rows)?;
        let full = u64::try_from(checkpoints.len()).is_ok_and(|n| n == limit);
        let next = checkpoints
            .last()
            .filter(|_| full)
            .map(|last| last.iteration);
        Ok(CheckpointPage { checkpoints, next })
    }

    async fn prune(&self, task: TaskId, keep_last: u32) -> RepoResult<u64> {
        if keep_last == 0 {
            return Err(RepoError::invalid(
                "keep_last",
                "must be at least 1: pruning keeps the newest checkpoints",
            ));
        }
        // The iteration of the oldest checkpoint kept: the `keep_last`th newest, a backward
        // walk of the (task, iteration) index. With fewer checkpoints there is none, and
        // `iteration < NULL` deletes nothing. One statement: atomic on its own.
        let oldest_kept = of_task(task)
            .select_only()
            .column(Column::Iteration)
            .order_by_desc(Column::Iteration)
            .limit(1)
            .offset(u64::from(keep_last - 1))
            .into_query();
        let result = checkpoints::Entity::delete_many()
            .filter(Column::TaskId.eq(task.as_uuid()))
            .filter(Expr::col((checkpoints::Entity, Column::Iteration)).lt(oldest_kept))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected)
    }
}
