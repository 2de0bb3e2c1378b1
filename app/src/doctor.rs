//! `memdb doctor`: memdb-migration's doctor over the tracks this build knows, plus the drift
//! between the generated entities this build links and the live tables.

use anyhow::Result;
use memdb_migration::cli::{Context, EntitySet};
use memdb_migration::drift::entity::EntityShape;
use sea_orm::DatabaseConnection;

/// Runs every check and prints the report; fails (exit code 1) when a check found a problem.
pub(crate) async fn run(db: &DatabaseConnection, ctx: &Context<'_>, json: bool) -> Result<()> {
    memdb_migration::cli::doctor(db, ctx, &entity_sets(), json).await?;
    Ok(())
}

/// The entity crates this build links, each with every entity it generates.
fn entity_sets() -> Vec<EntitySet> {
    use memdb_entity as e;
    let legacy = EntitySet {
        name: "memdb-entity",
        entities: vec![
            EntityShape::of::<e::organizations::Entity>(),
            EntityShape::of::<e::documents::Entity>(),
            EntityShape::of::<e::knowledge_items::Entity>(),
            EntityShape::of::<e::knowledge_relationships::Entity>(),
            EntityShape::of::<e::tasks::Entity>(),
            EntityShape::of::<e::task_dependencies::Entity>(),
            EntityShape::of::<e::personas::Entity>(),
        ],
    };
    let mut sets = vec![legacy];
    sets.extend(enhanced());
    sets.extend(cache());
    sets
}

/// The cache build's entity set; none without the feature `cache`.
#[cfg(not(feature = "cache"))]
fn cache() -> Vec<EntitySet> {
    Vec::new()
}

/// The cache build's entity set: memdb-cache-entity.
#[cfg(feature = "cache")]
fn cache() -> Vec<EntitySet> {
    use memdb_cache_entity as e;
    vec![EntitySet {
        name: "memdb-cache-entity",
        entities: vec![
            EntityShape::of::<e::cache_entries::Entity>(),
            EntityShape::of::<e::template_status::Entity>(),
            EntityShape::of::<e::interactions::Entity>(),
        ],
    }]
}

/// The enhanced build's entity set; none in the legacy build.
#[cfg(not(feature = "enhanced"))]
fn enhanced() -> Vec<EntitySet> {
    Vec::new()
}

/// The enhanced build's entity set: memdb-enhanced-entity.
#[cfg(feature = "enhanced")]
fn enhanced() -> Vec<EntitySet> {
    use memdb_enhanced_entity as e;
    vec![EntitySet {
        name: "memdb-enhanced-entity",
        entities: vec![
            EntityShape::of::<e::audit_log::Entity>(),
            EntityShape::of::<e::file_hash_history::Entity>(),
            EntityShape::of::<e::file_hash_current::Entity>(),
            EntityShape::of::<e::git_operations::Entity>(),
            EntityShape::of::<e::git_operation_files::Entity>(),
            EntityShape::of::<e::tag_definitions::Entity>(),
            EntityShape::of::<e::file_tags::Entity>(),
            EntityShape::of::<e::violations::Entity>(),
            EntityShape::of::<e::health_metrics::Entity>(),
            EntityShape::of::<e::graph_nodes::Entity>(),
            EntityShape::of::<e::graph_edges::Entity>(),
            EntityShape::of::<e::memory_entries::Entity>(),
            EntityShape::of::<e::sessions::Entity>(),
            EntityShape::of::<e::session_events::Entity>(),
            EntityShape::of::<e::app_state_entries::Entity>(),
            EntityShape::of::<e::user_state_entries::Entity>(),
            EntityShape::of::<e::session_tasks::Entity>(),
            EntityShape::of::<e::agents::Entity>(),
            EntityShape::of::<e::checkpoints::Entity>(),
            EntityShape::of::<e::memories::Entity>(),
            EntityShape::of::<e::memory_clusters::Entity>(),
            EntityShape::of::<e::document_index::Entity>(),
        ],
    }]
}
