//! The command line: clap types only, no behaviour.

use clap::{Args, Parser, Subcommand};

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

    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Apply pending migrations, seed the defaults and show the status. Safe to run again.
    Init,
    /// Show the backend, each migration's state and each memdb table's row count. Read-only.
    Status,
    /// Run the legacy migration track step by step.
    Migrate {
        /// The migration action.
        #[command(subcommand)]
        action: MigrateCommand,
    },
    /// Create the default organization and persona when they are missing.
    Seed,
}

/// `memdb migrate` actions.
#[derive(Debug, Subcommand)]
pub(crate) enum MigrateCommand {
    /// Apply pending migrations (all of them unless `-n` is given).
    Up {
        /// Apply at most this many migrations.
        #[arg(short = 'n', long = "steps", value_name = "N")]
        steps: Option<u32>,
    },
    /// Roll back the most recent migrations (one unless `-n` is given). Destroys data.
    Down {
        /// Roll back this many migrations.
        #[arg(short = 'n', long = "steps", value_name = "N", default_value_t = 1)]
        steps: u32,
        /// Confirmation.
        #[command(flatten)]
        confirm: Confirm,
    },
    /// Show each migration as Applied or Pending. Read-only.
    Status,
    /// Drop EVERY table in the database schema, not only memdb's, then apply all migrations.
    /// Destroys data.
    Fresh {
        /// Confirmation.
        #[command(flatten)]
        confirm: Confirm,
    },
    /// Roll back all applied migrations, then apply all migrations. Destroys data.
    Refresh {
        /// Confirmation.
        #[command(flatten)]
        confirm: Confirm,
    },
    /// Roll back all applied migrations and drop the tracking table. Destroys data.
    Reset {
        /// Confirmation.
        #[command(flatten)]
        confirm: Confirm,
    },
}

/// The confirmation flag of destructive actions.
#[derive(Clone, Copy, Debug, Args)]
pub(crate) struct Confirm {
    /// Proceed even though memdb tables hold rows (they will be lost).
    #[arg(long)]
    pub(crate) yes: bool,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
