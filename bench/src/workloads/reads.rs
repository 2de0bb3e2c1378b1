//! Point reads by id through each legacy repository and one enhanced one, and a listing page,
//! each beside the same SELECT (or, for `knowledge.get`, the same UPDATE ... RETURNING and a
//! plain SELECT) on the raw pool.

use std::sync::Arc;

use anyhow::{Result, ensure};
use memdb_enhanced_repository::GraphNodeId;
use memdb_repository::documents::DocumentFilter;
use memdb_repository::{DocumentId, KnowledgeId, Page, PersonaId, TaskId};

use super::{
    Bench, DOCUMENT_COLUMNS, GRAPH_NODE_COLUMNS, KNOWLEDGE_COLUMNS, PERSONA_COLUMNS, TASK_COLUMNS,
};
use crate::raw::Param;
use crate::report::ResultRow;
use crate::runner::{Side, latency, op};

/// A raw side running `sql` with the id of row `pick(i)` of `ids` and expecting one row.
fn raw_by_id(bench: &Bench, label: &'static str, sql: &str, ids: Arc<Vec<uuid::Uuid>>) -> Side {
    raw_side(bench, label, sql, ids, false)
}

/// As [`raw_by_id`]; with `stamped`, the statement's first parameter is the current time (as
/// memdb binds it) and the id comes second.
fn raw_side(
    bench: &Bench,
    label: &'static str,
    sql: &str,
    ids: Arc<Vec<uuid::Uuid>>,
    stamped: bool,
) -> Side {
    let raw = bench.raw.clone();
    let sql = Arc::new(raw.sql(sql));
    Side {
        label,
        op: op(move |i| {
            let (raw, sql, ids) = (raw.clone(), sql.clone(), ids.clone());
            async move {
                let id = ids[Bench::pick(i, ids.len())];
                let found = if stamped {
                    let params = [Param::Time(memdb_repository::now()), Param::Uuid(id)];
                    raw.fetch_count(&sql, &params).await?
                } else {
                    raw.fetch_count(&sql, &[Param::Uuid(id)]).await?
                };
                ensure!(found == 1, "expected one row, got {found}");
                Ok(())
            }
        }),
    }
}

