//! Bulk loads, in rows per second: documents and knowledge items through the bulk calls
//! (`documents.create_many`, `knowledge.add_many`: one call per load) beside the same rows in
//! raw multi-row INSERTs (one transaction), and beside the one-call-per-row API
//! (`documents.create`, `knowledge.add`), the way loads went before the bulk calls. Rounds run
//! in the order bulk, raw, one by one, one by one, raw, bulk, each into a fresh organization
//! (documents) or beside the earlier rounds' rows (knowledge items).

use std::time::{Duration, Instant};

use anyhow::Result;
use memdb_repository::documents::NewDocument;
use memdb_repository::knowledge::NewKnowledge;
use memdb_repository::organizations::NewOrganization;
use memdb_repository::{OrganizationId, content_hash, now};
use serde_json::json;

use super::{Bench, KNOWLEDGE_COLUMNS};
use crate::dataset::{document, knowledge_item};
use crate::raw::Param;
use crate::report::{Ratio, ResultRow};
use crate::runner::compare;
use crate::stats::Summary;

/// Rows per raw INSERT: 11 parameters a row stays far below SQLite's 32,766 and PostgreSQL's
/// 65,535 bound parameters.
const ROWS_PER_INSERT: usize = 500;

/// The data set's seeds are 1 to 5; the bulk loads use their own.
const DOCUMENT_SEED: u64 = 9;
const KNOWLEDGE_SEED: u64 = 10;

/// One side of a bulk workload.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    /// The bulk call, once per load.
    Bulk,
    /// Multi-row INSERTs in one transaction.
    Raw,
    /// The single-row call, once per row.
    OneByOne,
}

const ROUNDS: [Side; 6] = [
    Side::Bulk,
    Side::Raw,
    Side::OneByOne,
    Side::OneByOne,
    Side::Raw,
    Side::Bulk,
];

/// One load: a latency per call (per whole load for bulk and raw), and the wall time.
type Load = (Vec<Duration>, Duration);

/// The bulk-load workloads `selects` picks.
///
/// # Errors
/// The first failing call's error.
pub(crate) async fn run(bench: &Bench, selects: impl Fn(&str) -> bool) -> Result<Vec<ResultRow>> {
    let mut rows = Vec::new();
    if selects("bulk load documents") {
        rows.extend(documents(bench).await?);
    }
    if selects("bulk load knowledge items") {
        rows.extend(knowledge(bench).await?);
    }
    Ok(rows)
}

