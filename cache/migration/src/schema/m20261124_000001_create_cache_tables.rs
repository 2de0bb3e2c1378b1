//! `cache_entries` (a model's cached response per key, with hits and an expiry),
//! `template_status` (per prompt template: call count, latency total and running average, the
//! environmental context of the last cached call) and `interactions` (stored calls with their
//! outcome and environmental context), seed 000's cache schema.
//!
//! Indexes, one per query the cache repository sends: the primary keys serve get/put by key and
//! the template statistics; `idx_cache_entries_expires` the purge of expired entries (oldest
//! expiry first); `idx_interactions_template` a template's interactions in time order (the
//! drift report). The JSON contexts are compared through their canonical SHA-256
//! (`*_context_hash`, written by the repository), so the drift report is one indexed join on
//! every backend.

use memdb_migration::dialect::add_json_checks;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum CacheEntries {
    Table,
    Key,
    Model,
    PromptHash,
    Response,
    Hits,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum TemplateStatus {
    Table,
    Template,
    CallCount,
    TotalLatencyMs,
    AvgLatencyMs,
    LastCachedContext,
    LastContextHash,
    LastContextTime,
}

#[derive(DeriveIden, Clone, Copy)]
enum Interactions {
    Table,
    Id,
    Template,
    Input,
    Output,
    Outcome,
    LatencyMs,
    EnvironmentalContext,
    ContextHash,
    CreatedAt,
}

/// The outcomes an interaction may have, frozen as of this migration.
const OUTCOMES: [&str; 3] = ["success", "failure", "outlier"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut entries = Table::create()
            .table(CacheEntries::Table)
            .col(string_len(CacheEntries::Key, 512).primary_key())
            .col(string_len(CacheEntries::Model, 200))
            .col(string_len(CacheEntries::PromptHash, 128))
            .col(json_binary(CacheEntries::Response))
            .col(big_integer(CacheEntries::Hits).default(0))
            .col(timestamp_with_time_zone(CacheEntries::CreatedAt))
            .col(timestamp_with_time_zone(CacheEntries::ExpiresAt))
            .check(Check::named(
                "ck_cache_entries_hits",
                Expr::col(CacheEntries::Hits).gte(0),
            ))
            .to_owned();
        add_json_checks(backend, &mut entries, "cache_entries", &["response"]);
        manager.create_table(entries).await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_cache_entries_expires")
                    .table(CacheEntries::Table)
                    .col(CacheEntries::ExpiresAt)
                    .col(CacheEntries::Key)
                    .to_owned(),
            )
            .await?;

        let mut status = Table::create()
            .table(TemplateStatus::Table)
            .col(string_len(TemplateStatus::Template, 200).primary_key())
            .col(big_integer(TemplateStatus::CallCount).default(0))
            .col(big_integer(TemplateStatus::TotalLatencyMs).default(0))
            .col(double(TemplateStatus::AvgLatencyMs).default(0.0))
            .col(json_binary_null(TemplateStatus::LastCachedContext))
            .col(string_len_null(TemplateStatus::LastContextHash, 64))
            .col(timestamp_with_time_zone_null(
                TemplateStatus::LastContextTime,
            ))
            .check(Check::named(
                "ck_template_status_counts",
                Expr::col(TemplateStatus::CallCount)
                    .gte(0)
                    .and(Expr::col(TemplateStatus::TotalLatencyMs).gte(0))
                    .and(Expr::col(TemplateStatus::AvgLatencyMs).gte(0.0)),
            ))
            .to_owned();
        add_json_checks(
            backend,
            &mut status,
            "template_status",
            &["last_cached_context"],
        );
        manager.create_table(status).await?;

        let mut interactions = Table::create()
            .table(Interactions::Table)
            .col(pk_uuid(Interactions::Id))
            .col(string_len(Interactions::Template, 200))
            .col(text(Interactions::Input))
            .col(text(Interactions::Output))
            .col(string_len(Interactions::Outcome, 16))
            .col(big_integer(Interactions::LatencyMs))
            .col(json_binary_null(Interactions::EnvironmentalContext))
            .col(string_len_null(Interactions::ContextHash, 64))
            .col(timestamp_with_time_zone(Interactions::CreatedAt))
            .check(Check::named(
                "ck_interactions_outcome",
                Expr::col(Interactions::Outcome).is_in(OUTCOMES),
            ))
            .check(Check::named(
                "ck_interactions_latency",
                Expr::col(Interactions::LatencyMs).gte(0),
            ))
            .to_owned();
        add_json_checks(
            backend,
            &mut interactions,
            "interactions",
            &["environmental_context"],
        );
        manager.create_table(interactions).await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_interactions_template")
                    .table(Interactions::Table)
                    .col(Interactions::Template)
                    .col(Interactions::CreatedAt)
                    .col(Interactions::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Interactions::Table.into_iden(),
            TemplateStatus::Table.into_iden(),
            CacheEntries::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
