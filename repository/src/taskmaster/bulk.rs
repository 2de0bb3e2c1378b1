//! [`TaskRepository::submit_many`](super::TaskRepository::submit_many) on SeaORM, and the
//! input check it shares with `submit`.
//!
//! A batch names its own tasks by index: a task may depend on, or be a subtask of, tasks
//! *earlier* in the batch, so the batch's edges cannot form a cycle, and no stored task can
//! depend on a task that does not exist yet, so edges to stored tasks cannot close one either.
//! Stored dependencies are checked and locked, and stored parents checked, in the batch's
//! transaction, as `submit` does for one task.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, FixedOffset};
use memdb_entity::{task_dependencies as deps, tasks};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::graph::{add_dependents, existing, locked_statuses, status_given};
use super::types::{MAX_PRIORITY, NewTask, Task, TaskStatus};
use crate::bulk::{in_batch, insert_models};
use crate::error::{RepoError, RepoResult};
use crate::executor::Executor;
use crate::ids::TaskId;
use crate::page::now;
use crate::query::convert_all;
use crate::{limits, validate};

/// One task of [`TaskRepository::submit_many`](super::TaskRepository::submit_many): a
/// [`NewTask`] (whose `depends_on` and `parent_task_id` name stored tasks) and its links to
/// tasks earlier in the same batch. `BulkTask::from(new_task)` has no such links.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BulkTask {
    /// The task.
    pub task: NewTask,
    /// Indexes of earlier tasks of the batch that must complete before this one may run
    /// (each below this task's own index).
    pub depends_on_batch: Vec<usize>,
    /// Index of an earlier task of the batch this one is a subtask of. At most one of this and
    /// `task.parent_task_id` may be set.
    pub parent_in_batch: Option<usize>,
}

impl From<NewTask> for BulkTask {
    fn from(task: NewTask) -> Self {
        Self {
            task,
            depends_on_batch: Vec::new(),
            parent_in_batch: None,
        }
    }
}

fn positive(field: &'static str, value: u32, min: u32) -> RepoResult<i32> {
    i32::try_from(value)
        .ok()
        .filter(|v| *v >= min as i32)
        .ok_or_else(|| {
            RepoError::invalid(field, format!("must be {min} to {}, got {value}", i32::MAX))
        })
}

/// `input` checked and made the row it is stored as (a new id, `ready` until its dependencies
/// say otherwise, stamped `at`), with the stored tasks it depends on.
///
/// # Errors
/// `Validation` naming the first bad field.
pub(super) fn checked_task(
    input: NewTask,
    at: DateTime<FixedOffset>,
) -> RepoResult<(tasks::Model, BTreeSet<Uuid>)> {
    // JSON first: a rejected value is taken apart without recursion (see validate).
    let input_data = validate::json_value("input_data", input.input_data)?;
    validate::non_empty("prompt", &input.prompt, limits::TASK_PROMPT)?;
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
    let depends_on = input.depends_on.iter().map(TaskId::as_uuid).collect();
    let row = tasks::Model {
        id: TaskId::new().as_uuid(),
        prompt: input.prompt,
        agent_type,
        priority: i16::from(input.priority),
        status: TaskStatus::Ready.as_str().to_owned(),
        input_data,
        result_data: None,
        error_message: None,
        retry_count: 0,
        max_retries,
        max_execution_timeout_seconds: timeout,
        submitted_at: at,
        started_at: None,
        completed_at: None,
        last_updated_at: at,
        lease_expires_at: None,
        created_by,
        parent_task_id: input.parent_task_id.map(|p| p.as_uuid()),
        dependent_count: 0,
    };
    Ok((row, depends_on))
}

/// One checked task of a batch: its row, the stored tasks it depends on, and the earlier tasks
/// of the batch it depends on.
struct Checked {
    row: tasks::Model,
    stored_dependencies: BTreeSet<Uuid>,
    batch_dependencies: BTreeSet<usize>,
}

