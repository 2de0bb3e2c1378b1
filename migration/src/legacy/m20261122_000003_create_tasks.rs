//! The taskmaster queue: `tasks` and the `task_dependencies` between them.
//!
//! Priority runs from 0 (least urgent) to 10 (most urgent); workers take the highest first.

use sea_orm_migration::{prelude::*, schema::*};

use crate::dialect::add_json_checks;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Tasks {
    Table,
    Id,
    Prompt,
    AgentType,
    Priority,
    Status,
    InputData,
    ResultData,
    ErrorMessage,
    RetryCount,
    MaxRetries,
    MaxExecutionTimeoutSeconds,
    SubmittedAt,
    StartedAt,
    CompletedAt,
    LastUpdatedAt,
    LeaseExpiresAt,
    CreatedBy,
    ParentTaskId,
}

#[derive(DeriveIden)]
enum TaskDependencies {
    Table,
    TaskId,
    DependsOnTaskId,
}

/// The statuses a task may have, frozen as of this migration.
const STATUSES: [&str; 6] = [
    "pending",
    "ready",
    "running",
    "completed",
    "failed",
    "cancelled",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();

        let mut tasks = Table::create()
            .table(Tasks::Table)
            .col(pk_uuid(Tasks::Id))
            .col(text(Tasks::Prompt))
            .col(string_len(Tasks::AgentType, 64).default("general"))
            .col(small_integer(Tasks::Priority).default(5))
            .col(string_len(Tasks::Status, 16).default("pending"))
            .col(json_binary(Tasks::InputData))
            .col(json_binary_null(Tasks::ResultData))
            .col(text_null(Tasks::ErrorMessage))
            .col(integer(Tasks::RetryCount).default(0))
            .col(integer(Tasks::MaxRetries).default(3))
            .col(integer(Tasks::MaxExecutionTimeoutSeconds).default(3600))
            .col(timestamp_with_time_zone(Tasks::SubmittedAt))
            .col(timestamp_with_time_zone_null(Tasks::StartedAt))
            .col(timestamp_with_time_zone_null(Tasks::CompletedAt))
            .col(timestamp_with_time_zone(Tasks::LastUpdatedAt))
            // When a running task's claim runs out (started_at + timeout): a plain column keeps
            // the timeout sweep an indexed comparison on every backend.
            .col(timestamp_with_time_zone_null(Tasks::LeaseExpiresAt))
            .col(string_len_null(Tasks::CreatedBy, 200))
            .col(uuid_null(Tasks::ParentTaskId))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_tasks_parent")
                    .from(Tasks::Table, Tasks::ParentTaskId)
                    .to(Tasks::Table, Tasks::Id)
                    .on_delete(ForeignKeyAction::SetNull)
                    .on_update(ForeignKeyAction::Restrict),
            )
            .check(Check::named(
                "ck_tasks_priority",
                Expr::col(Tasks::Priority)
                    .gte(0)
                    .and(Expr::col(Tasks::Priority).lte(10)),
            ))
            .check(Check::named(
                "ck_tasks_status",
                Expr::col(Tasks::Status).is_in(STATUSES),
            ))
            .check(Check::named(
                "ck_tasks_retry_count",
                Expr::col(Tasks::RetryCount).gte(0),
            ))
            .check(Check::named(
                "ck_tasks_max_retries",
                Expr::col(Tasks::MaxRetries).gte(0),
            ))
            .check(Check::named(
                "ck_tasks_timeout",
                Expr::col(Tasks::MaxExecutionTimeoutSeconds).gt(0),
            ))
            .to_owned();
        add_json_checks(backend, &mut tasks, "tasks", &["input_data", "result_data"]);
        manager.create_table(tasks).await?;

        // claim_next: one agent type's waiting tasks in claim order (most urgent, then oldest).
        // Partial, so finished tasks never enter it and a claim reads the first eligible entry
        // instead of sorting the backlog. The claim query repeats this predicate with the same
        // literals (repository/src/taskmaster/model.rs, `is_waiting`): planners match a partial
        // index only against the statement's own text, never against bound values.
        manager
            .create_index(
                Index::create()
                    .name("ix_tasks_claim")
                    .table(Tasks::Table)
                    .col(Tasks::AgentType)
                    .col((Tasks::Priority, IndexOrder::Desc))
                    .col(Tasks::SubmittedAt)
                    .col(Tasks::Id)
                    .and_where(Expr::col(Tasks::Status).is_in(["pending", "ready"]))
                    .to_owned(),
            )
            .await?;
        // The other indexes, all ascending. Listings in submission order end in
        // (submitted_at, id): the order they page by, so no page needs a sort.
        let ascending: [(&str, &[Tasks]); 6] = [
            // Listing by status; children of a task.
            (
                "ix_tasks_status_submitted",
                &[Tasks::Status, Tasks::SubmittedAt, Tasks::Id],
            ),
            (
                "ix_tasks_parent",
                &[Tasks::ParentTaskId, Tasks::SubmittedAt, Tasks::Id],
            ),
            // The timeout sweep over running tasks.
            (
                "ix_tasks_status_lease",
                &[Tasks::Status, Tasks::LeaseExpiresAt],
            ),
            // All tasks, one agent type's, one submitter's.
            ("ix_tasks_submitted", &[Tasks::SubmittedAt, Tasks::Id]),
            (
                "ix_tasks_agent_submitted",
                &[Tasks::AgentType, Tasks::SubmittedAt, Tasks::Id],
            ),
            (
                "ix_tasks_created_by_submitted",
                &[Tasks::CreatedBy, Tasks::SubmittedAt, Tasks::Id],
            ),
        ];
        for (name, columns) in ascending {
            let mut index = Index::create().name(name).table(Tasks::Table).to_owned();
            for column in columns {
                index.col(*column);
            }
            manager.create_index(index).await?;
        }

        let dependencies = Table::create()
            .table(TaskDependencies::Table)
            .col(uuid(TaskDependencies::TaskId))
            .col(uuid(TaskDependencies::DependsOnTaskId))
            .primary_key(
                Index::create()
                    .name("pk_task_dependencies")
                    .col(TaskDependencies::TaskId)
                    .col(TaskDependencies::DependsOnTaskId),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_task_dependencies_task")
                    .from(TaskDependencies::Table, TaskDependencies::TaskId)
                    .to(Tasks::Table, Tasks::Id)
                    .on_delete(ForeignKeyAction::Cascade)
                    .on_update(ForeignKeyAction::Restrict),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_task_dependencies_depends_on")
                    .from(TaskDependencies::Table, TaskDependencies::DependsOnTaskId)
                    .to(Tasks::Table, Tasks::Id)
                    .on_delete(ForeignKeyAction::Restrict)
                    .on_update(ForeignKeyAction::Restrict),
            )
            .check(Check::named(
                "ck_task_dependencies_no_self",
                Expr::col(TaskDependencies::TaskId)
                    .ne(Expr::col(TaskDependencies::DependsOnTaskId)),
            ))
            .to_owned();
        manager.create_table(dependencies).await?;

        // Dependents of a task (promotion on completion, cancellation on failure).
        manager
            .create_index(
                Index::create()
                    .name("ix_task_dependencies_depends_on")
                    .table(TaskDependencies::Table)
                    .col(TaskDependencies::DependsOnTaskId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TaskDependencies::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Tasks::Table).to_owned())
            .await
    }
}
