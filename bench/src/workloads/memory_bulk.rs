//! Bulk load of memory entries, in rows per second: `memory.put_many` (first versions and one
//! audit entry each, one transaction) beside the same entries in raw multi-row INSERTs of the
//! entries alone (one transaction). Four rounds (`put_many`, raw, raw, `put_many`), each into
//! namespaces of its own.

use std::time::{Duration, Instant};

use anyhow::Result;
use memdb_enhanced_repository::memory::{MemoryRepository, PutMemory};
use memdb_repository::now;

use super::bulk::{multi_row_insert, timed_once};
use super::{Bench, MEMORY_COLUMNS};
use crate::dataset_memory::entry;
use crate::raw::Param;
use crate::report::{Ratio, ResultRow};
use crate::runner::compare;
use crate::stats::Summary;

/// The workload's name.
const NAME: &str = "memory.put_many bulk load";

/// Entry indexes of the bulk rounds start here, far beyond the data set's.
const FIRST_INDEX: u64 = 1 << 40;

/// Which side loads each round: `true` for memdb.
const ROUNDS: [bool; 4] = [true, false, false, true];

/// The puts of round `round`: `rows` entries in namespaces no other round uses.
fn inputs(round: u64, rows: u64) -> Vec<PutMemory> {
    (0..rows)
        .map(|i| {
            let mut put = entry(FIRST_INDEX + i, 0);
            put.namespace = format!("bulk:r{round}:{}", i % 10);
            put
        })
        .collect()
}

/// Times both sides' loads of `bench.scale.bulk_rows` entries.
///
/// # Errors
/// The first failing call's error.
pub(crate) async fn run(bench: &Bench) -> Result<Vec<ResultRow>> {
    eprintln!("  {NAME}");
    let rows = bench.scale.bulk_rows;
    let repo = super::memory::repository(&bench.repos)?;
    let mut loads: [Vec<(Vec<Duration>, Duration)>; 2] = Default::default();
    for (round, memdb) in ROUNDS.into_iter().enumerate() {
        let inputs = inputs(round as u64, rows);
        let load = if memdb {
            timed_once(repo.put_many(inputs)).await?
        } else {
            raw_entries(bench, inputs).await?
        };
        loads[usize::from(!memdb)].push(load);
    }
    let summary = |loads: Vec<(Vec<Duration>, Duration)>| {
        let wall = loads.iter().map(|l| l.1).sum();
        let ops = loads.len() * rows as usize;
        Summary::throughput(loads.into_iter().flat_map(|l| l.0).collect(), ops, wall)
    };
    let [memdb, raw] = loads;
    let sides = vec![
        ("memdb memory.put_many (+ audit rows)", summary(memdb)),
        ("raw multi-row INSERT (entries only)", summary(raw)),
    ];
    Ok(compare(NAME, rows, Ratio::Throughput, sides))
}

/// The entries' first versions in raw INSERTs, in one transaction.
async fn raw_entries(bench: &Bench, inputs: Vec<PutMemory>) -> Result<(Vec<Duration>, Duration)> {
    let started = Instant::now();
    let at = now();
    let rows = inputs
        .into_iter()
        .map(|put| {
            vec![
                Param::Uuid(uuid::Uuid::now_v7()),
                Param::Text(put.namespace),
                Param::Text(put.key),
                Param::Json(put.value),
                Param::Text(put.memory_type.as_str().to_owned()),
                Param::Int(1),
                Param::Bool(false),
                Param::Json(put.metadata),
                Param::Text("bench".to_owned()),
                Param::Text("bench".to_owned()),
                Param::Time(at),
                Param::Time(at),
                Param::NoTime,
            ]
        })
        .collect();
    multi_row_insert(bench, "memory_entries", MEMORY_COLUMNS, rows).await?;
    let wall = started.elapsed();
    Ok((vec![wall], wall))
}