/// `"a", "b"` for `a, b`: columns quoted as memdb quotes them.
fn quoted(columns: &str) -> String {
    columns
        .split(',')
        .map(|column| format!("\"{}\"", column.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A SELECT of `columns` from `table` by id, as memdb's point reads send it: rendered once,
/// the id bound, a literal `LIMIT 1`.
fn select_by_id(table: &str, columns: &str) -> String {
    format!(
        "SELECT {} FROM \"{table}\" WHERE \"id\" = $1 LIMIT 1",
        quoted(columns)
    )
}

/// The `UPDATE ... RETURNING` of `knowledge.get` on the pool, with the condition that lets it
/// commit without waiting for the WAL flush where the backend has one (PostgreSQL).
fn record_access(bench: &Bench) -> String {
    let backend = bench.repos.connection().get_database_backend();
    let relaxed = memdb_repository::backend::commit_without_flush(backend)
        .map(|condition| format!(" AND {condition}"))
        .unwrap_or_default();
    format!(
        "UPDATE \"knowledge_items\" SET \"access_count\" = \"access_count\" + 1, \
         \"last_accessed\" = $1 WHERE \"id\" = $2{relaxed} RETURNING {}",
        quoted(KNOWLEDGE_COLUMNS)
    )
}

/// A memdb side calling `get` with the id of row `pick(i)` of `ids`.
macro_rules! memdb_get {
    ($bench:expr, $ids:expr, |$repos:ident, $id:ident| $call:expr) => {{
        let repos = $bench.repos.clone();
        let ids = $ids.clone();
        Side {
            label: "memdb",
            op: op(move |i| {
                let ($repos, ids) = (repos.clone(), ids.clone());
                async move {
                    let $id = ids[Bench::pick(i, ids.len())];
                    $call.await?;
                    Ok(())
                }
            }),
        }
    }};
}

/// Every point read and the listing, as selected by `selects`.
///
/// # Errors
/// The first failing call's error.
pub(crate) async fn run(bench: &Bench, selects: impl Fn(&str) -> bool) -> Result<Vec<ResultRow>> {
    let rows = bench.scale.rows;
    let data = &bench.data;
    let mut out = Vec::new();
    let documents = Arc::new(data.documents.clone());
    let personas = Arc::new(data.personas.clone());
    let tasks = Arc::new(data.tasks.clone());
    let knowledge = Arc::new(data.knowledge.clone());
    let nodes = Arc::new(data.graph_nodes.clone());

    let mut cases: Vec<(&str, Vec<Side>)> = vec![
        (
            "documents.get",
            vec![
                memdb_get!(bench, documents, |r, id| r
                    .legacy
                    .documents
                    .get(DocumentId::from(id))),
                raw_by_id(
                    bench,
                    "raw",
                    &select_by_id("documents", DOCUMENT_COLUMNS),
                    documents.clone(),
                ),
            ],
        ),
        (
            "personas.get",
            vec![
                memdb_get!(bench, personas, |r, id| r
                    .legacy
                    .personas
                    .get(PersonaId::from(id))),
                raw_by_id(
                    bench,
                    "raw",
                    &select_by_id("personas", PERSONA_COLUMNS),
                    personas.clone(),
                ),
            ],
        ),
        (
            "tasks.get",
            vec![
                memdb_get!(bench, tasks, |r, id| r.legacy.tasks.get(TaskId::from(id))),
                raw_by_id(
                    bench,
                    "raw",
                    &select_by_id("tasks", TASK_COLUMNS),
                    tasks.clone(),
                ),
            ],
        ),
        (
            "knowledge.get (records the access)",
            vec![
                memdb_get!(bench, knowledge, |r, id| r
                    .legacy
                    .knowledge
                    .get(KnowledgeId::from(id))),
                raw_side(
                    bench,
                    "raw UPDATE ... RETURNING",
                    &record_access(bench),
                    knowledge.clone(),
                    true,
                ),
                raw_by_id(
                    bench,
                    "raw plain SELECT",
                    &select_by_id("knowledge_items", KNOWLEDGE_COLUMNS),
                    knowledge.clone(),
                ),
            ],
        ),
        (
            "graph.get_node (enhanced)",
            vec![
                memdb_get!(bench, nodes, |r, id| r
                    .graph
                    .get_node(GraphNodeId::from(id))),
                raw_by_id(
                    bench,
                    "raw",
                    &select_by_id("graph_nodes", GRAPH_NODE_COLUMNS),
                    nodes.clone(),
                ),
            ],
        ),
        ("documents.list page of 100", listing(bench)),
    ];
    for (name, sides) in &mut cases {
        if selects(name) {
            out.extend(latency(name, rows, &bench.scale, sides).await?);
        }
    }
    Ok(out)
}

/// A page of 100 documents of the organization in path order at a spread of offsets.
fn listing(bench: &Bench) -> Vec<Side> {
    const PAGE: u64 = 100;
    let pages = (bench.scale.rows / PAGE).max(1);
    let offset = move |i: u64| (Bench::pick(i, pages as usize) as u64) * PAGE;
    let organization = bench.data.organization;
    let repos = bench.repos.clone();
    let memdb = op(move |i| {
        let repos = repos.clone();
        async move {
            let page = Page::new(PAGE, offset(i))?;
            let found = repos
                .legacy
                .documents
                .list(organization, DocumentFilter::default(), page)
                .await?;
            ensure!(!found.is_empty(), "an empty page");
            Ok(())
        }
    });
    let raw = bench.raw.clone();
    let sql = Arc::new(raw.sql(&format!(
        "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE organization_id = $1 \
         ORDER BY path LIMIT $2 OFFSET $3"
    )));
    let raw = op(move |i| {
        let (raw, sql) = (raw.clone(), sql.clone());
        async move {
            let params = [
                Param::Uuid(organization.as_uuid()),
                Param::Int(PAGE as i64),
                Param::Int(offset(i) as i64),
            ];
            let found = raw.fetch_count(&sql, &params).await?;
            ensure!(found > 0, "an empty page");
            Ok(())
        }
    });
    vec![
        Side {
            label: "memdb",
            op: memdb,
        },
        Side {
            label: "raw",
            op: raw,
        },
    ]
}
