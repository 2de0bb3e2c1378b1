//! The data set: `rows` documents, personas, knowledge items, tasks and graph nodes, loaded
//! through memdb's public API with contents drawn from a seeded generator, so every run reads
//! the same data (only the time-ordered ids differ).

use std::future::Future;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use memdb_enhanced_repository::EnhancedRepositories;
use memdb_enhanced_repository::graph::NodeUpsert;
use memdb_repository::OrganizationId;
use memdb_repository::documents::NewDocument;
use memdb_repository::knowledge::NewKnowledge;
use memdb_repository::organizations::NewOrganization;
use memdb_repository::personas::NewPersona;
use memdb_repository::taskmaster::{BulkTask, NewTask};
use serde_json::json;
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::dataset_document_index::DocumentIndexData;
use crate::dataset_extra::{self, EnhancedData};
use crate::dataset_memory::MemoryData;
use crate::dataset_sessions::SessionData;
use crate::progress::Progress;
use crate::rng::SplitMix64;
use crate::tables::{Table, Tables};

/// Callers loading one table at once (PostgreSQL takes them in parallel; SQLite queues them).
const LOADERS: u64 = 4;

/// Rows per bulk call of the loader: a progress step, and a transaction of bounded size.
const ROWS_PER_BULK_CALL: u64 = 5_000;

/// The agent type of the tasks the point reads use (no workload claims them).
pub(crate) const READ_AGENT: &str = "bench-read";

/// What the workloads read: the ids of every loaded row, in load order.
pub(crate) struct Dataset {
    /// The organization that owns the documents.
    pub(crate) organization: OrganizationId,
    pub(crate) documents: Vec<Uuid>,
    pub(crate) personas: Vec<Uuid>,
    pub(crate) knowledge: Vec<Uuid>,
    pub(crate) tasks: Vec<Uuid>,
    pub(crate) graph_nodes: Vec<Uuid>,
    /// The enhanced tables' keys (empty when not loaded).
    pub(crate) enhanced: EnhancedData,
    /// The memory entries (none when not loaded).
    pub(crate) memory: MemoryData,
    /// The sessions (none when not loaded).
    pub(crate) sessions: SessionData,
    /// How many tiered memories were loaded (see `dataset_tiered`).
    pub(crate) tiered: u64,
    /// The document index's documents (none when not loaded).
    pub(crate) document_index: DocumentIndexData,
}

/// A document's fields for row `i` of a set seeded with `seed`.
pub(crate) fn document(organization: OrganizationId, seed: u64, i: u64) -> NewDocument {
    let mut rng = SplitMix64::new(seed ^ i.wrapping_mul(0x2545_F491_4F6C_DD1D));
    NewDocument {
        organization_id: organization,
        path: format!("docs/{:03}/{i:08}.md", rng.below(1000)),
        title: rng.text(4),
        doc_type: "markdown".to_owned(),
        content: rng.text(60),
        metadata: json!({ "n": i, "tag": rng.text(1) }),
    }
}

/// A knowledge item's fields for row `i` of a set seeded with `seed`.
pub(crate) fn knowledge_item(seed: u64, i: u64) -> NewKnowledge {
    let mut rng = SplitMix64::new(seed ^ i);
    NewKnowledge {
        content: rng.text(30),
        source: "bench".to_owned(),
        knowledge_type: "fact".to_owned(),
        confidence_score: f64::from(rng.below(100) as u32) / 100.0,
        retention_score: f64::from(rng.below(100) as u32) / 100.0,
        metadata: json!({}),
    }
}

