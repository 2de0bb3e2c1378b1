//! `memdb-enhanced-migrate`: the sea-orm-migration CLI (up, down, status, fresh, refresh, reset)
//! for the enhanced track alone, on `DATABASE_URL` or `-u <url>`. Apply the legacy track first
//! (`memdb init`, or `memdb-migrate up`); `memdb migrate --track enhanced` adds memdb's guards.

use sea_orm_migration::prelude::*;

#[tokio::main]
async fn main() {
    cli::run_cli(memdb_enhanced_migration::EnhancedMigrator).await;
}
