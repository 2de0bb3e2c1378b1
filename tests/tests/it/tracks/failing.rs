//! A migration that fails: a test-only track on the legacy track whose second migration creates
//! a table and then fails on a statement. The run stops there, the failing migration is rolled
//! back whole (its first table too, on SQLite as on PostgreSQL), the migrations before it stay
//! applied, and the error names the migration and the statement.

use std::time::Duration;

use memdb_migration::cli::{CliError, Context, change};
use memdb_migration::inspect::{row_counts, schema_status};
use memdb_migration::plan::{Action, Direction};
use memdb_migration::{LEGACY_TRACK, MigratorTrack, Track, TrackError, Tracks};
use memdb_tests::TestDb;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::pk_auto;

struct FailingMigrator;

#[async_trait::async_trait]
impl MigratorTrait for FailingMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(CreateFirst), Box::new(Broken)]
    }

    fn migration_table_name() -> DynIden {
        "test_failing_migrations".into_iden()
    }
}

const FIRST: &str = "m20990201_000001_create_test_failing_first";
const BROKEN: &str = "m20990201_000002_create_second_then_fail";

const FAILING_TRACK: Track = Track {
    name: "test_failing",
    tracking_table: "test_failing_migrations",
    tables: &["test_failing_first", "test_failing_second"],
    depends_on: &["legacy"],
    disposable: false,
    migrator: &MigratorTrack::<FailingMigrator>::new(),
};

fn table(name: &str) -> TableCreateStatement {
    Table::create()
        .table(Alias::new(name))
        .col(pk_auto(Alias::new("id")))
        .to_owned()
}

struct CreateFirst;

impl MigrationName for CreateFirst {
    fn name(&self) -> &str {
        FIRST
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateFirst {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(table("test_failing_first")).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(Alias::new("test_failing_first"))
                    .to_owned(),
            )
            .await
    }
}

/// Creates `test_failing_second`, then `test_failing_first` again, which exists. Left to
/// sea-orm-migration's default (`use_transaction` None: no transaction of its own on SQLite),
/// so only memdb's per-migration transaction can take the first table back.
struct Broken;

impl MigrationName for Broken {
    fn name(&self) -> &str {
        BROKEN
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Broken {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(table("test_failing_second")).await?;
        manager.create_table(table("test_failing_first")).await
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}

#[tokio::test]
async fn a_failing_migration_leaves_the_version_before_it_and_is_named() {
    let db = TestDb::empty().await;
    let tracks = Tracks::new([LEGACY_TRACK, FAILING_TRACK]).expect("the tracks fit together");
    let ctx = Context {
        tracks: &tracks,
        database: "the test database".to_owned(),
        url: memdb_migration::cli::DatabaseUrl::new(db.url()),
        lock_timeout: Duration::from_secs(30),
    };

    let err = change(db.conn(), &ctx, Action::Up { steps: None }, None, None)
        .await
        .expect_err("the broken migration fails");
    let CliError::Track(err) = err else {
        panic!("a track error: {err}");
    };
    let TrackError::MigrationFailed(failed) = *err else {
        panic!("a failed migration: {err}");
    };
    assert_eq!(failed.track, "test_failing");
    assert_eq!(failed.migration, BROKEN);
    assert_eq!(failed.direction, Direction::Up);
    let statement = failed
        .statement
        .clone()
        .expect("the failing statement is named");
    assert!(
        statement.starts_with("CREATE TABLE") && statement.contains("\"test_failing_first\""),
        "{statement}"
    );
    let message = TrackError::MigrationFailed(failed).to_string();
    assert!(
        message.contains(BROKEN) && message.contains(&statement),
        "{message}"
    );

    // Every migration before it stays applied; it left nothing behind.
    let status = schema_status(db.conn(), &tracks).await.expect("status");
    let failing = status.track("test_failing").expect("the track");
    assert_eq!(failing.applied_names(), [FIRST]);
    assert_eq!(failing.pending_names(), [BROKEN]);
    assert_eq!(status.track("legacy").expect("legacy").pending_count(), 0);
    let tables = row_counts(db.conn(), FAILING_TRACK.tables)
        .await
        .expect("count rows");
    assert_eq!(tables[0].rows, Some(0), "the first migration's table stays");
    assert_eq!(tables[1].rows, None, "the failed migration's table is gone");

    drop(db);
}
