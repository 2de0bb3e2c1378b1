//! `memdb-bench`: measures memdb's repositories against the same SQL sent through raw sqlx
//! over an equally configured pool, interleaved in one run, on SQLite or PostgreSQL.
//!
//! ```text
//! cargo run --release -p memdb-bench -- --backend sqlite|postgres [--rows N] [--quick]
//!     [--json FILE] [--only PATTERN] [--database-url URL]
//! ```
//!
//! See BENCHMARKS.md at the repository root for what each workload measures.

mod args;
mod dataset;
mod dataset_document_index;
mod dataset_extra;
mod dataset_memory;
mod dataset_sessions;
mod dataset_tiered;
mod progress;
mod raw;
mod rendered;
mod report;
mod rng;
mod runner;
mod stats;
mod tables;
mod target;
mod workloads;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context as _, Result};
use clap::Parser as _;
use memdb_enhanced_repository::EnhancedRepositories;
use memdb_migration::Tracks;
use memdb_migration::plan::{self, Action};
use memdb_repository::sea_orm::{ConnectionTrait as _, DatabaseConnection, DbBackend};

use crate::args::Args;
use crate::raw::RawPool;
use crate::report::ResultRow;
use crate::stats::Summary;
use crate::tables::{Table, Tables};
use crate::target::Target;
use crate::workloads::{
    Bench, audited, bulk, copy, document_index, enhanced_reads, graph, listing, memory,
    memory_bulk, mixed_writers, policies, queue, reads, sessions, sessions_concurrent, tiered,
};

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args).await {
        Ok(rows) => {
            report::print_table(&rows);
            match &args.json {
                Some(path) => match report::write_json(path, args.backend.name(), &rows) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(err) => fail(&err),
                },
                None => ExitCode::SUCCESS,
            }
        }
        Err(err) => fail(&err),
    }
}

fn fail(err: &anyhow::Error) -> ExitCode {
    eprintln!("memdb-bench: {err:#}");
    if err.is::<Interrupted>() {
        ExitCode::from(130)
    } else {
        ExitCode::FAILURE
    }
}

/// Creates the scratch database, measures, and drops the database whatever happened.
async fn run(args: &Args) -> Result<Vec<ResultRow>> {
    let target = Target::create(args.backend, &args.database_url).await?;
    eprintln!(
        "memdb-bench on {} ({})",
        args.backend.name(),
        memdb_repository::redact_url(&target.url)
    );
    let db = memdb_repository::connect(&target.url).await;
    let raw = RawPool::connect(&target.url).await;
    let measured = match (&db, &raw) {
        (Ok(db), Ok(raw)) => interruptible(measure(args, db, raw, &target.url)).await,
        (Err(err), _) => Err(anyhow::anyhow!("opening the database: {err}")),
        (_, Err(err)) => Err(anyhow::anyhow!("{err:#}")),
    };
    if let Ok(raw) = &raw {
        raw.close().await;
    }
    if let Ok(db) = &db {
        db.close_by_ref().await.context("closing memdb's pool")?;
    }
    let dropped = target.drop_database().await;
    let rows = measured?;
    dropped?;
    Ok(rows)
}

/// `work`, unless Ctrl-C comes first: then [`Interrupted`], and `work` is dropped where it
/// stood so the caller can remove the scratch database.
async fn interruptible<T>(work: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    tokio::select! {
        done = work => done,
        signal = tokio::signal::ctrl_c() => {
            signal.context("listening for Ctrl-C")?;
            Err(Interrupted.into())
        }
    }
}

/// The run was interrupted with Ctrl-C (exit status 130, as shells report SIGINT).
#[derive(Debug)]
struct Interrupted;

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("interrupted; the scratch database was removed")
    }
}

impl std::error::Error for Interrupted {}

