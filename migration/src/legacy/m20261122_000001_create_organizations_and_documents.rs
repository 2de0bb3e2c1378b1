//! `organizations` and the `documents` they own.

use sea_orm_migration::{prelude::*, schema::*};

use crate::dialect::{add_json_checks, bytewise};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
    Name,
    Slug,
    Metadata,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Documents {
    Table,
    Id,
    OrganizationId,
    Path,
    Title,
    DocType,
    Content,
    ContentHash,
    SizeBytes,
    Metadata,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();

        let mut organizations = Table::create()
            .table(Organizations::Table)
            .col(pk_uuid(Organizations::Id))
            .col(bytewise(backend, string_len_uniq(Organizations::Name, 200)))
            .col(string_len_uniq(Organizations::Slug, 64))
            .col(json_binary(Organizations::Metadata))
            .col(timestamp_with_time_zone(Organizations::CreatedAt))
            .col(timestamp_with_time_zone(Organizations::UpdatedAt))
            .to_owned();
        add_json_checks(backend, &mut organizations, "organizations", &["metadata"]);
        manager.create_table(organizations).await?;

        let mut documents = Table::create()
            .table(Documents::Table)
            .col(pk_uuid(Documents::Id))
            .col(uuid(Documents::OrganizationId))
            .col(bytewise(backend, string_len(Documents::Path, 512)))
            .col(string_len(Documents::Title, 500))
            .col(string_len(Documents::DocType, 64))
            .col(text(Documents::Content))
            .col(string_len(Documents::ContentHash, 64))
            .col(big_integer(Documents::SizeBytes))
            .col(json_binary(Documents::Metadata))
            .col(timestamp_with_time_zone(Documents::CreatedAt))
            .col(timestamp_with_time_zone(Documents::UpdatedAt))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_documents_organization")
                    .from(Documents::Table, Documents::OrganizationId)
                    .to(Organizations::Table, Organizations::Id)
                    .on_delete(ForeignKeyAction::Restrict)
                    .on_update(ForeignKeyAction::Restrict),
            )
            .check(Check::named(
                "ck_documents_size_bytes",
                Expr::col(Documents::SizeBytes).gte(0),
            ))
            .check(Check::named(
                "ck_documents_content_hash",
                Expr::cust("length(\"content_hash\") = 64"),
            ))
            .to_owned();
        add_json_checks(backend, &mut documents, "documents", &["metadata"]);
        manager.create_table(documents).await?;

        // Path lookups and listing an organization's documents in path order.
        manager
            .create_index(
                Index::create()
                    .name("ux_documents_organization_path")
                    .table(Documents::Table)
                    .col(Documents::OrganizationId)
                    .col(Documents::Path)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Listing filtered by doc_type, still in path order.
        manager
            .create_index(
                Index::create()
                    .name("ix_documents_organization_type_path")
                    .table(Documents::Table)
                    .col(Documents::OrganizationId)
                    .col(Documents::DocType)
                    .col(Documents::Path)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_documents_content_hash")
                    .table(Documents::Table)
                    .col(Documents::ContentHash)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Documents::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Organizations::Table).to_owned())
            .await
    }
}
