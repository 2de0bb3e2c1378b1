//! `memdb-cache-migrate`: the shared migrate command line (`memdb_migration::cli`) over the
//! legacy and cache tracks, on `DATABASE_URL` or `--database-url <url>`.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    memdb_migration::cli::main("memdb-cache-migrate", memdb_cache_migration::tracks()).await
}
