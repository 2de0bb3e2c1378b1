//! Paginated listings and searches of the legacy repositories, knowledge top-N and neighbours,
//! each beside the SELECT memdb sends on the raw pool.

use anyhow::Result;
use memdb_repository::knowledge::{KnowledgeQuery, NeighbourQuery};
use memdb_repository::personas::PersonaFilter;
use memdb_repository::taskmaster::TaskFilter;
use memdb_repository::{KnowledgeId, Page};

use super::twins::{Case, Expect, like_escape, memdb, raw, run_cases};
use super::{Bench, DOCUMENT_COLUMNS, KNOWLEDGE_COLUMNS, PERSONA_COLUMNS, TASK_COLUMNS};
use crate::dataset::READ_AGENT;
use crate::raw::Param;
use crate::report::ResultRow;

/// Rows per listed page.
const PAGE: u64 = 100;

/// The offset of call `i`'s page: a spread over the pages `rows` rows fill.
fn offset(i: u64, rows: u64) -> u64 {
    Bench::pick(i, (rows / PAGE).max(1) as usize) as u64 * PAGE
}

/// The words of the generated texts ([`crate::rng::SplitMix64::text`]) a search looks for.
fn term(i: u64) -> String {
    let mut rng = crate::rng::SplitMix64::new(i ^ 0x5EA2);
    rng.text(1)
}

/// Every listing, as selected by `selects`.
///
/// # Errors
/// The first failing call's error.
pub(crate) async fn run(bench: &Bench, selects: impl Fn(&str) -> bool) -> Result<Vec<ResultRow>> {
    let rows = bench.scale.rows;
    let org = bench.data.organization;
    let esc = like_escape(&bench.raw);
    let mut cases: Vec<Case> = vec![
        (
            "documents.search page of 20",
            vec![
                memdb(bench, Expect::Any, move |r, i| async move {
                    let page = Page::new(20, 0)?;
                    Ok(r.legacy
                        .documents
                        .search(Some(org), &term(i), page)
                        .await?
                        .len())
                }),
                raw(
                    bench,
                    "raw",
                    Expect::Any,
                    &format!(
                        "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE organization_id = $1 AND \
                         (LOWER(\"title\") LIKE LOWER($2) {esc} OR LOWER(\"content\") LIKE \
                         LOWER($3) {esc}) ORDER BY organization_id, path LIMIT $4 OFFSET $5"
                    ),
                    move |i| {
                        let pattern = format!("%{}%", term(i));
                        vec![
                            Param::Uuid(org.as_uuid()),
                            Param::Text(pattern.clone()),
                            Param::Text(pattern),
                            Param::Int(20),
                            Param::Int(0),
                        ]
                    },
                ),
            ],
        ),
        (
            "personas.list page of 100",
            vec![
                memdb(bench, Expect::Some, move |r, i| async move {
                    let page = Page::new(PAGE, offset(i, rows))?;
                    Ok(r.legacy
                        .personas
                        .list(PersonaFilter::default(), page)
                        .await?
                        .len())
                }),
                raw(
                    bench,
                    "raw",
                    Expect::Some,
                    &format!(
                        "SELECT {PERSONA_COLUMNS} FROM personas ORDER BY name LIMIT $1 OFFSET $2"
                    ),
                    move |i| vec![Param::Int(PAGE as i64), Param::Int(offset(i, rows) as i64)],
                ),
            ],
        ),
        (
            "tasks.list by agent type page of 100",
            vec![
                memdb(bench, Expect::Some, move |r, i| async move {
                    let filter = TaskFilter {
                        agent_type: Some(READ_AGENT.to_owned()),
                        ..TaskFilter::default()
                    };
                    let page = Page::new(PAGE, offset(i, rows))?;
                    Ok(r.legacy.tasks.list(filter, page).await?.len())
                }),
                raw(
                    bench,
                    "raw",
                    Expect::Some,
                    &format!(
                        "SELECT {TASK_COLUMNS} FROM tasks WHERE agent_type = $1 \
                         ORDER BY submitted_at, id LIMIT $2 OFFSET $3"
                    ),
                    move |i| {
                        vec![
                            Param::Text(READ_AGENT.to_owned()),
                            Param::Int(PAGE as i64),
                            Param::Int(offset(i, rows) as i64),
                        ]
                    },
                ),
            ],
        ),
    ];
    cases.extend(knowledge(bench));
    run_cases(bench, selects, cases).await
}

