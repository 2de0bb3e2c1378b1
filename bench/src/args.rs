//! The command line.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

/// The server a PostgreSQL run creates its scratch database on when no URL is given.
const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable";

/// The database a run measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Backend {
    /// A SQLite file in a temporary directory.
    Sqlite,
    /// A scratch database on a PostgreSQL server, dropped at the end.
    Postgres,
}

impl Backend {
    /// The name written in the report.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// Measures memdb's repositories against the same SQL sent through raw sqlx, interleaved.
#[derive(Debug, Parser)]
#[command(name = "memdb-bench", version)]
pub(crate) struct Args {
    /// The backend to measure.
    #[arg(long, value_enum)]
    pub(crate) backend: Backend,
    /// Rows per table in the data set (default 10,000; 300 with --quick).
    #[arg(long)]
    pub(crate) rows: Option<u64>,
    /// Small row counts and few iterations: a run in well under a minute, even in a debug build.
    #[arg(long)]
    pub(crate) quick: bool,
    /// Also write the results as JSON to this file.
    #[arg(long)]
    pub(crate) json: Option<PathBuf>,
    /// Only the workloads whose name contains this text (migration always runs: it makes the schema).
    #[arg(long)]
    pub(crate) only: Option<String>,
    /// Leave out the workloads whose name contains this text (repeatable; applied after
    /// --only), e.g. `--skip document_index` for a full run without loading embeddings.
    #[arg(long)]
    pub(crate) skip: Vec<String>,
    /// Seconds of measured calls a latency workload may take before it stops early (after at
    /// least one batch of each side); scans over large data sets finish with fewer samples
    /// rather than running for hours. Default 30 (10 with --quick).
    #[arg(long)]
    pub(crate) budget: Option<u64>,
    /// PostgreSQL server to create the scratch database on.
    #[arg(long, env = "BENCH_DATABASE_URL", default_value = DEFAULT_POSTGRES_URL)]
    pub(crate) database_url: String,
}

/// How big a run is: derived from the arguments once.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scale {
    /// Rows per table in the data set.
    pub(crate) rows: u64,
    /// Measured calls per side of a latency workload.
    pub(crate) iterations: u64,
    /// Calls per side before a batch switches to the other side.
    pub(crate) batch: u64,
    /// Tasks per round of a queue workload.
    pub(crate) tasks: u64,
    /// Rows per round of the bulk load.
    pub(crate) bulk_rows: u64,
    /// Measured time a latency workload may take before it stops early.
    pub(crate) budget: Duration,
    /// Memory entries in the data set: 100 per row up to 1,000,000 (reached at the default
    /// 10,000 rows: seed 002's listing target is 1,000 out of 1,000,000), 3,000 with `--quick`.
    pub(crate) memory_entries: u64,
    /// Memory entries given three versions, for the point reads.
    pub(crate) memory_versioned: u64,
    /// Tiered memories (all of one user): the rows (2,000 with `--quick`).
    pub(crate) tiered_memories: u64,
    /// Documents of the document index's small model: 1,000, seed 002's search target (100
    /// with `--quick`).
    pub(crate) small_documents: u64,
    /// Documents of the document index's large model: the rows.
    pub(crate) documents: u64,
}

impl Args {
    /// The sizes of this run.
    pub(crate) fn scale(&self) -> Scale {
        let rows = self
            .rows
            .unwrap_or(if self.quick { 300 } else { 10_000 })
            .max(200);
        let budget = Duration::from_secs(self.budget.unwrap_or(if self.quick { 10 } else { 30 }));
        if self.quick {
            Scale {
                rows,
                iterations: 200,
                batch: 50,
                tasks: 100,
                bulk_rows: 200,
                budget,
                memory_entries: 3_000,
                memory_versioned: 100,
                tiered_memories: 2_000,
                small_documents: 100,
                documents: rows,
            }
        } else {
            Scale {
                rows,
                iterations: 2_000,
                batch: 100,
                tasks: 1_000,
                bulk_rows: rows.min(5_000),
                budget,
                memory_entries: (rows * 100).min(1_000_000),
                memory_versioned: 1_000,
                tiered_memories: rows,
                small_documents: 1_000,
                documents: rows,
            }
        }
    }

    /// Whether the workload named `name` is selected by `--only`.
    pub(crate) fn selects(&self, name: &str) -> bool {
        self.only
            .as_deref()
            .is_none_or(|pattern| name.contains(pattern))
            && !self
                .skip
                .iter()
                .any(|pattern| name.contains(pattern.as_str()))
    }
}