/// Migrates, builds the data set and runs every selected workload.
async fn measure(
    args: &Args,
    db: &DatabaseConnection,
    raw: &RawPool,
    url: &str,
) -> Result<Vec<ResultRow>> {
    let scale = args.scale();
    let mut rows = vec![migrate(db).await?];
    let repos = EnhancedRepositories::from_connection(db.clone());
    eprintln!("building the data set: {} rows per table", scale.rows);
    let tables = Tables::for_selection(
        |name| args.selects(name),
        args.only.as_deref(),
        !args.skip.is_empty(),
    );
    let mut data = dataset::build(&repos, scale.rows, tables).await?;
    if tables.has(Table::Memory) {
        let repo = workloads::memory::repository(&repos)?;
        let (entries, versioned) = (scale.memory_entries, scale.memory_versioned);
        data.memory = dataset_memory::build(&repo, entries, versioned).await?;
    }
    if tables.has(Table::Sessions) {
        let repo = workloads::sessions::repository(&repos)?;
        data.sessions = dataset_sessions::build(&repo, scale.rows / 10).await?;
    }
    if tables.has(Table::Tiered) {
        data.tiered = dataset_tiered::build(repos.tiered.as_ref(), scale.tiered_memories).await?;
    }
    if tables.has(Table::DocumentIndex) {
        let (small, large) = (scale.small_documents, scale.documents);
        data.document_index = dataset_document_index::build(&repos, small, large).await?;
    }
    if db.get_database_backend() == DbBackend::Postgres {
        // What autovacuum does within a minute of a load this size: without statistics the
        // planner guesses, and a service's tables have them.
        eprintln!("analyzing the data set (PostgreSQL)");
        db.execute_unprepared("ANALYZE")
            .await
            .context("analyzing")?;
    }
    let bench = Bench {
        repos: Arc::new(repos),
        raw: raw.clone(),
        data: Arc::new(data),
        scale,
    };
    eprintln!("measuring");
    rows.extend(reads::run(&bench, |name| args.selects(name)).await?);
    rows.extend(listing::run(&bench, |name| args.selects(name)).await?);
    rows.extend(enhanced_reads::run(&bench, |name| args.selects(name)).await?);
    rows.extend(graph::run(&bench, |name| args.selects(name)).await?);
    rows.extend(audited::run(&bench, |name| args.selects(name)).await?);
    rows.extend(memory::run(&bench, |name| args.selects(name)).await?);
    rows.extend(sessions::run(&bench, |name| args.selects(name)).await?);
    rows.extend(tiered::run(&bench, |name| args.selects(name)).await?);
    rows.extend(document_index::run(&bench, |name| args.selects(name)).await?);
    // Last of the tiered workloads: it changes the memories they read.
    rows.extend(policies::run(&bench, |name| args.selects(name)).await?);
    if args.selects("tasks.submit") {
        rows.extend(queue::submit(&bench).await?);
    }
    if args.selects("tasks.claim_next + complete") {
        rows.extend(queue::claim_complete(&bench).await?);
    }
    rows.extend(bulk::run(&bench, |name| args.selects(name)).await?);
    if args.selects("memory.put_many") {
        rows.extend(memory_bulk::run(&bench).await?);
    }
    if args.selects(sessions_concurrent::NAME) {
        rows.extend(sessions_concurrent::run(&bench).await?);
    }
    if args.selects("mixed writes") {
        rows.extend(mixed_writers::run(&bench).await?);
    }
    // Last: it reads every table the workloads above wrote.
    if args.selects(copy::NAME) {
        // Boxed: the copy's future is large.
        rows.extend(Box::pin(copy::run(args, url)).await?);
    }
    Ok(rows)
}

/// Applies every track (legacy and enhanced) to the empty database, timed once.
async fn migrate(db: &DatabaseConnection) -> Result<ResultRow> {
    let name = "migrate up (every track)";
    eprintln!("  {name}");
    let tracks = Tracks::new(memdb_enhanced_migration::tracks().iter().copied())?;
    let started = Instant::now();
    let plan = plan::plan(db, &tracks, Action::Up { steps: None }, None).await?;
    plan::execute(db, &plan).await.context("migrating")?;
    let took = started.elapsed();
    Ok(ResultRow::new(
        name,
        "memdb",
        0,
        &Summary::sequential(vec![took]),
        None,
    ))
}
