//! Bulk load: documents created one call at a time through the public API beside the same rows
//! in multi-row INSERTs (one transaction), in rows per second. Rounds run A-B-B-A, each into a
//! fresh organization.

use std::time::{Duration, Instant};

use anyhow::Result;
use memdb_repository::organizations::NewOrganization;
use memdb_repository::{OrganizationId, content_hash, now};
use serde_json::json;

use super::{Bench, DOCUMENT_COLUMNS};
use crate::dataset::document;
use crate::raw::Param;
use crate::report::{Ratio, ResultRow};
use crate::runner::compare;
use crate::stats::Summary;

/// Rows per INSERT: 11 parameters a row stays far below SQLite's 32,766 and PostgreSQL's
/// 65,535 bound parameters.
const ROWS_PER_INSERT: usize = 500;

/// The bulk-load workload.
///
/// # Errors
/// The first failing call's error.
pub(crate) async fn run(bench: &Bench) -> Result<Vec<ResultRow>> {
    let name = "bulk load documents";
    eprintln!("  {name}");
    let rows = bench.scale.bulk_rows;
    let (mut memdb, mut raw) = (Vec::new(), Vec::new());
    for (round, memdb_side) in [true, false, false, true].into_iter().enumerate() {
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
        // The same documents on both sides: the seed does not depend on the round.
        let measured = if memdb_side {
            through_api(bench, organization, rows).await?
        } else {
            multi_row_insert(bench, organization, rows).await?
        };
        if memdb_side {
            memdb.push(measured);
        } else {
            raw.push(measured);
        }
    }
    let summary = |rounds: Vec<(Vec<Duration>, Duration)>| {
        let wall = rounds.iter().map(|r| r.1).sum();
        let ops = rounds.len() * rows as usize;
        Summary::throughput(rounds.into_iter().flat_map(|r| r.0).collect(), ops, wall)
    };
    let sides = vec![
        ("memdb documents.create", summary(memdb)),
        ("raw multi-row INSERT", summary(raw)),
    ];
    Ok(compare(name, rows, Ratio::Throughput, sides))
}

/// `documents.create` per row: each row's latency, and the wall time.
async fn through_api(
    bench: &Bench,
    organization: OrganizationId,
    rows: u64,
) -> Result<(Vec<Duration>, Duration)> {
    let started = Instant::now();
    let mut latencies = Vec::with_capacity(rows as usize);
    for i in 0..rows {
        let call = Instant::now();
        bench
            .repos
            .legacy
            .documents
            .create(document(organization, 9, i))
            .await?;
        latencies.push(call.elapsed());
    }
    Ok((latencies, started.elapsed()))
}

/// The same rows in INSERTs of [`ROWS_PER_INSERT`] rows in one transaction: one latency per
/// whole load, and the wall time.
async fn multi_row_insert(
    bench: &Bench,
    organization: OrganizationId,
    rows: u64,
) -> Result<(Vec<Duration>, Duration)> {
    let started = Instant::now();
    let documents: Vec<_> = (0..rows).map(|i| document(organization, 9, i)).collect();
    let mut statements = Vec::new();
    for chunk in documents.chunks(ROWS_PER_INSERT) {
        let mut values = Vec::with_capacity(chunk.len());
        let mut params = Vec::with_capacity(chunk.len() * 11);
        for doc in chunk {
            let n = params.len();
            values.push(format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                n + 1,
                n + 2,
                n + 3,
                n + 4,
                n + 5,
                n + 6,
                n + 7,
                n + 8,
                n + 9,
                n + 10,
                n + 11
            ));
            let at = now();
            params.extend([
                Param::Uuid(uuid::Uuid::now_v7()),
                Param::Uuid(organization.as_uuid()),
                Param::Text(doc.path.clone()),
                Param::Text(doc.title.clone()),
                Param::Text(doc.doc_type.clone()),
                Param::Text(doc.content.clone()),
                Param::Text(content_hash(&doc.content)),
                Param::Int(doc.content.len() as i64),
                Param::Json(doc.metadata.clone()),
                Param::Time(at),
                Param::Time(at),
            ]);
        }
        let sql = format!(
            "INSERT INTO documents ({DOCUMENT_COLUMNS}) VALUES {}",
            values.join(", ")
        );
        statements.push((bench.raw.sql(&sql), params));
    }
    bench.raw.execute_in_transaction(&statements).await?;
    let wall = started.elapsed();
    Ok((vec![wall], wall))
}
