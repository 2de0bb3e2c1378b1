//! `memdb-enhanced-migrate`: the shared migrate command line (`memdb_migration::cli`) over the
//! legacy and enhanced tracks, on `DATABASE_URL` or `--database-url <url>`.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    memdb_migration::cli::main("memdb-enhanced-migrate", memdb_enhanced_migration::tracks()).await
}
