//! The command line: clap types only, no behaviour.

use clap::{Args, Parser, Subcommand};

use crate::tracks::ALL_TRACKS;

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
    /// Show the backend, each track's migrations and its tables' row counts, and any track
    /// this build does not know. Read-only.
    Status,
    /// Run the migration tracks step by step.
    Migrate {
        /// The migration action.
        #[command(subcommand)]
        action: MigrateCommand,
    },
    /// Create the default organization and persona when they are missing.
    Seed,
}

/// `memdb migrate` actions. Without `--track` (or with `--track all`) they cover every track:
/// applying goes
/// dependencies first, rolling back dependents first, and `-n` counts across tracks in that
/// order.
#[derive(Debug, Subcommand)]
pub(crate) enum MigrateCommand {
    /// Apply pending migrations (all of them unless `-n` is given).
    Up {
        /// Apply at most this many migrations.
        #[arg(short = 'n', long = "steps", value_name = "N")]
        steps: Option<u32>,
        /// Only this track (refused while a track it depends on has pending migrations).
        #[command(flatten)]
        track: TrackArg,
    },
    /// Roll back the most recent migrations (one unless `-n` is given), dependents first.
    /// Destroys data.
    Down {
        /// Roll back this many migrations.
        #[arg(short = 'n', long = "steps", value_name = "N", default_value_t = 1)]
        steps: u32,
        /// Only this track (refused while a track that depends on it is applied).
        #[command(flatten)]
        track: TrackArg,
        /// Confirmation.
        #[command(flatten)]
        confirm: Confirm,
    },
    /// Show each track's migrations as Applied, Pending or Unknown. Read-only.
    Status {
        /// Only this track.
        #[command(flatten)]
        track: TrackArg,
    },
    /// Drop EVERY table in the database schema, not only memdb's, then apply every track's
    /// migrations. Destroys data.
    Fresh {
        /// Confirmation.
        #[command(flatten)]
        confirm: Confirm,
    },
    /// Roll back all applied migrations, then apply all migrations. Destroys data.
    Refresh {
        /// Only this track (refused while a track that depends on it is applied).
        #[command(flatten)]
        track: TrackArg,
        /// Confirmation.
        #[command(flatten)]
        confirm: Confirm,
    },
    /// Roll back all applied migrations and drop the tracking tables. Destroys data.
    Reset {
        /// Only this track (refused while a track that depends on it is applied).
        #[command(flatten)]
        track: TrackArg,
        /// Confirmation.
        #[command(flatten)]
        confirm: Confirm,
    },
}

/// The track an action is limited to.
#[derive(Clone, Debug, Args)]
pub(crate) struct TrackArg {
    /// Act on this migration track only (`memdb migrate status` lists them), or on every track
    /// (`all`).
    #[arg(long = "track", value_name = "NAME", default_value = ALL_TRACKS)]
    name: String,
}

impl TrackArg {
    /// The one track asked for, or `None` for every track.
    pub(crate) fn only(&self) -> Option<&str> {
        Some(self.name.as_str()).filter(|name| *name != ALL_TRACKS)
    }
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
    use clap::{CommandFactory, Parser};

    use super::{Cli, Command, MigrateCommand};

    #[test]
    fn command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    /// The track `memdb migrate status <args>` is limited to.
    fn only(args: &[&str]) -> Option<String> {
        let cli = Cli::try_parse_from(["memdb", "migrate", "status"].iter().chain(args))
            .expect("a valid command line");
        match cli.command {
            Command::Migrate {
                action: MigrateCommand::Status { track },
            } => track.only().map(str::to_owned),
            other => panic!("parsed as {other:?}"),
        }
    }

    #[test]
    fn track_all_and_no_track_mean_every_track() {
        assert_eq!(only(&[]), None);
        assert_eq!(only(&["--track", "all"]), None);
        assert_eq!(only(&["--track", "legacy"]).as_deref(), Some("legacy"));
    }
}
