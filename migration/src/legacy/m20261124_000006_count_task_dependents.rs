//! `tasks.dependent_count`: how many tasks depend on each task, kept on the task's own row.
//!
//! `complete` is one `UPDATE ... WHERE dependent_count = 0` when nothing depends on the task.
//! Every path that adds a dependency edge changes the depended-on task's row in the same
//! transaction, so on PostgreSQL a `complete` that waited for that row re-checks its condition
//! against the new row version and falls back to promoting the new dependent. A
//! `NOT EXISTS (dependents)` condition cannot do this: a waiting `UPDATE` re-checks only its
//! own row, and its subqueries still read the snapshot taken before it waited.
//!
//! The backfill counts the edges already stored.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum Tasks {
    Table,
    Id,
    DependentCount,
}

#[derive(DeriveIden)]
enum TaskDependencies {
    Table,
    DependsOnTaskId,
}

/// The dependency edges pointing at the outer `tasks` row.
fn edges_to_task() -> SelectStatement {
    Query::select()
        .from(TaskDependencies::Table)
        .and_where(
            Expr::col((TaskDependencies::Table, TaskDependencies::DependsOnTaskId))
                .equals((Tasks::Table, Tasks::Id)),
        )
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Tasks::Table)
                    .add_column(
                        integer(Tasks::DependentCount)
                            .default(0)
                            .check(Check::named(
                                "ck_tasks_dependent_count",
                                Expr::col(Tasks::DependentCount).gte(0),
                            )),
                    )
                    .to_owned(),
            )
            .await?;
        // Only tasks something depends on are rewritten.
        let backfill = Query::update()
            .table(Tasks::Table)
            .value(
                Tasks::DependentCount,
                Expr::from(edges_to_task().expr(Expr::col(Asterisk).count()).to_owned()),
            )
            .and_where(Expr::exists(edges_to_task().expr(Expr::val(1)).to_owned()))
            .to_owned();
        manager.exec_stmt(backfill).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Tasks::Table)
                    .drop_column(Tasks::DependentCount)
                    .to_owned(),
            )
            .await
    }
}
