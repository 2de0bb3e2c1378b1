//! What the `memdb` binary's end-to-end tests share: running the binary, and reading the
//! database it worked on through the same `memdb_migration` functions the binary uses.

// Each test binary that includes this module uses its own subset of it.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use memdb_migration::Tracks;
use memdb_migration::inspect::row_counts;
use sea_orm::DatabaseConnection;

/// What one run of the binary did.
pub(crate) struct Run {
    pub(crate) success: bool,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "success: {}\n--- stdout\n{}--- stderr\n{}",
            self.success, self.stdout, self.stderr
        )
    }
}

/// Runs `memdb --database-url <url> <args>` to completion, in a throwaway current directory
/// (removed afterwards with the backups destructive commands leave there).
pub(crate) fn memdb(url: &str, args: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("create a temporary directory");
    memdb_in(dir.path(), url, args, &[])
}

/// Runs `memdb --database-url <url> <args>` to completion in `dir`, with `env` added to its
/// environment.
pub(crate) fn memdb_in(dir: &Path, url: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_memdb"))
        .arg("--database-url")
        .arg(url)
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .envs(env.iter().copied())
        .output()
        .expect("run the memdb binary");
    Run {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// How many default memory entries `init` and `seed` write: the enhanced build's, none in the
/// legacy build.
pub(crate) const MEMORY_DEFAULTS: u64 = if cfg!(feature = "enhanced") { 3 } else { 0 };

/// How many rows `init` (or `seed`) writes to a fresh database: the default organization and
/// persona, and each default memory entry with the audit entry of its write.
pub(crate) const SEEDED_ROWS: u64 = 2 + 2 * MEMORY_DEFAULTS;

/// The binary's own list of tracks: the tests are built with the binary's features, so this
/// is the list of the build under test.
#[path = "../../src/tracks.rs"]
mod compiled;

/// The tracks the binary is built with, dependencies first.
pub(crate) fn tracks() -> Tracks {
    compiled::compiled().expect("the tracks fit together")
}

/// Every track's migrations' names, tracks in dependency order.
pub(crate) fn migration_names() -> Vec<String> {
    tracks()
        .iter()
        .flat_map(|t| t.migrator.migration_names())
        .collect()
}

/// Every track's tables, tracks in dependency order.
pub(crate) fn all_tables() -> Vec<&'static str> {
    tracks().tables()
}

/// Which of [`all_tables`] exist.
pub(crate) async fn existing_tables(db: &DatabaseConnection) -> Vec<bool> {
    row_counts(db, &all_tables())
        .await
        .expect("count rows")
        .iter()
        .map(|t| t.rows.is_some())
        .collect()
}

/// Row counts of [`all_tables`] (all must exist).
pub(crate) async fn table_rows(db: &DatabaseConnection) -> Vec<u64> {
    row_counts(db, &all_tables())
        .await
        .expect("count rows")
        .iter()
        .map(|t| t.rows.unwrap_or_else(|| panic!("table {} exists", t.name)))
        .collect()
}
