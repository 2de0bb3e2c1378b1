//! A test-only track built on the legacy track: one table whose rows point at organizations,
//! recorded in a tracking table whose name does not end in `_migrations` (unknown tracks are
//! recognised by the table's shape, not its name).

use memdb_migration::{LEGACY_TRACK, MigratorTrack, Track, Tracks};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{pk_auto, uuid};

/// The extra track's migrator.
pub(crate) struct ExtraMigrator;

#[async_trait::async_trait]
impl MigratorTrait for ExtraMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(CreateNotes)]
    }

    fn migration_table_name() -> DynIden {
        "test_extra_tracking".into_iden()
    }
}

/// The one migration's name.
pub(crate) const NOTES_MIGRATION: &str = "m20990101_000001_create_test_extra_notes";

/// The track.
pub(crate) const EXTRA_TRACK: Track = Track {
    name: "test_extra",
    tracking_table: "test_extra_tracking",
    tables: &["test_extra_notes"],
    depends_on: &["legacy"],
    disposable: false,
    migrator: &MigratorTrack::<ExtraMigrator>::new(),
};

/// Legacy and the extra track.
pub(crate) fn legacy_and_extra() -> Tracks {
    Tracks::new([EXTRA_TRACK, LEGACY_TRACK]).expect("the two tracks fit together")
}

/// Legacy alone: a build that does not know the extra track.
pub(crate) fn legacy_only() -> Tracks {
    Tracks::new([LEGACY_TRACK]).expect("the legacy track alone")
}

struct CreateNotes;

impl MigrationName for CreateNotes {
    fn name(&self) -> &str {
        NOTES_MIGRATION
    }
}

#[derive(DeriveIden)]
enum TestExtraNotes {
    Table,
    Id,
    OrganizationId,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for CreateNotes {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TestExtraNotes::Table)
                    .col(pk_auto(TestExtraNotes::Id))
                    .col(uuid(TestExtraNotes::OrganizationId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(TestExtraNotes::Table, TestExtraNotes::OrganizationId)
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TestExtraNotes::Table).to_owned())
            .await
    }
}
