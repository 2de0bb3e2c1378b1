//! `memdb copy`: the verified, resumable copy of memdb-transfer, with progress on stderr and
//! the verification table (or JSON) on stdout.

use std::ops::ControlFlow;
use std::time::Duration;

use anyhow::{Result, bail};
use memdb_migration::cli::progress_line::{ProgressLine, Throughput, eta};
use memdb_transfer::copy::{
    self, CopyError, CopyOptions, CopyProgress, CopyReport, Endpoint, Phase, TableVerification,
};

use crate::cli::CopyArgs;
use crate::output::outln;

/// How often a plain progress line is written when stderr is not a terminal.
const PLAIN_EVERY: Duration = Duration::from_secs(5);

/// Runs the copy, prints the verification, and fails (exit code 1) when it did not verify.
pub(crate) async fn run(args: &CopyArgs, lock_timeout: Duration) -> Result<()> {
    let source = Endpoint::source(&args.from)?;
    let target = Endpoint::target(&args.to)?;
    let tracks = crate::tracks::compiled()?;
    let options = CopyOptions {
        tables: args.tables.clone(),
        batch_rows: args.batch_rows,
        lock_timeout,
    };
    let mut meter = Meter::new();
    let result =
        copy::run_between(&source, &target, &tracks, &options, &mut |p| meter.show(p)).await;
    meter.clear();
    let report = result.map_err(with_hint)?;
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&json(&report))?)?;
    } else {
        print_report(args, &report)?;
    }
    if !report.verified() {
        let bad = report.verification.iter().filter(|v| !v.matches()).count();
        bail!(
            "the copy did not verify: {bad} table(s) differ (see the table above); a rerun resumes an unfinished copy, conflicts need a person"
        );
    }
    Ok(())
}

/// The error, with the cargo feature to build with when the source has a track this build
/// lacks (a track's tracking table is `memdb_<feature>_migrations`; the legacy build names no
/// other build's track).
fn with_hint(err: CopyError) -> anyhow::Error {
    let feature = match &err {
        CopyError::UnknownSourceTrack { tracking_table } => tracking_table
            .strip_prefix("memdb_")
            .and_then(|rest| rest.strip_suffix("_migrations"))
            .map(str::to_owned),
        _ => None,
    };
    match feature {
        Some(feature) => anyhow::Error::new(err).context(format!(
            "build memdb with `--features {feature}` to copy this source"
        )),
        None => err.into(),
    }
}

/// The copy's summary and the verification table.
fn print_report(args: &CopyArgs, report: &CopyReport) -> Result<()> {
    outln!(
        "copied {} -> {}",
        memdb_repository::redact_url(&args.from),
        memdb_repository::redact_url(&args.to)
    )?;
    if !report.migrated.is_empty() {
        outln!(
            "migrated the target: {} migration(s) applied",
            report.migrated.len()
        )?;
    }
    for track in &report.left_out_tracks {
        outln!(
            "left out the {track} track: disposable and at another version in the source; the target has this build's version, empty"
        )?;
    }
    let read = report.read();
    outln!(
        "{} rows read, {} inserted, {} already in the target; copied in {:.1} s ({:.0} rows/s), verified in {:.1} s",
        read,
        report.inserted(),
        read - report.inserted(),
        report.copy_time.as_secs_f64(),
        report.rows_per_second(),
        report.verify_time.as_secs_f64()
    )?;
    let rows: Vec<Vec<String>> = report
        .verification
        .iter()
        .map(|v| {
            vec![
                v.table.clone(),
                v.source_rows.to_string(),
                v.target_rows.to_string(),
                v.target_total_rows.to_string(),
                v.source_checksum[..12].to_owned(),
                v.target_checksum[..12].to_owned(),
                (v.conflicts + v.unique_conflicts).to_string(),
                v.skipped.to_string(),
                if v.matches() { "ok" } else { "MISMATCH" }.to_owned(),
            ]
        })
        .collect();
    outln!(
        "{}",
        memdb_migration::cli::table::render(
            &[
                "table",
                "source rows",
                "target rows",
                "target total",
                "source sha256",
                "target sha256",
                "conflicts",
                "skipped",
                "status",
            ],
            &rows,
        )
    )?;
    for v in report.verification.iter().filter(|v| !v.matches()) {
        print_mismatch(v)?;
    }
    for v in report
        .verification
        .iter()
        .filter(|v| v.truncated_timestamps > 0)
    {
        outln!(
            "{}: {} row(s) with timestamps truncated to microseconds (the source had more digits)",
            v.table,
            v.truncated_timestamps
        )?;
    }
    outln!(
        "{}",
        if report.verified() {
            "verified: every table matches"
        } else {
            "NOT verified"
        }
    )?;
    Ok(())
}

