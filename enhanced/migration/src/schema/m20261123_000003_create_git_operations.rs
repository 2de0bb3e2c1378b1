//! `git_operations`: commits, merges, rebases, reverts and tags, one row per commit; and
//! `git_operation_files`: which paths each one touched.
//!
//! `files_changed` keeps an operation's paths as the JSON array it was recorded with. No index
//! can find the operations touching one path inside a JSON array on every backend, so the
//! paths are also rows of `git_operation_files`, written in the same transaction. They carry
//! the operation's `occurred_at`, so one index gives a path's operations newest first without
//! sorting them.

use memdb_migration::dialect::{add_json_checks, bytewise};
use sea_orm_migration::{prelude::*, schema::*};

use crate::adopt::{create_index, create_table, drop_tables};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum GitOperations {
    Table,
    Id,
    CommitSha,
    Branch,
    Author,
    Message,
    Operation,
    FilesChanged,
    OccurredAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum GitOperationFiles {
    Table,
    GitOperationId,
    Path,
    OccurredAt,
}

/// The operations a row may record, frozen as of this migration.
const OPERATIONS: [&str; 5] = ["commit", "merge", "rebase", "revert", "tag"];

/// As in `file_hash_history` (see the limits there).
const PATH_CHARS: u32 = 1024;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut operations = Table::create()
            .table(GitOperations::Table)
            .col(pk_uuid(GitOperations::Id))
            // A git object id: 40 hex digits (SHA-1) or 64 (SHA-256 repositories).
            .col(string_len_uniq(GitOperations::CommitSha, 64))
            .col(string_len(GitOperations::Branch, 255))
            .col(string_len(GitOperations::Author, 200))
            .col(text(GitOperations::Message))
            .col(string_len(GitOperations::Operation, 16))
            .col(json_binary(GitOperations::FilesChanged))
            .col(timestamp_with_time_zone(GitOperations::OccurredAt))
            .check(Check::named(
                "ck_git_operations_commit_sha",
                Expr::expr(Func::cust("length").arg(Expr::col(GitOperations::CommitSha)))
                    .is_in([40, 64]),
            ))
            .check(Check::named(
                "ck_git_operations_operation",
                Expr::col(GitOperations::Operation).is_in(OPERATIONS),
            ))
            .to_owned();
        add_json_checks(
            backend,
            &mut operations,
            "git_operations",
            &["files_changed"],
        );
        create_table(manager, "git_operations", operations).await?;

        let files = Table::create()
            .table(GitOperationFiles::Table)
            .col(uuid(GitOperationFiles::GitOperationId))
            .col(bytewise(
                backend,
                string_len(GitOperationFiles::Path, PATH_CHARS),
            ))
            .col(timestamp_with_time_zone(GitOperationFiles::OccurredAt))
            .primary_key(
                Index::create()
                    .name("pk_git_operation_files")
                    .col(GitOperationFiles::GitOperationId)
                    .col(GitOperationFiles::Path),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_git_operation_files_operation")
                    .from(GitOperationFiles::Table, GitOperationFiles::GitOperationId)
                    .to(GitOperations::Table, GitOperations::Id)
                    .on_delete(ForeignKeyAction::Cascade)
                    .on_update(ForeignKeyAction::Restrict),
            )
            .to_owned();
        create_table(manager, "git_operation_files", files).await?;

        // One branch's operations newest first (its latest is the first); the operations that
        // touched a path newest first. Ids break ties so pages never overlap.
        let operation_index = Index::create()
            .name("ix_git_operations_branch_occurred")
            .table(GitOperations::Table)
            .col(GitOperations::Branch)
            .col(GitOperations::OccurredAt)
            .col(GitOperations::Id)
            .to_owned();
        create_index(manager, "git_operations", operation_index).await?;
        let path_index = Index::create()
            .name("ix_git_operation_files_path_occurred")
            .table(GitOperationFiles::Table)
            .col(GitOperationFiles::Path)
            .col(GitOperationFiles::OccurredAt)
            .col(GitOperationFiles::GitOperationId)
            .to_owned();
        create_index(manager, "git_operation_files", path_index).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["git_operation_files", "git_operations"]).await
    }
}
