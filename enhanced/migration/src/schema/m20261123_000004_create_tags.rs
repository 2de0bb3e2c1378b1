//! `tag_definitions` and the `file_tags` that apply them to file paths.
//!
//! A tag must be defined before a file can carry it: `file_tags.tag` refers to
//! `tag_definitions.name`, and a definition in use cannot be deleted.

use memdb_migration::dialect::bytewise;
use sea_orm_migration::{prelude::*, schema::*};

use crate::adopt::{create_index, create_table, drop_tables};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum TagDefinitions {
    Table,
    Name,
    Category,
    Color,
    Description,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum FileTags {
    Table,
    Path,
    Tag,
    Source,
    Confidence,
    CreatedAt,
    UpdatedAt,
}

/// Who may have put a tag on a file, frozen as of this migration.
const SOURCES: [&str; 2] = ["manual", "ai"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        // Names and paths are listed in order: bytewise, so pages agree on every backend. The
        // referencing `file_tags.tag` gets the same collation as the name it refers to.
        let definitions = Table::create()
            .table(TagDefinitions::Table)
            .col(bytewise(
                backend,
                string_len(TagDefinitions::Name, 64).primary_key().take(),
            ))
            .col(string_len(TagDefinitions::Category, 64))
            .col(string_len(TagDefinitions::Color, 7))
            .col(string_len(TagDefinitions::Description, 2000))
            .col(timestamp_with_time_zone(TagDefinitions::CreatedAt))
            // `#rrggbb` in lowercase, in functions both backends have alike.
            .check(Check::named(
                "ck_tag_definitions_color",
                Expr::cust(
                    "length(\"color\") = 7 AND substr(\"color\", 1, 1) = '#' \
                     AND ltrim(substr(\"color\", 2), '0123456789abcdef') = ''",
                ),
            ))
            .to_owned();
        create_table(manager, "tag_definitions", definitions).await?;

        let tags = Table::create()
            .table(FileTags::Table)
            .col(bytewise(backend, string_len(FileTags::Path, 1024)))
            .col(bytewise(backend, string_len(FileTags::Tag, 64)))
            .col(string_len(FileTags::Source, 16))
            .col(double(FileTags::Confidence))
            .col(timestamp_with_time_zone(FileTags::CreatedAt))
            .col(timestamp_with_time_zone(FileTags::UpdatedAt))
            // One row per file and tag: tagging again updates it.
            .primary_key(
                Index::create()
                    .name("pk_file_tags")
                    .col(FileTags::Path)
                    .col(FileTags::Tag),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_file_tags_tag")
                    .from(FileTags::Table, FileTags::Tag)
                    .to(TagDefinitions::Table, TagDefinitions::Name)
                    .on_delete(ForeignKeyAction::Restrict)
                    .on_update(ForeignKeyAction::Restrict),
            )
            .check(Check::named(
                "ck_file_tags_source",
                Expr::col(FileTags::Source).is_in(SOURCES),
            ))
            .check(Check::named(
                "ck_file_tags_confidence",
                Expr::col(FileTags::Confidence)
                    .gte(0.0)
                    .and(Expr::col(FileTags::Confidence).lte(1.0)),
            ))
            .to_owned();
        create_table(manager, "file_tags", tags).await?;

        // Definitions of one category in name order.
        let by_category = Index::create()
            .name("ix_tag_definitions_category_name")
            .table(TagDefinitions::Table)
            .col(TagDefinitions::Category)
            .col(TagDefinitions::Name)
            .to_owned();
        create_index(manager, "tag_definitions", by_category).await?;
        // One tag's files in path order: the tag-set queries walk it, tag counts count in it,
        // and the foreign key's restrict check on deleting a definition looks the tag up in it.
        let by_tag = Index::create()
            .name("ix_file_tags_tag_path")
            .table(FileTags::Table)
            .col(FileTags::Tag)
            .col(FileTags::Path)
            .to_owned();
        create_index(manager, "file_tags", by_tag).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["file_tags", "tag_definitions"]).await
    }
}
