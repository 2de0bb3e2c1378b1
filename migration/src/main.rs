//! `memdb-migrate`: the shared migrate command line (`memdb_migration::cli`) over the legacy
//! track, on `DATABASE_URL` or `--database-url <url>`.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    memdb_migration::cli::main("memdb-migrate", memdb_migration::tracks()).await
}
