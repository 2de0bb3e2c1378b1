//! `personas`: named system prompts with traits, versioned on every update.

use sea_orm_migration::{prelude::*, schema::*};

use crate::dialect::{add_json_checks, bytewise};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum Personas {
    Table,
    Id,
    Name,
    Description,
    SystemPrompt,
    Traits,
    IsActive,
    Version,
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

        let mut personas = Table::create()
            .table(Personas::Table)
            .col(pk_uuid(Personas::Id))
            .col(bytewise(backend, string_len_uniq(Personas::Name, 200)))
            .col(text(Personas::Description))
            .col(text(Personas::SystemPrompt))
            .col(json_binary(Personas::Traits))
            .col(boolean(Personas::IsActive).default(true))
            .col(integer(Personas::Version).default(1))
            .col(timestamp_with_time_zone(Personas::CreatedAt))
            .col(timestamp_with_time_zone(Personas::UpdatedAt))
            .check(Check::named(
                "ck_personas_version",
                Expr::col(Personas::Version).gte(1),
            ))
            .to_owned();
        add_json_checks(backend, &mut personas, "personas", &["traits"]);
        manager.create_table(personas).await?;

        // Listing active personas by name.
        manager
            .create_index(
                Index::create()
                    .name("ix_personas_active_name")
                    .table(Personas::Table)
                    .col(Personas::IsActive)
                    .col(Personas::Name)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Personas::Table).to_owned())
            .await
    }
}
