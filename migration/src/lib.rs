#![doc = include_str!("../README.md")]
// Migrations follow sea-orm-migration's idiom of glob-importing its prelude and schema helpers,
// and a table's whole definition reads best as one function.
#![allow(clippy::wildcard_imports, clippy::too_many_lines)]

pub mod dialect;
mod legacy;

pub use sea_orm_migration::{MigrationStatus, MigratorTrait};

use sea_orm_migration::prelude::*;

/// The legacy migration track, recorded in `seaql_migrations`.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        legacy::migrations()
    }
}

/// Names of the tables the legacy track creates, in dependency order (parents first).
pub const LEGACY_TABLES: [&str; 7] = [
    "organizations",
    "documents",
    "knowledge_items",
    "knowledge_relationships",
    "tasks",
    "task_dependencies",
    "personas",
];
