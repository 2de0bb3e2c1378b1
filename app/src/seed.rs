//! `memdb seed`: create the default organization and persona when they are missing, and in the
//! enhanced build the default memory entries too.

use anyhow::{Context as _, Result};
use memdb_repository::Repositories;
use memdb_repository::defaults::{
    DEFAULT_ORGANIZATION_SLUG, DEFAULT_PERSONA_NAME, SeedReport, seed_defaults,
};
use sea_orm::DatabaseConnection;

use crate::cli::SeedArgs;
use crate::output::{StdoutError, outln};

/// What to suggest when seeding fails.
const HINT: &str = "has the schema been migrated? try `memdb init`";

/// `memdb seed`: the defaults, then what `args` asks for.
pub(crate) async fn run(db: &DatabaseConnection, args: &SeedArgs) -> Result<()> {
    run_defaults(db).await?;
    #[cfg(feature = "enhanced")]
    if args.example_session {
        example_session(db).await?;
    }
    #[cfg(not(feature = "enhanced"))]
    let SeedArgs {} = args;
    Ok(())
}

/// Seeds the defaults (the legacy ones, then the enhanced build's memory entries) and prints
/// what was created.
pub(crate) async fn run_defaults(db: &DatabaseConnection) -> Result<()> {
    let repos = Repositories::from_connection(db.clone());
    let report = seed_defaults(&repos)
        .await
        .with_context(|| format!("seeding the defaults ({HINT})"))?;
    print_report(report)?;
    enhanced(db).await
}

/// One line per created row, or "defaults already present".
///
/// # Errors
/// Writing to stdout failed.
pub(crate) fn print_report(report: SeedReport) -> Result<(), StdoutError> {
    if !report.created_any() {
        return outln!("defaults already present");
    }
    if report.organization_created {
        outln!("created default organization '{DEFAULT_ORGANIZATION_SLUG}'")?;
    } else {
        outln!("default organization '{DEFAULT_ORGANIZATION_SLUG}' already present")?;
    }
    if report.persona_created {
        outln!("created default persona '{DEFAULT_PERSONA_NAME}'")?;
    } else {
        outln!("default persona '{DEFAULT_PERSONA_NAME}' already present")?;
    }
    Ok(())
}

/// The legacy build has no more defaults.
#[cfg(not(feature = "enhanced"))]
#[allow(
    clippy::unused_async,
    reason = "the same signature as the enhanced build's, which awaits"
)]
async fn enhanced(_db: &DatabaseConnection) -> Result<()> {
    Ok(())
}

/// The enhanced build's default memory entries, one line each: created or already present.
#[cfg(feature = "enhanced")]
async fn enhanced(db: &DatabaseConnection) -> Result<()> {
    use memdb_enhanced_repository::memory::defaults::seed_memory_defaults;

    let report = seed_memory_defaults(db.clone())
        .await
        .with_context(|| format!("seeding the default memory entries ({HINT})"))?;
    for entry in report.entries {
        let name = format!("{}/{}", entry.namespace, entry.key);
        if entry.created {
            outln!("created memory entry '{name}'")?;
        } else {
            outln!("memory entry '{name}' already present")?;
        }
    }
    Ok(())
}

/// Creates seed 002's example session and prints its id, status, state and event count.
#[cfg(feature = "enhanced")]
async fn example_session(db: &DatabaseConnection) -> Result<()> {
    use memdb_enhanced_repository::sessions::example::seed_example_session;

    let session = seed_example_session(db)
        .await
        .with_context(|| format!("creating the example session ({HINT})"))?;
    let summary = &session.summary;
    outln!(
        "created example session {} (app '{}', user '{}', status {}, {} event)",
        summary.id,
        summary.app_name,
        summary.user_id,
        summary.status,
        summary.last_event_seq
    )?;
    outln!("state: {}", session.state)?;
    Ok(())
}
