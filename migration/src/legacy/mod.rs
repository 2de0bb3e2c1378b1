//! Legacy track migrations, oldest first.

use sea_orm_migration::MigrationTrait;

mod m20261122_000001_create_organizations_and_documents;
mod m20261122_000002_create_knowledge;
mod m20261122_000003_create_tasks;
mod m20261122_000004_create_personas;
mod m20261123_000005_index_documents_by_hash_in_path_order;
mod m20261124_000006_count_task_dependents;

pub(crate) fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261122_000001_create_organizations_and_documents::Migration),
        Box::new(m20261122_000002_create_knowledge::Migration),
        Box::new(m20261122_000003_create_tasks::Migration),
        Box::new(m20261122_000004_create_personas::Migration),
        Box::new(m20261123_000005_index_documents_by_hash_in_path_order::Migration),
        Box::new(m20261124_000006_count_task_dependents::Migration),
    ]
}
