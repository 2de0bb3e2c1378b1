//! The cache track's migrations, oldest first, and the tables they create.

use sea_orm_migration::MigrationTrait;

mod m20261124_000001_create_cache_tables;

/// Every table the track creates, parents first.
pub(crate) const TABLES: &[&str] = &["cache_entries", "template_status", "interactions"];

/// The migrations, oldest first.
pub(crate) fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![Box::new(m20261124_000001_create_cache_tables::Migration)]
}
