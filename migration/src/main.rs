//! `memdb-migrate`: the sea-orm-migration CLI (up, down, status, fresh, refresh, reset,
//! generate) for the legacy track, on `DATABASE_URL` or `-u <url>`.

use sea_orm_migration::prelude::*;

#[tokio::main]
async fn main() {
    cli::run_cli(memdb_migration::Migrator).await;
}
