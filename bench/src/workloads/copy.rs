//! `memdb copy` throughput, in rows per second: the data set (every table the run filled)
//! copied with memdb-transfer's verified copy into fresh scratch databases, then verified. A
//! SQLite run copies SQLite to SQLite; a PostgreSQL run copies PostgreSQL to a SQLite file and
//! that file into a fresh PostgreSQL database (the two directions operators use). Each copy
//! gives two rows: copying (rows read over the copy's time, the target's migration left out)
//! and verifying (rows compared over the verification's time).

use std::ops::ControlFlow;

use anyhow::{Result, bail};
use memdb_migration::Tracks;
use memdb_transfer::copy::{self, CopyOptions, CopyReport, Endpoint};

use crate::args::{Args, Backend};
use crate::report::ResultRow;
use crate::stats::Summary;
use crate::target::Target;

/// The workload names `--only` and `--skip` match.
pub(crate) const NAME: &str = "copy";

/// Copies the run's database (`source_url`) as described in the module documentation.
///
/// # Errors
/// A copy that fails or does not verify; a scratch database that cannot be made.
pub(crate) async fn run(args: &Args, source_url: &str) -> Result<Vec<ResultRow>> {
    let mut rows = Vec::new();
    let sqlite = Target::create(Backend::Sqlite, &args.database_url).await?;
    let first = timed(args.backend.name(), "sqlite", source_url, &sqlite.url).await;
    let mut second = Ok(Vec::new());
    if args.backend == Backend::Postgres && first.is_ok() {
        let postgres = Target::create(Backend::Postgres, &args.database_url).await?;
        second = timed("sqlite", "postgres", &sqlite.url, &postgres.url).await;
        postgres.drop_database().await?;
    }
    sqlite.drop_database().await?;
    rows.extend(first?);
    rows.extend(second?);
    Ok(rows)
}

/// One copy, its two report rows.
async fn timed(from: &str, to: &str, source_url: &str, target_url: &str) -> Result<Vec<ResultRow>> {
    eprintln!("  {NAME} {from} -> {to}");
    let report = copy_once(source_url, target_url).await?;
    if !report.verified() {
        bail!("the {from} -> {to} copy did not verify: {report:?}");
    }
    let read = report.read();
    let rows = |phase: &str, took| {
        let summary = Summary::throughput(vec![took], usize::try_from(read).unwrap_or(0), took);
        ResultRow::new(
            &format!("{NAME} {from} -> {to} ({phase}, rows/s)"),
            "memdb",
            read,
            &summary,
            None,
        )
    };
    Ok(vec![
        rows("copy", report.copy_time),
        rows("verify", report.verify_time),
    ])
}

/// Copies every table of the bench's tracks from `source_url` into `target_url`.
async fn copy_once(source_url: &str, target_url: &str) -> Result<CopyReport> {
    let tracks = Tracks::new(memdb_enhanced_migration::tracks().iter().copied())?;
    let source = Endpoint::source(source_url)?;
    let target = Endpoint::target(target_url)?;
    Ok(Box::pin(copy::run_between(
        &source,
        &target,
        &tracks,
        &CopyOptions::default(),
        &mut |_| ControlFlow::Continue(()),
    ))
    .await?)
}
