//! `file_hash_history`: every change of a file's SHA-256 seen, path by path; and
//! `file_hash_current`: the latest of them for each path.
//!
//! A row is written only when a path's hash changes. `file_hash_current` holds one row per path
//! (a copy of its latest history row): recording upserts it with a `WHERE` that updates only
//! when the hash differs, and the upsert's row lock (PostgreSQL) or the write lock (SQLite) makes
//! concurrent recorders of one path take turns, so an unchanged hash never gets a second row.
//! `seq` numbers a path's history rows 1, 2, 3...; the unique `(path, seq)` index refuses two
//! rows in one place of a path's history whatever happens.

use memdb_migration::dialect::bytewise;
use sea_orm_migration::{prelude::*, schema::*};

use crate::adopt::{create_index, create_table, drop_tables};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

/// The columns of both tables, which share them.
#[derive(DeriveIden, Clone, Copy)]
enum FileHash {
    Id,
    Path,
    Seq,
    Sha256,
    SizeBytes,
    ObservedAt,
    GitCommit,
}

/// The longest path in characters, as the repository's limits module has it. The repository
/// also caps a path at 2048 bytes of UTF-8, so a path fits PostgreSQL's B-tree entries
/// (at most 2704 bytes) in every index below.
const PATH_CHARS: u32 = 1024;

/// `file_hash_history` or `file_hash_current`: the same columns and checks; the history has a
/// UUID key, the current table one row per path.
fn observations(
    backend: sea_orm::DbBackend,
    table: &str,
    path_is_key: bool,
) -> TableCreateStatement {
    let mut path = bytewise(backend, string_len(FileHash::Path, PATH_CHARS));
    if path_is_key {
        path.primary_key();
    }
    let id = if path_is_key {
        uuid(FileHash::Id)
    } else {
        pk_uuid(FileHash::Id)
    };
    let length = |column: FileHash| Expr::expr(Func::cust("length").arg(Expr::col(column)));
    Table::create()
        .table(Alias::new(table))
        .col(id)
        .col(path)
        .col(big_integer(FileHash::Seq))
        .col(string_len(FileHash::Sha256, 64))
        .col(big_integer(FileHash::SizeBytes))
        .col(timestamp_with_time_zone(FileHash::ObservedAt))
        // A git object id: 40 hex digits (SHA-1) or 64 (SHA-256 repositories).
        .col(string_len_null(FileHash::GitCommit, 64))
        .check(Check::named(
            format!("ck_{table}_seq"),
            Expr::col(FileHash::Seq).gte(1),
        ))
        .check(Check::named(
            format!("ck_{table}_sha256"),
            length(FileHash::Sha256).eq(64),
        ))
        .check(Check::named(
            format!("ck_{table}_size_bytes"),
            Expr::col(FileHash::SizeBytes).gte(0),
        ))
        .check(Check::named(
            format!("ck_{table}_git_commit"),
            length(FileHash::GitCommit).is_in([40, 64]),
        ))
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        for (table, path_is_key) in [("file_hash_history", false), ("file_hash_current", true)] {
            create_table(manager, table, observations(backend, table, path_is_key)).await?;
        }

        // History: one path's rows newest first (and the uniqueness of each place in it); the
        // rows a commit produced in path order (and its latest observation time).
        // Current: the paths changed after a time, oldest change first. Listing every path in
        // path order is its primary key.
        let indexes: [(&str, &str, bool, &[FileHash]); 3] = [
            (
                "file_hash_history",
                "ux_file_hash_history_path_seq",
                true,
                &[FileHash::Path, FileHash::Seq],
            ),
            (
                "file_hash_history",
                "ix_file_hash_history_commit",
                false,
                &[FileHash::GitCommit, FileHash::Path, FileHash::Seq],
            ),
            (
                "file_hash_current",
                "ix_file_hash_current_observed",
                false,
                &[FileHash::ObservedAt, FileHash::Path],
            ),
        ];
        for (table, name, unique, columns) in indexes {
            let mut index = Index::create()
                .name(name)
                .table(Alias::new(table))
                .to_owned();
            if unique {
                index.unique();
            }
            for column in columns {
                index.col(*column);
            }
            create_index(manager, table, index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["file_hash_current", "file_hash_history"]).await
    }
}