/// Times each side's loads of `rows` rows over [`ROUNDS`] and reports them.
async fn measure<F, Fut>(
    name: &str,
    sides: [&'static str; 3],
    rows: u64,
    mut load: F,
) -> Result<Vec<ResultRow>>
where
    F: FnMut(Side, usize) -> Fut,
    Fut: Future<Output = Result<Load>>,
{
    eprintln!("  {name}");
    let mut loads: [Vec<Load>; 3] = Default::default();
    for (round, side) in ROUNDS.into_iter().enumerate() {
        loads[side as usize].push(load(side, round).await?);
    }
    let summary = |loads: Vec<Load>| {
        let wall = loads.iter().map(|l| l.1).sum();
        let ops = loads.len() * rows as usize;
        Summary::throughput(loads.into_iter().flat_map(|l| l.0).collect(), ops, wall)
    };
    let [bulk, raw, one_by_one] = loads;
    let sides = vec![
        (sides[0], summary(bulk)),
        (sides[1], summary(raw)),
        (sides[2], summary(one_by_one)),
    ];
    Ok(compare(name, rows, Ratio::Throughput, sides))
}

async fn documents(bench: &Bench) -> Result<Vec<ResultRow>> {
    let rows = bench.scale.bulk_rows;
    let sides = [
        "memdb documents.create_many",
        "raw multi-row INSERT",
        "memdb documents.create per row",
    ];
    measure(
        "bulk load documents",
        sides,
        rows,
        |side, round| async move {
            let organization = bench
                .repos
                .legacy
                .organizations
                .create(NewOrganization {
                    name: format!("Bulk {round}"),
                    slug: format!("bulk-{round}"),
                    metadata: json!({}),
                })
                .await?
                .id;
            // The same documents on every side: the seed does not depend on the round.
            let inputs: Vec<_> = (0..rows)
                .map(|i| document(organization, DOCUMENT_SEED, i))
                .collect();
            let documents = &bench.repos.legacy.documents;
            match side {
                Side::Bulk => timed_once(documents.create_many(inputs)).await,
                Side::OneByOne => {
                    let started = Instant::now();
                    let mut latencies = Vec::with_capacity(rows as usize);
                    for input in inputs {
                        let call = Instant::now();
                        documents.create(input).await?;
                        latencies.push(call.elapsed());
                    }
                    Ok((latencies, started.elapsed()))
                }
                Side::Raw => raw_documents(bench, organization, inputs).await,
            }
        },
    )
    .await
}

async fn knowledge(bench: &Bench) -> Result<Vec<ResultRow>> {
    let rows = bench.scale.bulk_rows;
    let sides = [
        "memdb knowledge.add_many",
        "raw multi-row INSERT",
        "memdb knowledge.add per row",
    ];
    measure(
        "bulk load knowledge items",
        sides,
        rows,
        |side, _| async move {
            let inputs: Vec<_> = (0..rows)
                .map(|i| knowledge_item(KNOWLEDGE_SEED, i))
                .collect();
            let knowledge = &bench.repos.legacy.knowledge;
            match side {
                Side::Bulk => timed_once(knowledge.add_many(inputs)).await,
                Side::OneByOne => {
                    let started = Instant::now();
                    let mut latencies = Vec::with_capacity(rows as usize);
                    for input in inputs {
                        let call = Instant::now();
                        knowledge.add(input).await?;
                        latencies.push(call.elapsed());
                    }
                    Ok((latencies, started.elapsed()))
                }
                Side::Raw => raw_knowledge(bench, inputs).await,
            }
        },
    )
    .await
}

/// Runs one call that loads everything: its latency is the load's.
pub(crate) async fn timed_once<T, E>(call: impl Future<Output = Result<T, E>>) -> Result<Load>
where
    anyhow::Error: From<E>,
{
    let started = Instant::now();
    call.await?;
    let wall = started.elapsed();
    Ok((vec![wall], wall))
}

/// The documents in raw INSERTs of [`ROWS_PER_INSERT`] rows in one transaction.
async fn raw_documents(
    bench: &Bench,
    organization: OrganizationId,
    documents: Vec<NewDocument>,
) -> Result<Load> {
    let started = Instant::now();
    let rows = documents.into_iter().map(|doc| {
        let at = now();
        vec![
            Param::Uuid(uuid::Uuid::now_v7()),
            Param::Uuid(organization.as_uuid()),
            Param::Text(doc.path),
            Param::Text(doc.title),
            Param::Text(doc.doc_type),
            Param::Int(doc.content.len() as i64),
            Param::Text(content_hash(&doc.content)),
            Param::Text(doc.content),
            Param::Json(doc.metadata),
            Param::Time(at),
            Param::Time(at),
        ]
    });
    // Columns in the order of the parameters above.
    let columns = "id, organization_id, path, title, doc_type, size_bytes, content_hash, \
                   content, metadata, created_at, updated_at";
    multi_row_insert(bench, "documents", columns, rows.collect()).await?;
    let wall = started.elapsed();
    Ok((vec![wall], wall))
}

/// The knowledge items in raw INSERTs of [`ROWS_PER_INSERT`] rows in one transaction.
async fn raw_knowledge(bench: &Bench, items: Vec<NewKnowledge>) -> Result<Load> {
    let started = Instant::now();
    let rows = items.into_iter().map(|item| {
        let at = now();
        vec![
            Param::Uuid(uuid::Uuid::now_v7()),
            Param::Text(item.content),
            Param::Text(item.source),
            Param::Text(item.knowledge_type),
            Param::Float(item.confidence_score),
            Param::Float(item.retention_score),
            Param::Int(0),
            Param::NoTime,
            Param::Json(item.metadata),
            Param::Time(at),
            Param::Time(at),
        ]
    });
    multi_row_insert(bench, "knowledge_items", KNOWLEDGE_COLUMNS, rows.collect()).await?;
    let wall = started.elapsed();
    Ok((vec![wall], wall))
}

/// `rows` into `table (columns)` in INSERTs of [`ROWS_PER_INSERT`] rows, in one transaction.
pub(crate) async fn multi_row_insert(
    bench: &Bench,
    table: &str,
    columns: &str,
    rows: Vec<Vec<Param>>,
) -> Result<()> {
    let mut statements = Vec::new();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut values = Vec::with_capacity(chunk.len());
        let mut params = Vec::with_capacity(chunk.len() * chunk[0].len());
        for row in chunk {
            let first = params.len();
            let placeholders: Vec<String> =
                (1..=row.len()).map(|k| format!("${}", first + k)).collect();
            values.push(format!("({})", placeholders.join(", ")));
            params.extend(row.iter().cloned());
        }
        let sql = format!(
            "INSERT INTO {table} ({columns}) VALUES {}",
            values.join(", ")
        );
        statements.push((bench.raw.sql(&sql), params));
    }
    bench.raw.execute_in_transaction(&statements).await
}
