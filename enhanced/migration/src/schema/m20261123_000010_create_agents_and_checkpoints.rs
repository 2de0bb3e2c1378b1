//! `agents` (the workers a task or session spawns, with a state lifecycle) and `checkpoints`
//! (numbered snapshots of a task's working state, of which the latest is resumed from).

use memdb_migration::dialect::{add_json_checks, bytewise};
use sea_orm_migration::{prelude::*, schema::*};

use crate::adopt::{create_indexes, create_table, drop_tables};
use crate::references::reference;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Agents {
    Table,
    Id,
    Name,
    Specialization,
    TaskId,
    SessionId,
    State,
    Model,
    SpawnedAt,
    UpdatedAt,
    TerminatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Checkpoints {
    Table,
    Id,
    TaskId,
    SessionId,
    Iteration,
    State,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Tasks {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Sessions {
    Table,
    Id,
}

/// The states an agent may be in, frozen as of this migration.
const AGENT_STATES: [&str; 6] = [
    "spawning",
    "idle",
    "busy",
    "terminating",
    "terminated",
    "failed",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        // An agent outlives the task or session it worked for: the reference is cleared.
        let agents = Table::create()
            .table(Agents::Table)
            .col(pk_uuid(Agents::Id))
            .col(bytewise(backend, string_len(Agents::Name, 200)))
            .col(string_len(Agents::Specialization, 200))
            .col(uuid_null(Agents::TaskId))
            .col(uuid_null(Agents::SessionId))
            .col(string_len(Agents::State, 16))
            .col(string_len(Agents::Model, 128))
            .col(timestamp_with_time_zone(Agents::SpawnedAt))
            .col(timestamp_with_time_zone(Agents::UpdatedAt))
            .col(timestamp_with_time_zone_null(Agents::TerminatedAt))
            .foreign_key(&mut reference(
                "fk_agents_task",
                (Agents::Table, Agents::TaskId),
                (Tasks::Table, Tasks::Id),
                ForeignKeyAction::SetNull,
            ))
            .foreign_key(&mut reference(
                "fk_agents_session",
                (Agents::Table, Agents::SessionId),
                (Sessions::Table, Sessions::Id),
                ForeignKeyAction::SetNull,
            ))
            .check(Check::named(
                "ck_agents_state",
                Expr::col(Agents::State).is_in(AGENT_STATES),
            ))
            .to_owned();
        create_table(manager, "agents", agents).await?;
        // Agents in a state (oldest first), and the agents of a task or of a session (the
        // indexes the foreign keys' SET NULL needs too).
        create_indexes(
            manager,
            "agents",
            &[
                (
                    "ix_agents_state_id",
                    &[Agents::State, Agents::Id][..],
                    false,
                ),
                (
                    "ix_agents_task_id",
                    &[Agents::TaskId, Agents::Id][..],
                    false,
                ),
                (
                    "ix_agents_session_id",
                    &[Agents::SessionId, Agents::Id][..],
                    false,
                ),
            ],
        )
        .await?;

        // A checkpoint belongs to its task and goes with it; a session's end keeps them.
        let mut checkpoints = Table::create()
            .table(Checkpoints::Table)
            .col(pk_uuid(Checkpoints::Id))
            .col(uuid(Checkpoints::TaskId))
            .col(uuid_null(Checkpoints::SessionId))
            .col(integer(Checkpoints::Iteration))
            .col(json_binary(Checkpoints::State))
            .col(timestamp_with_time_zone(Checkpoints::CreatedAt))
            .foreign_key(&mut reference(
                "fk_checkpoints_task",
                (Checkpoints::Table, Checkpoints::TaskId),
                (Tasks::Table, Tasks::Id),
                ForeignKeyAction::Cascade,
            ))
            .foreign_key(&mut reference(
                "fk_checkpoints_session",
                (Checkpoints::Table, Checkpoints::SessionId),
                (Sessions::Table, Sessions::Id),
                ForeignKeyAction::SetNull,
            ))
            .check(Check::named(
                "ck_checkpoints_iteration",
                Expr::col(Checkpoints::Iteration).gte(0),
            ))
            .to_owned();
        add_json_checks(backend, &mut checkpoints, "checkpoints", &["state"]);
        create_table(manager, "checkpoints", checkpoints).await?;
        // One checkpoint per task and iteration: the latest is a backward seek, pruning a
        // range; a session's checkpoints for the foreign key's SET NULL.
        create_indexes(
            manager,
            "checkpoints",
            &[
                (
                    "ux_checkpoints_task_iteration",
                    &[Checkpoints::TaskId, Checkpoints::Iteration][..],
                    true,
                ),
                (
                    "ix_checkpoints_session",
                    &[Checkpoints::SessionId][..],
                    false,
                ),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["checkpoints", "agents"]).await
    }
}
