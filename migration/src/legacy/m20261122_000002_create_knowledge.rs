//! `knowledge_items` and the typed, weighted `knowledge_relationships` between them.

use sea_orm_migration::{prelude::*, schema::*};

use crate::dialect::{add_json_checks, bytewise};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum KnowledgeItems {
    Table,
    Id,
    Content,
    Source,
    KnowledgeType,
    ConfidenceScore,
    RetentionScore,
    AccessCount,
    LastAccessed,
    Metadata,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum KnowledgeRelationships {
    Table,
    SourceId,
    TargetId,
    RelationshipType,
    Strength,
    CreatedAt,
}

/// `column BETWEEN 0 AND 1`, named after the table and column.
fn unit_interval(table: &str, column: impl IntoIden, name: &str) -> Check {
    let column = column.into_iden();
    Check::named(
        format!("ck_{table}_{name}"),
        Expr::col(column.clone())
            .gte(0.0)
            .and(Expr::col(column).lte(1.0)),
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();

        let mut items = Table::create()
            .table(KnowledgeItems::Table)
            .col(pk_uuid(KnowledgeItems::Id))
            .col(text(KnowledgeItems::Content))
            .col(string_len(KnowledgeItems::Source, 500))
            .col(string_len(KnowledgeItems::KnowledgeType, 64))
            .col(double(KnowledgeItems::ConfidenceScore).default(0.0))
            .col(double(KnowledgeItems::RetentionScore).default(0.0))
            .col(big_integer(KnowledgeItems::AccessCount).default(0))
            .col(timestamp_with_time_zone_null(KnowledgeItems::LastAccessed))
            .col(json_binary(KnowledgeItems::Metadata))
            .col(timestamp_with_time_zone(KnowledgeItems::CreatedAt))
            .col(timestamp_with_time_zone(KnowledgeItems::UpdatedAt))
            .check(unit_interval(
                "knowledge_items",
                KnowledgeItems::ConfidenceScore,
                "confidence_score",
            ))
            .check(unit_interval(
                "knowledge_items",
                KnowledgeItems::RetentionScore,
                "retention_score",
            ))
            .check(Check::named(
                "ck_knowledge_items_access_count",
                Expr::col(KnowledgeItems::AccessCount).gte(0),
            ))
            .to_owned();
        add_json_checks(backend, &mut items, "knowledge_items", &["metadata"]);
        manager.create_table(items).await?;

        // Top-N by retention, with and without a type filter.
        manager
            .create_index(
                Index::create()
                    .name("ix_knowledge_items_retention")
                    .table(KnowledgeItems::Table)
                    .col((KnowledgeItems::RetentionScore, IndexOrder::Desc))
                    .col(KnowledgeItems::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_knowledge_items_type_retention")
                    .table(KnowledgeItems::Table)
                    .col(KnowledgeItems::KnowledgeType)
                    .col((KnowledgeItems::RetentionScore, IndexOrder::Desc))
                    .col(KnowledgeItems::Id)
                    .to_owned(),
            )
            .await?;

        let relationships = Table::create()
            .table(KnowledgeRelationships::Table)
            .col(uuid(KnowledgeRelationships::SourceId))
            .col(uuid(KnowledgeRelationships::TargetId))
            .col(bytewise(
                backend,
                string_len(KnowledgeRelationships::RelationshipType, 64),
            ))
            .col(double(KnowledgeRelationships::Strength).default(0.0))
            .col(timestamp_with_time_zone(KnowledgeRelationships::CreatedAt))
            .primary_key(
                Index::create()
                    .name("pk_knowledge_relationships")
                    .col(KnowledgeRelationships::SourceId)
                    .col(KnowledgeRelationships::TargetId)
                    .col(KnowledgeRelationships::RelationshipType),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_knowledge_relationships_source")
                    .from(
                        KnowledgeRelationships::Table,
                        KnowledgeRelationships::SourceId,
                    )
                    .to(KnowledgeItems::Table, KnowledgeItems::Id)
                    .on_delete(ForeignKeyAction::Cascade)
                    .on_update(ForeignKeyAction::Restrict),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_knowledge_relationships_target")
                    .from(
                        KnowledgeRelationships::Table,
                        KnowledgeRelationships::TargetId,
                    )
                    .to(KnowledgeItems::Table, KnowledgeItems::Id)
                    .on_delete(ForeignKeyAction::Cascade)
                    .on_update(ForeignKeyAction::Restrict),
            )
            .check(Check::named(
                "ck_knowledge_relationships_no_self_loop",
                Expr::col(KnowledgeRelationships::SourceId)
                    .ne(Expr::col(KnowledgeRelationships::TargetId)),
            ))
            .check(unit_interval(
                "knowledge_relationships",
                KnowledgeRelationships::Strength,
                "strength",
            ))
            .to_owned();
        manager.create_table(relationships).await?;

        // Incoming edges; outgoing ones are served by the primary key.
        manager
            .create_index(
                Index::create()
                    .name("ix_knowledge_relationships_target_type")
                    .table(KnowledgeRelationships::Table)
                    .col(KnowledgeRelationships::TargetId)
                    .col(KnowledgeRelationships::RelationshipType)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(KnowledgeRelationships::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(KnowledgeItems::Table).to_owned())
            .await
    }
}
