//! `memdb seed`: create the default organization and persona when they are missing.

use anyhow::{Context as _, Result};
use memdb_repository::Repositories;
use memdb_repository::defaults::{
    DEFAULT_ORGANIZATION_SLUG, DEFAULT_PERSONA_NAME, SeedReport, seed_defaults,
};
use sea_orm::DatabaseConnection;

use crate::output::{StdoutError, outln};

/// Seeds the defaults and prints what was created.
pub(crate) async fn run(db: &DatabaseConnection) -> Result<()> {
    let repos = Repositories::from_connection(db.clone());
    let report = seed_defaults(&repos)
        .await
        .context("seeding the defaults (has the schema been migrated? try `memdb init`)")?;
    print_report(report)?;
    Ok(())
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
