//! The command line: clap types only, no behaviour.

use clap::{Args, Parser, Subcommand};
use memdb_migration::cli::backup::{BackupArgs, RestoreArgs};
use memdb_migration::cli::{LockArgs, MigrateCommand};

/// memdb operator CLI: create, migrate, inspect and seed a memdb database.
#[derive(Debug, Parser)]
#[command(name = "memdb", version, about, long_about = None)]
pub(crate) struct Cli {
    /// Database to work on (`sqlite://path?mode=rwc` or `postgres://user:pass@host/db`).
    /// Passwords are never printed.
    #[arg(
        long,
        global = true,
        env = "DATABASE_URL",
        // The URL may hold a password: `--help` must not show the variable's value.
        hide_env_values = true,
        default_value = memdb_repository::DEFAULT_DATABASE_URL,
        value_name = "URL"
    )]
    pub(crate) database_url: String,

    /// Show progress logs (applied migrations and the like) on stderr.
    #[arg(short, long, global = true)]
    pub(crate) verbose: bool,

    /// The deploy lock's timeout (`init` and the `migrate` commands that change the schema).
    #[command(flatten)]
    pub(crate) lock: LockArgs,

    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// The commands on the memdb database `--database-url` names.
    #[command(flatten)]
    Database(DatabaseCommand),
    /// Copy a memdb database into another (SQLite or PostgreSQL, either way; several sources
    /// merge into one target), then verify it and print a verification table: exit code 1 on
    /// any mismatch or conflict. An interrupted copy resumes when run again. Uses `--from` and
    /// `--to`, not `DATABASE_URL`.
    Copy(CopyArgs),
    /// Copy SQLite databases memdb did not create into PostgreSQL schemas, one schema per
    /// file: tables, keys, indexes and rows with mapped types, identities past the copied
    /// maximum, every table verified (rows and SHA-256) before the one transaction commits.
    /// With `--plan`, print the type decisions and the DDL and write nothing.
    Consolidate(ConsolidateArgs),
}

/// The commands that work on the database `--database-url` names (every command but `copy`
/// and `consolidate`, which name their own sources and targets).
#[derive(Debug, Subcommand)]
pub(crate) enum DatabaseCommand {
    /// Apply pending migrations, seed the defaults and show the status. Safe to run again.
    Init,
    /// Show the backend, each track's migrations and its tables' row counts, and any track
    /// this build does not know. Read-only.
    Status,
    /// Run the migration tracks step by step (the commands of `memdb-migrate`).
    Migrate {
        /// The migration action.
        #[command(subcommand)]
        action: MigrateCommand,
    },
    /// Create the default organization and persona when they are missing (and, in a build
    /// with the enhanced schema, its default memory entries). Safe to run again.
    Seed(SeedArgs),
    /// Check the database's health (the backend's consistency checks, migrations, schema and
    /// entity drift); exit code 1 on any problem. Read-only.
    Doctor {
        /// Print JSON for scripts instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Write a backup of the database to a file (`memdb migrate backup`). Read-only.
    Backup(BackupArgs),
    /// Restore a backup into an empty database (`memdb migrate restore`).
    Restore(RestoreArgs),
    /// Memory lifecycle policies: episodic TTL, per-user trim, tier promotion and demotion.
    #[cfg(feature = "enhanced")]
    Policies {
        /// What to do.
        #[command(subcommand)]
        action: PoliciesCommand,
    },
}

/// Options of `memdb consolidate`.
#[derive(Debug, Args)]
pub(crate) struct ConsolidateArgs {
    /// A SQLite file to consolidate (read-only); repeat, each followed by its `--schema`.
    #[arg(long, value_name = "FILE", required = true)]
    pub(crate) from: Vec<std::path::PathBuf>,
    /// The PostgreSQL schema the preceding `--from` goes into (a-z, 0-9, _; must be empty).
    #[arg(long, value_name = "NAME", required = true)]
    pub(crate) schema: Vec<String>,
    /// The PostgreSQL database (`postgres://...`); with `--plan`, optional (its schemas are
    /// then checked, read-only).
    #[arg(long, value_name = "URL", required_unless_present = "plan")]
    pub(crate) to: Option<String>,
    /// Print the type decisions, the fallbacks and the DDL; write nothing.
    #[arg(long)]
    pub(crate) plan: bool,
    /// Print JSON for scripts instead of tables.
    #[arg(long)]
    pub(crate) json: bool,
    /// Accept source table, column and index names that are not plain identifiers (a-z, 0-9,
    /// _, not starting with a digit) and keep them quoted in PostgreSQL; without it they are
    /// refused before anything is written.
    #[arg(long)]
    pub(crate) quote_names: bool,
}

/// The `memdb policies` commands.
#[cfg(feature = "enhanced")]
#[derive(Debug, Subcommand)]
pub(crate) enum PoliciesCommand {
    /// Apply the lifecycle policies in batches (each its own transaction; an interrupted run
    /// is finished by running again with the same `--as-of`) and print what changed; with
    /// `--dry-run`, print what would change and change nothing.
    Run(PolicyRunArgs),
}

/// Options of `memdb policies run`. The rules come from the memory entry
/// `app:memdb:config/memory_lifecycle_policies` (defaults where it says nothing); the flags
/// below override it.
#[cfg(feature = "enhanced")]
#[derive(Debug, Args)]
pub(crate) struct PolicyRunArgs {
    /// Only count what a run would change.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// The time the rules are decided at (RFC 3339); default: now. Give a stopped run's
    /// as-of to finish it.
    #[arg(long, value_name = "RFC3339")]
    pub(crate) as_of: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// Rows per batch (one transaction each), 1 to 10000.
    #[arg(long, default_value_t = memdb_enhanced_repository::policies::DEFAULT_BATCH_SIZE)]
    pub(crate) batch_size: u64,
    /// Print JSON for scripts instead of a table.
    #[arg(long)]
    pub(crate) json: bool,
    /// Report every batch on stderr (otherwise only once a run takes over a second).
    #[arg(long)]
    pub(crate) verbose_progress: bool,
    /// Override: soft-delete episodic memory entries older than this many days.
    #[arg(long, value_name = "DAYS")]
    pub(crate) episodic_ttl_days: Option<u32>,
    /// Override: promote memories not updated for this many days.
    #[arg(long, value_name = "DAYS")]
    pub(crate) promote_after_days: Option<u32>,
    /// Override: demote memories not updated for this many days.
    #[arg(long, value_name = "DAYS")]
    pub(crate) demote_after_days: Option<u32>,
    /// Override: the most memories a user keeps.
    #[arg(long, value_name = "N")]
    pub(crate) max_memories_per_user: Option<u64>,
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::{Cli, Command, DatabaseCommand, MigrateCommand};
    use memdb_migration::cli::{DowngradeTarget, UpgradeTarget};

