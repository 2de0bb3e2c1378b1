//! `document_index` (seed 002): one row per indexed file, with its content hash, sync status and
//! embedding (model, dimension and the vector as little-endian `f32` bytes, portable to every
//! backend's binary type).

use memdb_migration::dialect::{add_json_checks, bytewise};
use sea_orm_migration::{prelude::*, schema::*};

use crate::adopt::{create_indexes, create_table, drop_tables};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum DocumentIndex {
    Table,
    Id,
    FilePath,
    Title,
    DocumentType,
    ContentHash,
    ChunkCount,
    EmbeddingModel,
    EmbeddingDims,
    Embedding,
    Metadata,
    SyncStatus,
    LastSyncedAt,
    CreatedAt,
    UpdatedAt,
}

/// The sync statuses, frozen as of this migration.
const SYNC_STATUSES: [&str; 4] = ["pending", "synced", "failed", "stale"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let embedding = || Expr::col(DocumentIndex::Embedding);
        let mut table = Table::create()
            .table(DocumentIndex::Table)
            .col(pk_uuid(DocumentIndex::Id))
            .col(bytewise(backend, string_len(DocumentIndex::FilePath, 1024)))
            .col(string_len(DocumentIndex::Title, 500))
            .col(string_len_null(DocumentIndex::DocumentType, 64))
            .col(string_len(DocumentIndex::ContentHash, 64))
            .col(integer(DocumentIndex::ChunkCount))
            .col(string_len_null(DocumentIndex::EmbeddingModel, 200))
            .col(integer_null(DocumentIndex::EmbeddingDims))
            .col(blob_null(DocumentIndex::Embedding))
            .col(json_binary(DocumentIndex::Metadata))
            .col(string_len(DocumentIndex::SyncStatus, 16))
            .col(timestamp_with_time_zone_null(DocumentIndex::LastSyncedAt))
            .col(timestamp_with_time_zone(DocumentIndex::CreatedAt))
            .col(timestamp_with_time_zone(DocumentIndex::UpdatedAt))
            .check(Check::named(
                "ck_document_index_sync_status",
                Expr::col(DocumentIndex::SyncStatus).is_in(SYNC_STATUSES),
            ))
            .check(Check::named(
                "ck_document_index_chunk_count",
                Expr::col(DocumentIndex::ChunkCount).gte(0),
            ))
            // An embedding comes with its model and dimension, and holds exactly that many f32s.
            .check(Check::named(
                "ck_document_index_embedding",
                embedding()
                    .is_null()
                    .and(Expr::col(DocumentIndex::EmbeddingModel).is_null())
                    .and(Expr::col(DocumentIndex::EmbeddingDims).is_null())
                    .or(Expr::col(DocumentIndex::EmbeddingModel)
                        .is_not_null()
                        .and(Expr::col(DocumentIndex::EmbeddingDims).gt(0))
                        .and(
                            Expr::cust("length(\"embedding\")")
                                .eq(Expr::col(DocumentIndex::EmbeddingDims).mul(4)),
                        )),
            ))
            .to_owned();
        add_json_checks(backend, &mut table, "document_index", &["metadata"]);
        create_table(manager, "document_index", table).await?;
        // A path's row; the rows of a sync status (oldest first, for the syncer); the rows
        // embedded with a model, walked in id order by the nearest-neighbour scan.
        create_indexes(
            manager,
            "document_index",
            &[
                (
                    "ux_document_index_file_path",
                    &[DocumentIndex::FilePath][..],
                    true,
                ),
                (
                    "ix_document_index_sync_status",
                    &[DocumentIndex::SyncStatus, DocumentIndex::Id][..],
                    false,
                ),
                (
                    "ix_document_index_model",
                    &[
                        DocumentIndex::EmbeddingModel,
                        DocumentIndex::EmbeddingDims,
                        DocumentIndex::Id,
                    ][..],
                    false,
                ),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["document_index"]).await
    }
}
