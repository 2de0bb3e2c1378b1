//! `memory_entries`: versioned values under a `:`-separated namespace and a key.
//!
//! Every write of an entry adds a row with the next version; the row with the highest version
//! is the entry's current state (a soft delete is such a row, flagged `is_deleted`). An entry
//! may expire: its latest row's `expires_at` says when.

use memdb_migration::dialect::{add_json_checks, bytewise};
use sea_orm_migration::{prelude::*, schema::*};

use crate::adopt::{create_index, create_table, drop_tables};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum MemoryEntries {
    Table,
    Id,
    Namespace,
    Key,
    Value,
    MemoryType,
    Version,
    IsDeleted,
    Metadata,
    CreatedBy,
    UpdatedBy,
    CreatedAt,
    UpdatedAt,
    ExpiresAt,
}

/// The kinds of memory an entry may hold, frozen as of this migration.
const MEMORY_TYPES: [&str; 3] = ["semantic", "episodic", "procedural"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        // Namespaces and keys compare bytewise on both backends: prefix listings are range
        // scans (`ns:` up to `ns;`), which only work in code-point order.
        let mut table = Table::create()
            .table(MemoryEntries::Table)
            .col(pk_uuid(MemoryEntries::Id))
            .col(bytewise(backend, string_len(MemoryEntries::Namespace, 100)))
            .col(bytewise(backend, string_len(MemoryEntries::Key, 99)))
            .col(json_binary(MemoryEntries::Value))
            .col(string_len(MemoryEntries::MemoryType, 16))
            .col(integer(MemoryEntries::Version))
            .col(boolean(MemoryEntries::IsDeleted))
            .col(json_binary(MemoryEntries::Metadata))
            .col(string_len(MemoryEntries::CreatedBy, 200))
            .col(string_len(MemoryEntries::UpdatedBy, 200))
            .col(timestamp_with_time_zone(MemoryEntries::CreatedAt))
            .col(timestamp_with_time_zone(MemoryEntries::UpdatedAt))
            .col(timestamp_with_time_zone_null(MemoryEntries::ExpiresAt))
            .check(Check::named(
                "ck_memory_entries_memory_type",
                Expr::col(MemoryEntries::MemoryType).is_in(MEMORY_TYPES),
            ))
            .check(Check::named(
                "ck_memory_entries_version",
                Expr::col(MemoryEntries::Version).gt(0),
            ))
            .to_owned();
        add_json_checks(
            backend,
            &mut table,
            "memory_entries",
            &["value", "metadata"],
        );
        create_table(manager, "memory_entries", table).await?;

        // One version per entry and number. The same index serves an entry's latest version
        // (a backward seek), version N, its history, and prefix listings (a range over
        // namespaces, walked in (namespace, key) order).
        let versions = Index::create()
            .name("ux_memory_entries_namespace_key_version")
            .table(MemoryEntries::Table)
            .col(MemoryEntries::Namespace)
            .col(MemoryEntries::Key)
            .col(MemoryEntries::Version)
            .unique()
            .to_owned();
        create_index(manager, "memory_entries", versions).await?;
        // Entries of one kind by last change, and expired rows for the sweeper.
        let indexes: [(&str, &[MemoryEntries]); 2] = [
            (
                "ix_memory_entries_type_updated",
                &[MemoryEntries::MemoryType, MemoryEntries::UpdatedAt],
            ),
            ("ix_memory_entries_expires_at", &[MemoryEntries::ExpiresAt]),
        ];
        for (name, columns) in indexes {
            let mut index = Index::create()
                .name(name)
                .table(MemoryEntries::Table)
                .to_owned();
            for column in columns {
                index.col(*column);
            }
            create_index(manager, "memory_entries", index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["memory_entries"]).await
    }
}
