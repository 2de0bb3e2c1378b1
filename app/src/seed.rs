//! `memdb seed`: create the default organization and persona when they are missing.

use anyhow::{Context as _, Result};
use memdb_repository::Repositories;
use memdb_repository::defaults::{
    DEFAULT_ORGANIZATION_SLUG, DEFAULT_PERSONA_NAME, SeedReport, seed_defaults,
};
use sea_orm::DatabaseConnection;

/// Seeds the defaults and prints what was created.
pub(crate) async fn run(db: &DatabaseConnection) -> Result<()> {
    let repos = Repositories::from_connection(db.clone());
    let report = seed_defaults(&repos)
        .await
        .context("seeding the defaults (has the schema been migrated? try `memdb init`)")?;
    print_report(report);
    Ok(())
}

/// One line per created row, or "defaults already present".
pub(crate) fn print_report(report: SeedReport) {
    if !report.created_any() {
        println!("defaults already present");
        return;
    }
    if report.organization_created {
        println!("created default organization '{DEFAULT_ORGANIZATION_SLUG}'");
    } else {
        println!("default organization '{DEFAULT_ORGANIZATION_SLUG}' already present");
    }
    if report.persona_created {
        println!("created default persona '{DEFAULT_PERSONA_NAME}'");
    } else {
        println!("default persona '{DEFAULT_PERSONA_NAME}' already present");
    }
}