/// The knowledge listings: a search page, the top 20 and an item's neighbours.
fn knowledge(bench: &Bench) -> Vec<Case> {
    let rows = bench.scale.rows;
    let items = std::sync::Arc::new(bench.data.knowledge.clone());
    let neighbour_items = items.clone();
    vec![
        (
            "knowledge.search by type page of 100",
            vec![
                memdb(bench, Expect::Some, move |r, i| async move {
                    let query = KnowledgeQuery {
                        text: None,
                        knowledge_type: Some("fact".to_owned()),
                    };
                    let page = Page::new(PAGE, offset(i, rows))?;
                    Ok(r.legacy.knowledge.search(query, page).await?.len())
                }),
                raw(
                    bench,
                    "raw",
                    Expect::Some,
                    &format!(
                        "SELECT {KNOWLEDGE_COLUMNS} FROM knowledge_items WHERE knowledge_type = $1 \
                         ORDER BY retention_score DESC, id LIMIT $2 OFFSET $3"
                    ),
                    move |i| {
                        vec![
                            Param::Text("fact".to_owned()),
                            Param::Int(PAGE as i64),
                            Param::Int(offset(i, rows) as i64),
                        ]
                    },
                ),
            ],
        ),
        (
            "knowledge.top_by_retention 20",
            vec![
                memdb(bench, Expect::Some, |r, _| async move {
                    Ok(r.legacy.knowledge.top_by_retention(20, None).await?.len())
                }),
                raw(
                    bench,
                    "raw",
                    Expect::Some,
                    &format!(
                        "SELECT {KNOWLEDGE_COLUMNS} FROM knowledge_items \
                         ORDER BY retention_score DESC, id LIMIT $1"
                    ),
                    |_| vec![Param::Int(20)],
                ),
            ],
        ),
        (
            "knowledge.neighbours",
            vec![
                memdb(bench, Expect::Some, move |r, i| {
                    let id = KnowledgeId::from(items[Bench::pick(i, items.len())]);
                    async move {
                        let found = r
                            .legacy
                            .knowledge
                            .neighbours(id, NeighbourQuery::default(), Page::default())
                            .await?;
                        Ok(found.len())
                    }
                }),
                raw(bench, "raw", Expect::Some, &neighbours_sql(), move |i| {
                    let id = neighbour_items[Bench::pick(i, neighbour_items.len())];
                    vec![
                        Param::Uuid(id),
                        Param::Uuid(id),
                        Param::Uuid(id),
                        Param::Int(0),
                        Param::Int(1),
                        Param::Int(Page::default().limit() as i64),
                        Param::Int(0),
                    ]
                }),
            ],
        ),
    ]
}

/// An item's edges both ways with the item at the other end, as memdb's `neighbours` joins them.
fn neighbours_sql() -> String {
    let edge = [
        "source_id",
        "target_id",
        "relationship_type",
        "strength",
        "created_at",
    ]
    .map(|c| format!("r.{c}"))
    .join(", ");
    let item = KNOWLEDGE_COLUMNS
        .split(", ")
        .map(|c| format!("k.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT {edge}, {item} FROM knowledge_relationships r INNER JOIN knowledge_items k \
         ON (r.source_id = $1 AND k.id = r.target_id) OR (r.target_id = $2 AND k.id = r.source_id) \
         ORDER BY r.strength DESC, k.id, r.relationship_type, \
         (CASE WHEN (r.source_id = $3) THEN $4 ELSE $5 END) LIMIT $6 OFFSET $7"
    )
}