/// Builds the data set with `rows` rows per table of `tables` (the others stay empty):
/// documents, knowledge items and tasks through the bulk calls, personas and graph nodes
/// (which have none) one call per row, then the edges and enhanced tables
/// ([`dataset_extra`]).
///
/// # Errors
/// The first failing call's error.
pub(crate) async fn build(
    repos: &EnhancedRepositories,
    rows: u64,
    tables: Tables,
) -> Result<Dataset> {
    // An unloaded table's load is a range of no rows.
    let rows_of = |table: Table| if tables.has(table) { rows } else { 0 };
    let organization = repos
        .legacy
        .organizations
        .create(NewOrganization {
            name: "Bench".to_owned(),
            slug: "bench".to_owned(),
            metadata: json!({}),
        })
        .await?
        .id;
    let documents = load_in_bulk("documents", rows_of(Table::Documents), |range| async move {
        let inputs = range.map(|i| document(organization, 1, i)).collect();
        let created = repos.legacy.documents.create_many(inputs).await?;
        Ok(created.iter().map(|d| d.id.as_uuid()).collect())
    })
    .await?;
    let personas = load(
        "personas",
        rows_of(Table::Personas),
        repos,
        |r, i| async move {
            let mut rng = SplitMix64::new(2 ^ i);
            let persona = NewPersona {
                name: format!("persona {i}"),
                description: rng.text(12),
                system_prompt: rng.text(40),
                traits: json!({ "tone": rng.text(1) }),
                is_active: true,
            };
            Ok(r.legacy.personas.create(persona).await?.id.as_uuid())
        },
    )
    .await?;
    let knowledge = load_in_bulk(
        "knowledge items",
        rows_of(Table::Knowledge),
        |range| async move {
            let inputs = range.map(|i| knowledge_item(3, i)).collect();
            let added = repos.legacy.knowledge.add_many(inputs).await?;
            Ok(added.iter().map(|k| k.id.as_uuid()).collect())
        },
    )
    .await?;
    let tasks = load_in_bulk("tasks", rows_of(Table::Tasks), |range| async move {
        let inputs = range
            .map(|i| {
                let mut rng = SplitMix64::new(4 ^ i);
                BulkTask::from(NewTask {
                    agent_type: READ_AGENT.to_owned(),
                    priority: rng.below(11) as u8,
                    ..NewTask::new(rng.text(10))
                })
            })
            .collect();
        let submitted = repos.legacy.tasks.submit_many(inputs).await?;
        Ok(submitted.iter().map(|t| t.id.as_uuid()).collect())
    })
    .await?;
    let graph_nodes = load(
        "graph nodes",
        rows_of(Table::GraphNodes),
        repos,
        |r, i| async move {
            let mut rng = SplitMix64::new(5 ^ i);
            let node = NodeUpsert {
                kind: "concept".to_owned(),
                key: format!("node-{i}"),
                properties: json!({ "label": rng.text(3) }),
            };
            Ok(r.graph.upsert_node(node).await?.id.as_uuid())
        },
    )
    .await?;
    if tables.has(Table::Relationships) {
        dataset_extra::relationships(repos, &knowledge).await?;
    }
    if tables.has(Table::GraphEdges) {
        dataset_extra::graph_edges(repos, &graph_nodes).await?;
    }
    let enhanced = if tables.has(Table::Enhanced) {
        dataset_extra::enhanced(repos, (rows / 4).max(100)).await?
    } else {
        EnhancedData::default()
    };
    Ok(Dataset {
        organization,
        documents,
        personas,
        knowledge,
        tasks,
        graph_nodes,
        enhanced,
        memory: MemoryData::default(),
        sessions: SessionData::default(),
        tiered: 0,
        document_index: DocumentIndexData::default(),
    })
}

/// Calls `create_many` for `0..rows` in ranges of [`ROWS_PER_BULK_CALL`], one after the other,
/// returning the ids in index order.
pub(crate) async fn load_in_bulk<F, Fut>(
    label: &'static str,
    rows: u64,
    create_many: F,
) -> Result<Vec<Uuid>>
where
    F: Fn(std::ops::Range<u64>) -> Fut,
    Fut: Future<Output = Result<Vec<Uuid>>>,
{
    let mut progress = Progress::new(label, rows);
    let mut ids = Vec::with_capacity(rows as usize);
    for start in (0..rows).step_by(ROWS_PER_BULK_CALL as usize) {
        ids.extend(create_many(start..rows.min(start + ROWS_PER_BULK_CALL)).await?);
        progress.update(ids.len() as u64);
    }
    Ok(ids)
}

/// Calls `create` for `0..rows` from [`LOADERS`] concurrent callers, returning the ids in
/// index order.
pub(crate) async fn load<F, Fut>(
    label: &'static str,
    rows: u64,
    repos: &EnhancedRepositories,
    create: F,
) -> Result<Vec<Uuid>>
where
    F: Fn(Arc<EnhancedRepositories>, u64) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<Uuid>> + Send,
{
    let repos = Arc::new(repos.clone());
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<()>();
    let mut loaders = JoinSet::new();
    for loader in 0..LOADERS {
        let (repos, create, sender) = (repos.clone(), create.clone(), sender.clone());
        loaders.spawn(async move {
            let mut ids = Vec::new();
            for i in (loader..rows).step_by(LOADERS as usize) {
                ids.push((i, create(repos.clone(), i).await?));
                // The receiver outlives the loaders; a send cannot fail.
                let _ = sender.send(());
            }
            anyhow::Ok(ids)
        });
    }
    drop(sender);
    let mut progress = Progress::new(label, rows);
    let mut done = 0;
    while receiver.recv().await.is_some() {
        done += 1;
        progress.update(done);
    }
    let mut ids = Vec::with_capacity(rows as usize);
    while let Some(joined) = loaders.join_next().await {
        ids.extend(joined.context("a loader panicked")??);
    }
    ids.sort_unstable_by_key(|(i, _)| *i);
    Ok(ids.into_iter().map(|(_, id)| id).collect())
}