    #[test]
    fn command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    /// The track `memdb migrate status <args>` is limited to.
    fn only(args: &[&str]) -> Option<String> {
        let cli = Cli::try_parse_from(["memdb", "migrate", "status"].iter().chain(args))
            .expect("a valid command line");
        match cli.command {
            Command::Database(DatabaseCommand::Migrate {
                action: MigrateCommand::Status { track, .. },
            }) => track.only().map(str::to_owned),
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn track_all_and_no_track_mean_every_track() {
        assert_eq!(only(&[]), None);
        assert_eq!(only(&["--track", "all"]), None);
        assert_eq!(only(&["--track", "legacy"]).as_deref(), Some("legacy"));
    }

    /// The migrate command `memdb migrate <args>` parses to.
    fn migrate(args: &[&str]) -> MigrateCommand {
        let cli = Cli::try_parse_from(["memdb", "migrate"].iter().chain(args))
            .expect("a valid command line");
        match cli.command {
            Command::Database(DatabaseCommand::Migrate { action }) => action,
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn alembic_targets_parse() {
        assert!(matches!(
            migrate(&["upgrade"]),
            MigrateCommand::Upgrade {
                target: UpgradeTarget::Head,
                ..
            }
        ));
        assert!(matches!(
            migrate(&["upgrade", "+2"]),
            MigrateCommand::Upgrade {
                target: UpgradeTarget::Steps(2),
                ..
            }
        ));
        assert!(matches!(
            migrate(&["downgrade", "-1"]),
            MigrateCommand::Downgrade {
                target: DowngradeTarget::Steps(1),
                ..
            }
        ));
        assert!(matches!(
            migrate(&["downgrade", "base", "--yes"]),
            MigrateCommand::Downgrade {
                target: DowngradeTarget::Base,
                ..
            }
        ));
        assert!(Cli::try_parse_from(["memdb", "migrate", "upgrade", "2"]).is_err());
        assert!(Cli::try_parse_from(["memdb", "migrate", "downgrade", "1"]).is_err());
    }
}

/// Options of `memdb copy`.
#[derive(Debug, Args)]
pub(crate) struct CopyArgs {
    /// The database to copy: a SQLite file (opened read-only) or a PostgreSQL database.
    #[arg(long, value_name = "URL")]
    pub(crate) from: String,
    /// The database to copy into: empty, or a memdb database (merged into).
    #[arg(long, value_name = "URL")]
    pub(crate) to: String,
    /// Only these tables (comma separated), in foreign-key order.
    #[arg(long, value_delimiter = ',', value_name = "TABLE,...")]
    pub(crate) tables: Option<Vec<String>>,
    /// Rows per batch (one transaction each), at most 1000.
    #[arg(long, default_value_t = memdb_transfer::copy::MAX_BATCH_ROWS, value_name = "N")]
    pub(crate) batch_rows: usize,
    /// Print JSON for scripts instead of a table.
    #[arg(long)]
    pub(crate) json: bool,
}

/// Options of `memdb seed`.
#[derive(Debug, Args)]
pub(crate) struct SeedArgs {
    /// Also create seed 002's example session (app `memdb`, user `example_user`: one event,
    /// session and user state) and print it; each run creates another.
    #[cfg(feature = "enhanced")]
    #[arg(long)]
    pub(crate) example_session: bool,
}
