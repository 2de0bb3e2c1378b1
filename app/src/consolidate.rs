//! `memdb consolidate`: foreign SQLite databases, each into its own PostgreSQL schema. The
//! work is `memdb_transfer::consolidate`; this prints the plan, the progress and the report.

use std::fmt::Write as _;

use anyhow::{Context as _, Result, bail};
use memdb_migration::cli::progress_line::{ProgressLine, Throughput, eta};
use memdb_migration::cli::table;
use memdb_transfer::consolidate::{self, Plan, Progress, Report, SourcePlan, SourceSpec};

use crate::cli::ConsolidateArgs;
use crate::output::{out, outln};

/// Fallback lines printed per column; `--json` has them all.
const FALLBACKS_SHOWN: usize = 10;

/// Plans, then (without `--plan`) consolidates and prints the verification; an error when a
/// table does not verify (nothing is committed then).
pub(crate) async fn run(args: ConsolidateArgs) -> Result<()> {
    if args.from.len() != args.schema.len() {
        bail!(
            "give one --schema per --from (got {} and {})",
            args.from.len(),
            args.schema.len()
        );
    }
    let specs: Vec<SourceSpec> = args
        .from
        .iter()
        .zip(&args.schema)
        .map(|(path, schema)| SourceSpec::new(path, schema))
        .collect();
    if let Some(to) = &args.to {
        let paths: Vec<&std::path::Path> =
            args.from.iter().map(std::path::PathBuf::as_path).collect();
        consolidate::check_target_url(to, &paths)?;
    }
    let options = consolidate::PlanOptions::default().quote_names(args.quote_names);
    let plan = consolidate::plan_with(&specs, options).await?;
    let target = match &args.to {
        Some(to) => {
            let db = memdb_repository::connect(to)
                .await
                .context("connecting to the target")?;
            consolidate::check_target(&db, &plan).await?;
            Some(db)
        }
        None => None,
    };
    if args.plan {
        if args.json {
            outln!("{}", serde_json::to_string_pretty(&plan)?)?;
        } else {
            out!("{}", render_plan(&plan))?;
        }
        return Ok(());
    }
    let Some(db) = target else {
        bail!("--to is required unless --plan is given");
    };
    let mut progress = StderrProgress::new();
    let result = consolidate::run(&plan, &db, &mut progress).await;
    progress.clear();
    let report = result?;
    db.close().await.ok();
    if args.json {
        let both = serde_json::json!({ "plan": plan, "report": report });
        outln!("{}", serde_json::to_string_pretty(&both)?)?;
    } else {
        out!("{}", render_fallbacks(&plan))?;
        out!("{}", render_report(&report))?;
    }
    if !report.committed {
        bail!("verification failed: nothing was committed");
    }
    Ok(())
}

/// Per source: each table's columns (declared type -> PostgreSQL type, why, fallbacks), the
/// fallbacks, what is not carried over, and the DDL.
fn render_plan(plan: &Plan) -> String {
    let mut text = String::new();
    for source in &plan.sources {
        let _ = writeln!(
            text,
            "source {} -> schema {}",
            source.path.display(),
            source.schema
        );
        for t in &source.tables {
            let _ = writeln!(text, "\ntable {} ({} rows)", t.name, t.rows);
            let rows: Vec<Vec<String>> = t
                .columns
                .iter()
                .map(|c| {
                    let mut ty = c.pg_type.sql().to_owned();
                    if c.identity {
                        ty.push_str(" identity");
                    }
                    if c.pg_type != c.preferred {
                        ty = format!(
                            "{ty} ({} -> fallback, {} value(s))",
                            c.preferred, c.fallback_count
                        );
                    }
                    vec![c.name.clone(), c.declared.clone(), ty, c.reason.clone()]
                })
                .collect();
            text.push_str(&table::render(
                &["COLUMN", "SQLITE", "POSTGRESQL", "WHY"],
                &rows,
            ));
        }
        text.push_str(&fallback_lines(source));
        for note in &source.notes {
            let _ = writeln!(text, "note: {note}");
        }
        text.push_str("\n-- DDL\n");
        for statement in source.create.iter().chain(&source.finish) {
            let _ = writeln!(text, "{statement};");
        }
        text.push('\n');
    }
    text
}

