//! Which tables of the data set a run loads: with `--only`, just those the selected workloads
//! read, so a targeted run does not spend minutes loading tables it never touches.

/// A group of rows the data set can load.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Table {
    Documents,
    Personas,
    Knowledge,
    /// Edges between knowledge items (a chain, plus a jump every few items).
    Relationships,
    Tasks,
    GraphNodes,
    GraphEdges,
    /// The enhanced repositories' own tables: audit log, file hashes, git operations, tags,
    /// violations, health metrics.
    Enhanced,
    /// Memory entries (see `dataset_memory`).
    Memory,
    /// Sessions with their state and events (see `dataset_sessions`).
    Sessions,
    /// Tiered memories (see `dataset_tiered`).
    Tiered,
    /// The document index with its embeddings (see `dataset_document_index`).
    DocumentIndex,
}

use Table::{
    DocumentIndex, Documents, Enhanced, GraphEdges, GraphNodes, Knowledge, Memory, Personas,
    Relationships, Sessions, Tasks, Tiered,
};

/// How many tables there are.
const TABLES: usize = Tiered as usize + 2;

/// Every workload that reads the data set, and the tables it reads. Workloads missing here
/// (task submit, the queue, bulk loads, migration, the 50 concurrent sessions) write their own
/// rows.
const NEEDS: &[(&str, &[Table])] = &[
    ("documents.get", &[Documents]),
    ("personas.get", &[Personas]),
    ("tasks.get", &[Tasks]),
    ("knowledge.get (records the access)", &[Knowledge]),
    ("graph.get_node (enhanced)", &[GraphNodes]),
    ("documents.list page of 100", &[Documents]),
    ("mixed writes", &[Documents, Personas]),
    ("documents.search page of 20", &[Documents]),
    ("personas.list page of 100", &[Personas]),
    ("tasks.list by agent type page of 100", &[Tasks]),
    ("knowledge.search by type page of 100", &[Knowledge]),
    ("knowledge.top_by_retention 20", &[Knowledge]),
    ("knowledge.neighbours", &[Knowledge, Relationships]),
    ("graph.traverse 3 hops", &[GraphNodes, GraphEdges]),
    (
        "graph.shortest_path up to 6 hops",
        &[GraphNodes, GraphEdges],
    ),
    ("graph.get_node_by_key (enhanced)", &[GraphNodes]),
    ("audit.for_row (enhanced)", &[Enhanced]),
    ("file_hashes.latest (enhanced)", &[Enhanced]),
    ("git_operations.get_by_commit (enhanced)", &[Enhanced]),
    ("tags.get_definition (enhanced)", &[Enhanced]),
    ("violations.get (enhanced)", &[Enhanced]),
    ("health_metrics.latest (enhanced)", &[Enhanced]),
    ("audited documents.update_content", &[Documents]),
    ("memory.get latest", &[Memory]),
    ("memory.get_version 2 of 3", &[Memory]),
    ("memory.list 1,000 entries of a prefix", &[Memory]),
    ("sessions.get (merged state)", &[Sessions]),
    ("sessions.append_events 1 event", &[Sessions]),
    ("sessions.events_latest 20", &[Sessions]),
    ("sessions.events_after page of 50", &[Sessions]),
    ("sessions.list by user+status page of 20", &[Sessions]),
    ("tiered.search", &[Tiered]),
    ("tiered.thread", &[Tiered]),
    ("tiered.by_tier", &[Tiered]),
    ("tiered.cluster", &[Tiered]),
    (crate::workloads::policies::PLAN, &[Tiered]),
    (crate::workloads::policies::RUN, &[Tiered]),
    ("document_index.nearest", &[DocumentIndex]),
];

/// The tables a run loads.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tables {
    everything: bool,
    wanted: [bool; TABLES],
}

impl Tables {
    /// The tables the workloads `selects` picks read; every table when it picks every
    /// workload (no `only` pattern, nothing skipped), or when `only` is a name this list does
    /// not know (better slow than a workload without data).
    pub(crate) fn for_selection(
        selects: impl Fn(&str) -> bool,
        only: Option<&str>,
        skipping: bool,
    ) -> Self {
        let mut wanted = [false; TABLES];
        let mut known = false;
        for (name, tables) in NEEDS {
            if selects(name) {
                known = true;
                for table in *tables {
                    wanted[*table as usize] = true;
                }
            }
        }
        let everything = (only.is_none() && !skipping)
            || (only.is_some() && !known && !only.is_some_and(is_self_loading));
        Self { everything, wanted }
    }

    /// Whether `table` is loaded.
    pub(crate) fn has(&self, table: Table) -> bool {
        self.everything || self.wanted[table as usize]
    }
}

/// Whether `pattern` names only workloads that write their own rows.
fn is_self_loading(pattern: &str) -> bool {
    [
        "tasks.submit",
        "tasks.claim_next",
        "bulk load",
        "migrate",
        "audited documents.create",
        "memory.put_many",
        "sessions.50 concurrent",
    ]
    .iter()
    .any(|name| name.contains(pattern) || pattern.contains(name))
}
