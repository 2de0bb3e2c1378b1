//! Agent sessions: `sessions` with their status lifecycle and session-scoped state, the
//! append-only `session_events`, the `app_state_entries` and `user_state_entries` that hold the
//! state shared by an app's sessions and by one user's sessions, and `session_tasks`, which links
//! legacy tasks to sessions without touching the legacy `tasks` table.

use memdb_migration::dialect::{add_json_checks, bytewise};
use sea_orm_migration::{prelude::*, schema::*};

use crate::adopt::{create_indexes, create_table, drop_tables};
use crate::references::reference;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Sessions {
    Table,
    Id,
    AppName,
    UserId,
    ProjectId,
    Status,
    State,
    Metadata,
    Version,
    LastEventSeq,
    CreatedAt,
    LastUpdateTime,
    TerminatedAt,
    ArchivedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum SessionEvents {
    Table,
    SessionId,
    Seq,
    EventType,
    Actor,
    Content,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum AppStateEntries {
    Table,
    AppName,
    Key,
    Value,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum UserStateEntries {
    Table,
    AppName,
    UserId,
    Key,
    Value,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum SessionTasks {
    Table,
    TaskId,
    SessionId,
    LinkedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Tasks {
    Table,
    Id,
}

/// The statuses a session may be in, frozen as of this migration.
const STATUSES: [&str; 5] = ["created", "active", "paused", "terminated", "archived"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut sessions = Table::create()
            .table(Sessions::Table)
            .col(pk_uuid(Sessions::Id))
            .col(bytewise(backend, string_len(Sessions::AppName, 128)))
            .col(bytewise(backend, string_len(Sessions::UserId, 200)))
            .col(string_len_null(Sessions::ProjectId, 200))
            .col(string_len(Sessions::Status, 16))
            .col(json_binary(Sessions::State))
            .col(json_binary(Sessions::Metadata))
            .col(integer(Sessions::Version))
            .col(big_integer(Sessions::LastEventSeq))
            .col(timestamp_with_time_zone(Sessions::CreatedAt))
            .col(timestamp_with_time_zone(Sessions::LastUpdateTime))
            .col(timestamp_with_time_zone_null(Sessions::TerminatedAt))
            .col(timestamp_with_time_zone_null(Sessions::ArchivedAt))
            .check(Check::named(
                "ck_sessions_status",
                Expr::col(Sessions::Status).is_in(STATUSES),
            ))
            .check(Check::named(
                "ck_sessions_version",
                Expr::col(Sessions::Version).gt(0),
            ))
            .check(Check::named(
                "ck_sessions_last_event_seq",
                Expr::col(Sessions::LastEventSeq).gte(0),
            ))
            .to_owned();
        add_json_checks(backend, &mut sessions, "sessions", &["state", "metadata"]);
        create_table(manager, "sessions", sessions).await?;
        // A user's sessions newest first (ids are time-ordered UUIDv7), with or without a
        // status; sessions of a status by last update (the sweeps of idle sessions).
        create_indexes(
            manager,
            "sessions",
            &[
                (
                    "ix_sessions_app_user_id",
                    &[Sessions::AppName, Sessions::UserId, Sessions::Id][..],
                    false,
                ),
                (
                    "ix_sessions_app_user_status_id",
                    &[
                        Sessions::AppName,
                        Sessions::UserId,
                        Sessions::Status,
                        Sessions::Id,
                    ][..],
                    false,
                ),
                (
                    "ix_sessions_status_updated",
                    &[Sessions::Status, Sessions::LastUpdateTime][..],
                    false,
                ),
            ],
        )
        .await?;

        // Events are numbered per session from 1; the key is the order pages come in.
        let mut events = Table::create()
            .table(SessionEvents::Table)
            .col(uuid(SessionEvents::SessionId))
            .col(big_integer(SessionEvents::Seq))
            .col(string_len(SessionEvents::EventType, 64))
            .col(string_len(SessionEvents::Actor, 200))
            .col(json_binary(SessionEvents::Content))
            .col(timestamp_with_time_zone(SessionEvents::CreatedAt))
            .primary_key(
                Index::create()
                    .col(SessionEvents::SessionId)
                    .col(SessionEvents::Seq),
            )
            .foreign_key(&mut reference(
                "fk_session_events_session",
                (SessionEvents::Table, SessionEvents::SessionId),
                (Sessions::Table, Sessions::Id),
                ForeignKeyAction::Cascade,
            ))
            .check(Check::named(
                "ck_session_events_seq",
                Expr::col(SessionEvents::Seq).gt(0),
            ))
            .to_owned();
        add_json_checks(backend, &mut events, "session_events", &["content"]);
        create_table(manager, "session_events", events).await?;

        // App and user state: one row a key, so concurrent writers of different keys never
        // overwrite each other, and a key is set or removed by one statement.
        let mut app_state = Table::create()
            .table(AppStateEntries::Table)
            .col(bytewise(backend, string_len(AppStateEntries::AppName, 128)))
            .col(bytewise(backend, string_len(AppStateEntries::Key, 200)))
            .col(json_binary(AppStateEntries::Value))
            .col(timestamp_with_time_zone(AppStateEntries::UpdatedAt))
            .primary_key(
                Index::create()
                    .col(AppStateEntries::AppName)
                    .col(AppStateEntries::Key),
            )
            .to_owned();
        add_json_checks(backend, &mut app_state, "app_state_entries", &["value"]);
        create_table(manager, "app_state_entries", app_state).await?;

        let mut user_state = Table::create()
            .table(UserStateEntries::Table)
            .col(bytewise(
                backend,
                string_len(UserStateEntries::AppName, 128),
            ))
            .col(bytewise(backend, string_len(UserStateEntries::UserId, 200)))
            .col(bytewise(backend, string_len(UserStateEntries::Key, 200)))
            .col(json_binary(UserStateEntries::Value))
            .col(timestamp_with_time_zone(UserStateEntries::UpdatedAt))
            .primary_key(
                Index::create()
                    .col(UserStateEntries::AppName)
                    .col(UserStateEntries::UserId)
                    .col(UserStateEntries::Key),
            )
            .to_owned();
        add_json_checks(backend, &mut user_state, "user_state_entries", &["value"]);
        create_table(manager, "user_state_entries", user_state).await?;

        // A task belongs to at most one session; the link goes with either end.
        let links = Table::create()
            .table(SessionTasks::Table)
            .col(pk_uuid(SessionTasks::TaskId))
            .col(uuid(SessionTasks::SessionId))
            .col(timestamp_with_time_zone(SessionTasks::LinkedAt))
            .foreign_key(&mut reference(
                "fk_session_tasks_task",
                (SessionTasks::Table, SessionTasks::TaskId),
                (Tasks::Table, Tasks::Id),
                ForeignKeyAction::Cascade,
            ))
            .foreign_key(&mut reference(
                "fk_session_tasks_session",
                (SessionTasks::Table, SessionTasks::SessionId),
                (Sessions::Table, Sessions::Id),
                ForeignKeyAction::Cascade,
            ))
            .to_owned();
        create_table(manager, "session_tasks", links).await?;
        create_indexes(
            manager,
            "session_tasks",
            &[(
                "ix_session_tasks_session_task",
                &[SessionTasks::SessionId, SessionTasks::TaskId][..],
                false,
            )],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            &[
                "session_tasks",
                "user_state_entries",
                "app_state_entries",
                "session_events",
                "sessions",
            ],
        )
        .await
    }
}
