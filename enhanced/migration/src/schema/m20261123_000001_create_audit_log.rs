//! `audit_log`: who created, changed or deleted what, with before and after images.

use memdb_migration::dialect::add_json_checks;
use sea_orm_migration::{prelude::*, schema::*};

use crate::adopt::{create_index, create_table, drop_tables};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum AuditLog {
    Table,
    Id,
    Actor,
    Action,
    Entity,
    EntityId,
    Before,
    After,
    At,
}

/// The actions an audit row may record, frozen as of this migration.
const ACTIONS: [&str; 3] = ["create", "update", "delete"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut table = Table::create()
            .table(AuditLog::Table)
            .col(pk_uuid(AuditLog::Id))
            .col(string_len(AuditLog::Actor, 200))
            .col(string_len(AuditLog::Action, 16))
            .col(string_len(AuditLog::Entity, 64))
            .col(string_len(AuditLog::EntityId, 200))
            .col(json_binary_null(AuditLog::Before))
            .col(json_binary_null(AuditLog::After))
            .col(timestamp_with_time_zone(AuditLog::At))
            .check(Check::named(
                "ck_audit_log_action",
                Expr::col(AuditLog::Action).is_in(ACTIONS),
            ))
            .to_owned();
        add_json_checks(backend, &mut table, "audit_log", &["before", "after"]);
        create_table(manager, "audit_log", table).await?;

        // One row's history, one actor's doings, everything in a time window: each in time
        // order, ids breaking ties so pages never overlap.
        let indexes: [(&str, &[AuditLog]); 3] = [
            (
                "ix_audit_log_entity_at",
                &[
                    AuditLog::Entity,
                    AuditLog::EntityId,
                    AuditLog::At,
                    AuditLog::Id,
                ],
            ),
            (
                "ix_audit_log_actor_at",
                &[AuditLog::Actor, AuditLog::At, AuditLog::Id],
            ),
            ("ix_audit_log_at", &[AuditLog::At, AuditLog::Id]),
        ];
        for (name, columns) in indexes {
            let mut index = Index::create().name(name).table(AuditLog::Table).to_owned();
            for column in columns {
                index.col(*column);
            }
            create_index(manager, "audit_log", index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["audit_log"]).await
    }
}