/// Why a table did not verify: missing rows, conflicts, rows skipped because of a conflict.
fn print_mismatch(v: &TableVerification) -> Result<()> {
    if v.missing > 0 {
        outln!(
            "{}: {} source row(s) not in the target (the copy is unfinished)",
            v.table,
            v.missing
        )?;
    }
    for key in &v.conflict_keys {
        outln!(
            "{}: conflict on key {key} (the target's row was kept)",
            v.table
        )?;
    }
    if v.conflicts > v.conflict_keys.len() as u64 {
        outln!(
            "{}: {} more conflict(s)",
            v.table,
            v.conflicts - v.conflict_keys.len() as u64
        )?;
    }
    for c in &v.listed_unique_conflicts {
        outln!(
            "{}: conflict on key {}: the target's row {} holds its ({}); the row was not copied",
            v.table,
            c.key,
            c.target_key,
            c.columns.join(", ")
        )?;
    }
    let more = v.unique_conflicts - v.listed_unique_conflicts.len() as u64;
    if more > 0 {
        outln!("{}: {more} more unique-value conflict(s)", v.table)?;
    }
    for s in &v.listed_skipped {
        outln!(
            "{}: row {} skipped: it references {} {}, not copied (a conflict)",
            v.table,
            s.key,
            s.because_table,
            s.because_key
        )?;
    }
    let more = v.skipped - v.listed_skipped.len() as u64;
    if more > 0 {
        outln!(
            "{}: {more} more row(s) skipped because of a conflict",
            v.table
        )?;
    }
    Ok(())
}

/// The report as JSON.
fn json(report: &CopyReport) -> serde_json::Value {
    serde_json::json!({
        "verified": report.verified(),
        "migrated": report.migrated,
        "left_out_tracks": report.left_out_tracks,
        "copy_seconds": report.copy_time.as_secs_f64(),
        "verify_seconds": report.verify_time.as_secs_f64(),
        "rows_per_second": report.rows_per_second(),
        "tables": report.tables.iter().map(|t| serde_json::json!({
            "table": t.table,
            "read": t.read,
            "inserted": t.inserted,
            "already_finished": t.already_finished,
        })).collect::<Vec<_>>(),
        "verification": report.verification.iter().map(|v| serde_json::json!({
            "table": v.table,
            "source_rows": v.source_rows,
            "target_rows": v.target_rows,
            "target_total_rows": v.target_total_rows,
            "truncated_timestamps": v.truncated_timestamps,
            "source_sha256": v.source_checksum,
            "target_sha256": v.target_checksum,
            "conflicts": v.conflicts,
            "conflict_keys": v.conflict_keys,
            "missing": v.missing,
            "unique_conflicts": v.unique_conflicts,
            "listed_unique_conflicts": v.listed_unique_conflicts.iter().map(|c| serde_json::json!({
                "key": c.key,
                "columns": c.columns,
                "target_key": c.target_key,
            })).collect::<Vec<_>>(),
            "skipped": v.skipped,
            "listed_skipped": v.listed_skipped.iter().map(|s| serde_json::json!({
                "key": s.key,
                "because_table": s.because_table,
                "because_key": s.because_key,
            })).collect::<Vec<_>>(),
            "status": if v.matches() { "ok" } else { "mismatch" },
        })).collect::<Vec<_>>(),
    })
}

/// Progress on stderr: on a terminal one line rewritten in place (table, rows done/total,
/// rows/s, ETA); elsewhere a plain line every [`PLAIN_EVERY`] and when a table is done.
struct Meter {
    line: ProgressLine,
    table: String,
    phase: Option<Phase>,
    speed: Throughput,
    /// Whether the line of this table and phase at `done == total` was written: the copy
    /// reports that position twice when the rows fill the last batch exactly (after the batch,
    /// then after the empty page that ends the table), and a log gets it once.
    finished_shown: bool,
}

impl Meter {
    fn new() -> Self {
        Self {
            line: ProgressLine::stderr(Some(PLAIN_EVERY)),
            table: String::new(),
            phase: None,
            speed: Throughput::start(0),
            finished_shown: false,
        }
    }

    fn show(&mut self, p: &CopyProgress<'_>) -> ControlFlow<()> {
        if self.table != p.table || self.phase != Some(p.phase) {
            p.table.clone_into(&mut self.table);
            self.phase = Some(p.phase);
            self.speed = Throughput::start(p.done);
            self.finished_shown = false;
        }
        let finished = p.done == p.total;
        if finished && self.finished_shown && !self.line.is_terminal() {
            return ControlFlow::Continue(());
        }
        // A log also gets a line for every table copied in this run.
        let copied = !self.line.is_terminal()
            && p.phase == Phase::Copying
            && finished
            && p.done > self.speed.from();
        if !self.line.due() && !copied {
            return ControlFlow::Continue(());
        }
        self.finished_shown |= finished;
        let rate = self.speed.per_second(p.done);
        let verb = match p.phase {
            Phase::Copying => "copying",
            Phase::Verifying => "verifying",
        };
        self.line.show(&format!(
            "{verb} {}: {}/{} rows, {rate:.0} rows/s, ETA {}",
            p.table,
            p.done,
            p.total,
            eta(p.total.saturating_sub(p.done), rate)
        ));
        ControlFlow::Continue(())
    }

    /// Clears the terminal line so the report starts on a clean one.
    fn clear(&self) {
        self.line.clear();
    }
}