/// Every fallback of every source.
fn render_fallbacks(plan: &Plan) -> String {
    plan.sources.iter().map(fallback_lines).collect()
}

/// A source's fallbacks as `schema.table rowid N column: value (reason) -> type` lines, at
/// most [`FALLBACKS_SHOWN`] per column and a count of the rest (`--json` lists the first
/// [`consolidate::FALLBACK_EXAMPLES`] per column).
fn fallback_lines(source: &SourcePlan) -> String {
    let mut text = String::new();
    for t in &source.tables {
        for c in t.columns.iter().filter(|c| c.fallback_count > 0) {
            let all = t.fallbacks.iter().filter(|f| f.column == c.name);
            for f in all.take(FALLBACKS_SHOWN) {
                let rowid = f.rowid.map_or_else(|| "-".to_owned(), |r| r.to_string());
                let _ = writeln!(
                    text,
                    "fallback: {}.{} rowid {rowid} {}: {} ({}) -> {}",
                    source.schema, f.table, f.column, f.value, f.reason, c.pg_type
                );
            }
            let more = c.fallback_count.saturating_sub(FALLBACKS_SHOWN as u64);
            if more > 0 {
                let _ = writeln!(
                    text,
                    "fallback: {}.{} {}: {more} more (--json lists the first {} per column)",
                    source.schema,
                    t.name,
                    c.name,
                    consolidate::FALLBACK_EXAMPLES
                );
            }
        }
    }
    text
}

/// One verification table per schema.
fn render_report(report: &Report) -> String {
    let mut text = String::new();
    for source in &report.sources {
        let _ = writeln!(
            text,
            "\nschema {} (from {})",
            source.schema,
            source.path.display()
        );
        let rows: Vec<Vec<String>> = source
            .tables
            .iter()
            .map(|t| {
                vec![
                    t.table.clone(),
                    t.source_rows.to_string(),
                    t.copied_rows.to_string(),
                    t.target_rows.to_string(),
                    t.target_sha256[..16].to_owned(),
                    if t.verified() { "ok" } else { "MISMATCH" }.to_owned(),
                    t.next_id.map_or_else(|| "-".to_owned(), |n| n.to_string()),
                ]
            })
            .collect();
        text.push_str(&table::render(
            &[
                "TABLE",
                "SOURCE ROWS",
                "COPIED",
                "TARGET ROWS",
                "SHA-256",
                "VERIFIED",
                "NEXT ID",
            ],
            &rows,
        ));
    }
    text.push_str(if report.committed {
        "\ncommitted\n"
    } else {
        "\nrolled back\n"
    });
    text
}

/// Progress on stderr: a line updated in place with rows/s and ETA at a terminal (redrawn at
/// most every tick, and always when a table starts and ends), one line per finished table
/// otherwise.
struct StderrProgress {
    line: ProgressLine,
    speed: Throughput,
    table: String,
}

impl StderrProgress {
    fn new() -> Self {
        Self {
            // No plain lines on a timer: a log gets one line per finished table.
            line: ProgressLine::stderr(None),
            speed: Throughput::start(0),
            table: String::new(),
        }
    }

    /// Clears the terminal line so what follows starts on a clean one.
    fn clear(&self) {
        self.line.clear();
    }
}

impl Progress for StderrProgress {
    fn copied(&mut self, schema: &str, table: &str, copied: u64, total: u64) {
        if copied == 0 {
            self.table = format!("{schema}.{table}");
            self.speed = Throughput::start(0);
        }
        let finished = copied >= total;
        if self.line.is_terminal() {
            if copied > 0 && !finished && !self.line.due() {
                return;
            }
            // No rate (and so no ETA) before the first batch.
            let speed = if copied == 0 {
                String::new()
            } else {
                let rate = self.speed.per_second(copied);
                let eta = eta(total.saturating_sub(copied), rate);
                format!(", {rate:.0} rows/s, ETA {eta}")
            };
            self.line
                .show(&format!("{}: {copied}/{total} rows{speed}", self.table));
            if finished {
                self.line.keep();
            }
        } else if finished {
            let rate = self.speed.per_second(copied);
            self.line.show(&format!(
                "{}: {copied} rows copied ({rate:.0} rows/s)",
                self.table
            ));
        }
    }
}
