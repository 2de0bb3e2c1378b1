//! `memdb policies run [--dry-run]` (enhanced build): the memory lifecycle rules, read from the
//! stored configuration with the command line's overrides, planned or applied in batches, and
//! printed as a table (or JSON for scripts).

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use memdb_enhanced_repository::audited::AuditTrail;
use memdb_enhanced_repository::memory::SeaOrmMemoryRepository;
use memdb_enhanced_repository::policies::{
    Batch, LifecyclePolicies, PolicyConfig, PolicyReport, Tier,
};
use sea_orm::DatabaseConnection;

use crate::cli::{PoliciesCommand, PolicyRunArgs};
use crate::output::outln;

/// The actor the run's soft deletes of memory entries are audited as.
pub(crate) const ACTOR: &str = "memdb policies";

/// How long a run goes before it reports each batch on stderr.
const QUIET_FOR: Duration = Duration::from_secs(1);

/// Runs a `memdb policies` command.
pub(crate) async fn run(db: &DatabaseConnection, command: PoliciesCommand) -> Result<()> {
    match command {
        PoliciesCommand::Run(args) => run_policies(db, &args).await,
    }
}

async fn run_policies(db: &DatabaseConnection, args: &PolicyRunArgs) -> Result<()> {
    let trail = AuditTrail::new(ACTOR)?;
    let stored = SeaOrmMemoryRepository::new(db.clone(), trail.clone());
    let mut config = PolicyConfig::load(&stored)
        .await
        .context("reading the memory lifecycle policies (has the schema been migrated?)")?;
    apply_overrides(&mut config, args);
    let policies = LifecyclePolicies::new(db.clone(), config, trail)?;
    let as_of = args.as_of.map_or_else(chrono::Utc::now, |at| at.to_utc());
    let (report, stopped) = if args.dry_run {
        (policies.plan(as_of).await?, false)
    } else {
        let started = Instant::now();
        let verbose = args.verbose_progress;
        let outcome = policies
            .run(as_of, args.batch_size, |batch| {
                if verbose || started.elapsed() >= QUIET_FOR {
                    eprintln!("{}", progress_line(batch));
                }
                ControlFlow::Continue(())
            })
            .await?;
        (outcome.report, outcome.stopped)
    };
    if args.json {
        let json = serde_json::json!({
            "dry_run": args.dry_run,
            "stopped": stopped,
            "report": report,
        });
        return Ok(outln!("{}", serde_json::to_string_pretty(&json)?)?);
    }
    print_report(&report, args.dry_run)
}

/// The command line's values over the stored ones.
fn apply_overrides(config: &mut PolicyConfig, args: &PolicyRunArgs) {
    if let Some(days) = args.episodic_ttl_days {
        config.episodic_ttl_days = Some(days);
    }
    if let Some(days) = args.promote_after_days {
        config.promote_after_days = Some(days);
    }
    if let Some(days) = args.demote_after_days {
        config.demote_after_days = Some(days);
    }
    if let Some(max) = args.max_memories_per_user {
        config.max_memories_per_user = Some(max);
    }
}

fn tier(tier: Option<Tier>) -> &'static str {
    tier.map_or("-", Tier::as_str)
}

fn progress_line(batch: &Batch) -> String {
    let step = match (batch.from, batch.to) {
        (Some(from), Some(to)) => format!(" {from} -> {to}"),
        _ => String::new(),
    };
    format!(
        "batch {}: {}{step}: {} changed ({} so far)",
        batch.number,
        batch.rule.as_str(),
        batch.changed,
        batch.changed_so_far
    )
}

fn print_report(report: &PolicyReport, dry_run: bool) -> Result<()> {
    let as_of = report
        .as_of
        .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
    if dry_run {
        outln!("dry run as of {as_of}: nothing changed; a run would change:")?;
    } else {
        outln!("applied as of {as_of}:")?;
    }
    let rows: Vec<Vec<String>> = report
        .rows
        .iter()
        .map(|row| {
            vec![
                row.rule.as_str().to_owned(),
                row.action.as_str().to_owned(),
                tier(row.from).to_owned(),
                tier(row.to).to_owned(),
                row.count.to_string(),
            ]
        })
        .collect();
    let table =
        memdb_migration::cli::table::render(&["RULE", "ACTION", "FROM", "TO", "COUNT"], &rows);
    crate::output::out!("{table}")?;
    outln!("total: {}", report.total())?;
    if !report.trimmed_by_user.is_empty() {
        let users: Vec<Vec<String>> = report
            .trimmed_by_user
            .iter()
            .map(|(user, count)| vec![user.clone(), count.to_string()])
            .collect();
        outln!()?;
        crate::output::out!(
            "{}",
            memdb_migration::cli::table::render(&["USER", "TRIMMED"], &users)
        )?;
    }
    Ok(())
}