/// `input`, the batch's task number `index`, checked; its batch parent resolved against the
/// ids of the batch's earlier tasks, `earlier`.
fn checked_in_batch(
    index: usize,
    input: BulkTask,
    earlier: &[Checked],
    at: DateTime<FixedOffset>,
) -> RepoResult<Checked> {
    let earlier_only = |field: &'static str, i: usize| {
        if i < index {
            Ok(i)
        } else {
            Err(RepoError::invalid(
                field,
                format!("must name earlier inputs of the batch, got {i}"),
            ))
        }
    };
    let (mut row, stored_dependencies) = checked_task(input.task, at)?;
    if let Some(parent) = input.parent_in_batch {
        if row.parent_task_id.is_some() {
            return Err(RepoError::invalid(
                "parent_in_batch",
                "a task has one parent: set parent_task_id or parent_in_batch, not both",
            ));
        }
        row.parent_task_id = Some(earlier[earlier_only("parent_in_batch", parent)?].row.id);
    }
    let batch_dependencies = input
        .depends_on_batch
        .into_iter()
        .map(|i| earlier_only("depends_on_batch", i))
        .collect::<RepoResult<_>>()?;
    Ok(Checked {
        row,
        stored_dependencies,
        batch_dependencies,
    })
}

pub(super) async fn submit_many(
    db: &impl Executor,
    inputs: Vec<BulkTask>,
) -> RepoResult<Vec<Task>> {
    if inputs.is_empty() {
        return Ok(Vec::new());
    }
    let at = now();
    let mut batch: Vec<Checked> = Vec::with_capacity(inputs.len());
    for (index, input) in inputs.into_iter().enumerate() {
        let checked = checked_in_batch(index, input, &batch, at).map_err(|e| in_batch(index, e))?;
        batch.push(checked);
    }
    // Stored tasks the batch depends on, and stored tasks it names as parents.
    let ids: Vec<Uuid> = batch.iter().map(|t| t.row.id).collect();
    let batch_ids: BTreeSet<Uuid> = ids.iter().copied().collect();
    let mut stored: BTreeSet<Uuid> = BTreeSet::new();
    let mut parents: BTreeSet<Uuid> = BTreeSet::new();
    for task in &batch {
        stored.extend(task.stored_dependencies.iter().copied());
        parents.extend(task.row.parent_task_id.filter(|p| !batch_ids.contains(p)));
    }

    let txn = db.begin_write().await?;
    // Dependencies are locked (their counts change below); parents only need to exist, which
    // their foreign key keeps true until the commit.
    let found: HashMap<Uuid, TaskStatus> =
        locked_statuses(&txn, &stored).await?.into_iter().collect();
    let parents = existing(&txn, &parents).await?;
    let mut edges: Vec<deps::Model> = Vec::new();
    for (index, task) in batch.iter_mut().enumerate() {
        if let Some(parent) = task.row.parent_task_id
            && !batch_ids.contains(&parent)
            && !parents.contains(&parent)
        {
            let reason = format!("task {parent} does not exist");
            return Err(in_batch(
                index,
                RepoError::invalid("parent_task_id", reason),
            ));
        }
        let status =
            status_given(&task.stored_dependencies, &found).map_err(|e| in_batch(index, e))?;
        // A task of the batch has not completed yet: depending on one means waiting.
        let status = if task.batch_dependencies.is_empty() {
            status
        } else {
            TaskStatus::Pending
        };
        status.as_str().clone_into(&mut task.row.status);
        let depends_on = (task.stored_dependencies.iter().copied())
            .chain(task.batch_dependencies.iter().map(|i| ids[*i]));
        edges.extend(depends_on.map(|dep| deps::Model {
            task_id: task.row.id,
            depends_on_task_id: dep,
        }));
    }
    // The batch's own tasks are stored with their dependents counted; the stored tasks the
    // batch depends on have their counts raised by the edges added to each.
    let mut dependents: HashMap<Uuid, i32> = HashMap::new();
    for edge in &edges {
        *dependents.entry(edge.depends_on_task_id).or_default() += 1;
    }
    let rows: Vec<tasks::Model> = batch
        .into_iter()
        .map(|t| tasks::Model {
            dependent_count: dependents.remove(&t.row.id).unwrap_or(0),
            ..t.row
        })
        .collect();
    let mut raised_by: BTreeMap<i32, Vec<Uuid>> = BTreeMap::new();
    for (task, added) in dependents {
        raised_by.entry(added).or_default().push(task);
    }
    // Parents in the batch come first: each statement's rows, and the statements, go in
    // input order, and foreign keys are checked at the end of each statement.
    insert_models::<tasks::Entity>(&txn, &rows).await?;
    insert_models::<deps::Entity>(&txn, &edges).await?;
    // The rows are locked already (`locked_statuses`): the order of these updates is free.
    for (added, tasks) in &raised_by {
        add_dependents(&txn, tasks, *added).await?;
    }
    txn.commit().await?;
    convert_all(rows)
}
