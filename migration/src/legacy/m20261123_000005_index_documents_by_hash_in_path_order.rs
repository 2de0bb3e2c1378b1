//! Documents by content hash in (organization, path) order: `find_by_hash` pages through
//! duplicates of one content, and the single-column hash index made every page sort all of
//! them. The wider index serves the lookup and the order, so it replaces the old one.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden)]
enum Documents {
    Table,
    ContentHash,
    OrganizationId,
    Path,
}

const OLD_INDEX: &str = "ix_documents_content_hash";
const NEW_INDEX: &str = "ix_documents_content_hash_org_path";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NEW_INDEX)
                    .table(Documents::Table)
                    .col(Documents::ContentHash)
                    .col(Documents::OrganizationId)
                    .col(Documents::Path)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name(OLD_INDEX)
                    .table(Documents::Table)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(OLD_INDEX)
                    .table(Documents::Table)
                    .col(Documents::ContentHash)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name(NEW_INDEX)
                    .table(Documents::Table)
                    .to_owned(),
            )
            .await
    }
}
