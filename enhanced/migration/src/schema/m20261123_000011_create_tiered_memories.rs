//! `memories` (a user's memories in three tiers, threaded, with JSON metadata) and
//! `memory_clusters` (a user's memories grouped by the `topic` and `category` of their metadata).
//!
//! Indexes: seed 004's composite indexes for its query shapes (a thread's memories, a tier's
//! memories by age, overall and per user — `(user_id, tier)` alone is the prefix of the latter,
//! so it is not built twice), GIN `jsonb_path_ops` on both JSON columns on PostgreSQL for
//! containment, and on SQLite an expression index on each declared hot metadata key.

use memdb_migration::dialect::json_index::{JsonIndex, json_index_statement};
use memdb_migration::dialect::{add_json_checks, bytewise};
use sea_orm_migration::{prelude::*, schema::*};

use crate::adopt::{create_indexes, create_table, drop_tables};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Memories {
    Table,
    Id,
    UserId,
    ThreadId,
    Content,
    Tier,
    Importance,
    Metadata,
    RelatedThreads,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum MemoryClusters {
    Table,
    Id,
    UserId,
    Topic,
    Category,
    Summary,
    MemoryCount,
    CreatedAt,
    UpdatedAt,
}

/// The tiers a memory may be in, frozen as of this migration.
const TIERS: [&str; 3] = ["short_term", "mid_term", "long_term"];

/// The metadata keys SQLite indexes (PostgreSQL's GIN index serves every key): the ones seed
/// 004's queries and the clusters filter by.
const HOT_KEYS: [(&str, &str); 2] = [
    ("idx_memories_metadata_topic", "topic"),
    ("idx_memories_metadata_category", "category"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut memories = Table::create()
            .table(Memories::Table)
            .col(pk_uuid(Memories::Id))
            .col(bytewise(backend, string_len(Memories::UserId, 200)))
            .col(bytewise(backend, string_len_null(Memories::ThreadId, 200)))
            .col(text(Memories::Content))
            .col(string_len(Memories::Tier, 16))
            .col(double(Memories::Importance))
            .col(json_binary(Memories::Metadata))
            .col(json_binary(Memories::RelatedThreads))
            .col(timestamp_with_time_zone(Memories::CreatedAt))
            .col(timestamp_with_time_zone(Memories::UpdatedAt))
            .check(Check::named(
                "ck_memories_tier",
                Expr::col(Memories::Tier).is_in(TIERS),
            ))
            .check(Check::named(
                "ck_memories_importance",
                Expr::col(Memories::Importance).between(0.0, 1.0),
            ))
            .to_owned();
        add_json_checks(
            backend,
            &mut memories,
            "memories",
            &["metadata", "related_threads"],
        );
        create_table(manager, "memories", memories).await?;
        create_indexes(
            manager,
            "memories",
            &[
                (
                    "idx_memories_user_thread",
                    &[
                        Memories::UserId,
                        Memories::ThreadId,
                        Memories::CreatedAt,
                        Memories::Id,
                    ][..],
                    false,
                ),
                (
                    "idx_memories_tier_updated",
                    &[Memories::Tier, Memories::UpdatedAt, Memories::Id][..],
                    false,
                ),
                (
                    "idx_memories_user_tier_updated",
                    &[
                        Memories::UserId,
                        Memories::Tier,
                        Memories::UpdatedAt,
                        Memories::Id,
                    ][..],
                    false,
                ),
            ],
        )
        .await?;
        let mut json_indexes = vec![
            (
                "idx_memories_metadata_gin",
                "metadata",
                JsonIndex::Containment,
            ),
            (
                "idx_memories_related_threads_gin",
                "related_threads",
                JsonIndex::Containment,
            ),
        ];
        json_indexes.extend(
            HOT_KEYS
                .iter()
                .map(|(name, key)| (*name, "metadata", JsonIndex::Key(key))),
        );
        for (name, column, index) in json_indexes {
            if let Some(sql) = json_index_statement(backend, name, "memories", column, index)? {
                manager.get_connection().execute_unprepared(&sql).await?;
            }
        }

        let clusters = Table::create()
            .table(MemoryClusters::Table)
            .col(pk_uuid(MemoryClusters::Id))
            .col(bytewise(backend, string_len(MemoryClusters::UserId, 200)))
            .col(bytewise(backend, string_len(MemoryClusters::Topic, 200)))
            .col(bytewise(backend, string_len(MemoryClusters::Category, 200)))
            .col(text_null(MemoryClusters::Summary))
            .col(big_integer(MemoryClusters::MemoryCount))
            .col(timestamp_with_time_zone(MemoryClusters::CreatedAt))
            .col(timestamp_with_time_zone(MemoryClusters::UpdatedAt))
            .check(Check::named(
                "ck_memory_clusters_memory_count",
                Expr::col(MemoryClusters::MemoryCount).gte(0),
            ))
            .to_owned();
        create_table(manager, "memory_clusters", clusters).await?;
        create_indexes(
            manager,
            "memory_clusters",
            &[
                (
                    "idx_cluster_unique",
                    &[
                        MemoryClusters::UserId,
                        MemoryClusters::Topic,
                        MemoryClusters::Category,
                    ][..],
                    true,
                ),
                (
                    "idx_cluster_topic",
                    &[MemoryClusters::Topic, MemoryClusters::Id][..],
                    false,
                ),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["memory_clusters", "memories"]).await
    }
}
