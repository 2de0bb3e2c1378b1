//! The migrate command line: clap types only, no behaviour. `memdb-migrate`,
//! `memdb-enhanced-migrate` and `memdb migrate` all parse [`MigrateCommand`].

use std::str::FromStr;
use std::time::Duration;

use clap::{Args, Subcommand};

use super::stamp::StampTarget;

/// The `--track` value that means every track.
pub const ALL_TRACKS: &str = "all";

/// The migrate commands. Without `--track` (or with `--track all`) they cover every track:
/// applying goes dependencies first, rolling back dependents first, and `-n` counts across
/// tracks in that order. Every command that changes the schema takes the deploy lock first.
#[derive(Debug, Subcommand)]
pub enum MigrateCommand {
    /// Apply pending migrations (all of them unless `-n` is given).
    Up {
        /// Apply at most this many migrations.
        #[arg(short = 'n', long = "steps", value_name = "N")]
        steps: Option<u32>,
        /// Only this track (refused while a track it depends on has pending migrations).
        #[command(flatten)]
        track: TrackArg,
        /// Print the SQL instead of running it.
        #[command(flatten)]
        dry_run: DryRun,
    },
    /// Alembic's name for `up`: `upgrade` or `upgrade head` applies everything, `upgrade +N`
    /// the next N migrations.
    Upgrade {
        /// `head` (the default) or `+N`.
        #[arg(value_name = "head|+N", default_value = "head")]
        target: UpgradeTarget,
        /// Only this track.
        #[command(flatten)]
        track: TrackArg,
        /// Print the SQL instead of running it.
        #[command(flatten)]
        dry_run: DryRun,
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
        /// Print the SQL instead of running it.
        #[command(flatten)]
        dry_run: DryRun,
    },
    /// Alembic's name for `down`: `downgrade -N` rolls back N migrations, `downgrade base`
    /// every applied migration (the tracking tables stay). Destroys data.
    Downgrade {
        /// `-N` or `base`.
        #[arg(value_name = "-N|base", allow_hyphen_values = true)]
        target: DowngradeTarget,
        /// Only this track.
        #[command(flatten)]
        track: TrackArg,
        /// Confirmation.
        #[command(flatten)]
        confirm: Confirm,
        /// Print the SQL instead of running it.
        #[command(flatten)]
        dry_run: DryRun,
    },
    /// Show each track's migrations as Applied, Pending or Unknown. Read-only.
    Status {
        /// Only this track.
        #[command(flatten)]
        track: TrackArg,
        /// Print JSON for scripts instead of tables.
        #[arg(long)]
        json: bool,
    },
    /// Show each track's most recently applied migration (Alembic's `current`). Read-only.
    Current {
        /// Only this track.
        #[command(flatten)]
        track: TrackArg,
        /// Print JSON for scripts instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show every applied migration with its track and when it was applied, oldest first
    /// (Alembic's `history`). Read-only.
    History {
        /// Only this track.
        #[command(flatten)]
        track: TrackArg,
        /// Print JSON for scripts instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Record this build's checksums of the applied migrations, after an intentional change to
    /// an applied migration that `up` now refuses.
    Repair {
        /// Only this track.
        #[command(flatten)]
        track: TrackArg,
    },
    /// Record migrations as applied without running them (adopting a database whose tables
    /// were made by hand), after checking that the tables, columns and indexes they create
    /// exist; refused, recording nothing, when something is missing or different.
    Stamp {
        /// `head` (every migration) or a migration's name (it and those before it).
        #[arg(value_name = "VERSION|head")]
        target: StampTarget,
        /// Only this track.
        #[command(flatten)]
        track: TrackArg,
        /// Record even though the schema lacks or differs from what the migrations create.
        #[arg(long)]
        force: bool,
        /// Print JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Check the database's health: the backend's consistency checks, pending, unknown and
    /// changed migrations, and drift between the migrations and the live schema. Exit code 1
    /// on any problem. Read-only.
    Doctor {
        /// Print JSON for scripts instead of a table.
        #[arg(long)]
        json: bool,
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
    /// Write a backup of the database to a file (SQLite: `VACUUM INTO`; PostgreSQL: `pg_dump`
    /// in custom format). Read-only.
    Backup(super::backup::BackupArgs),
    /// Restore a backup into an empty database, then show the migration status.
    Restore(super::backup::RestoreArgs),
}

impl MigrateCommand {
    /// Whether the command only reads (no lock, and a missing SQLite file is not created).
    #[must_use]
    pub fn is_read_only(&self) -> bool {
        match self {
            Self::Status { .. }
            | Self::Current { .. }
            | Self::History { .. }
            | Self::Doctor { .. }
            | Self::Backup(_) => true,
            Self::Up { dry_run, .. }
            | Self::Upgrade { dry_run, .. }
            | Self::Down { dry_run, .. }
            | Self::Downgrade { dry_run, .. } => dry_run.dry_run,
            Self::Repair { .. }
            | Self::Stamp { .. }
            | Self::Fresh { .. }
            | Self::Refresh { .. }
            | Self::Reset { .. }
            | Self::Restore(_) => false,
        }
    }
}

impl MigrateCommand {
    /// Whether the command is a dry run (`--dry-run`/`--sql`).
    #[must_use]
    pub fn is_dry_run(&self) -> bool {
        match self {
            Self::Up { dry_run, .. }
            | Self::Upgrade { dry_run, .. }
            | Self::Down { dry_run, .. }
            | Self::Downgrade { dry_run, .. } => dry_run.dry_run,
            _ => false,
        }
    }
}

/// Where `upgrade` goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpgradeTarget {
    /// Every pending migration.
    Head,
    /// The next N pending migrations.
    Steps(u32),
}

impl FromStr for UpgradeTarget {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "head" {
            return Ok(Self::Head);
        }
        s.strip_prefix('+')
            .and_then(|n| n.parse().ok())
            .map(Self::Steps)
            .ok_or_else(|| format!("expected `head` or `+N` (e.g. +1), got `{s}`"))
    }
}

/// Where `downgrade` goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DowngradeTarget {
    /// Before every migration.
    Base,
    /// N migrations back.
    Steps(u32),
}

impl FromStr for DowngradeTarget {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "base" {
            return Ok(Self::Base);
        }
        s.strip_prefix('-')
            .and_then(|n| n.parse().ok())
            .map(Self::Steps)
            .ok_or_else(|| format!("expected `base` or `-N` (e.g. -1), got `{s}`"))
    }
}

/// The track a command is limited to.
#[derive(Clone, Debug, Args)]
pub struct TrackArg {
    /// Act on this migration track only (`status` lists them), or on every track (`all`).
    #[arg(long = "track", value_name = "NAME", default_value = ALL_TRACKS)]
    pub name: String,
}

impl TrackArg {
    /// The one track asked for, or `None` for every track.
    #[must_use]
    pub fn only(&self) -> Option<&str> {
        Some(self.name.as_str()).filter(|name| *name != ALL_TRACKS)
    }
}

/// The confirmation flag of destructive commands.
#[derive(Clone, Copy, Debug, Args)]
pub struct Confirm {
    /// Proceed even though memdb tables hold rows (they will be lost).
    #[arg(long)]
    pub yes: bool,
    /// Skip the backup taken first when memdb tables hold rows.
    #[arg(long)]
    pub no_backup: bool,
}

/// The dry-run flag of `up` and `down`.
#[derive(Clone, Copy, Debug, Args)]
pub struct DryRun {
    /// Print the SQL each migration would run, for the database's backend, and change nothing
    /// (not even the tracking tables, or a missing SQLite file).
    #[arg(long = "dry-run", visible_alias = "sql")]
    pub dry_run: bool,
}

/// How long a schema-changing command waits for another one to finish.
#[derive(Clone, Copy, Debug, Args)]
pub struct LockArgs {
    /// Give up after waiting this long for the deploy lock another migrating process holds.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 60)]
    pub lock_timeout: u64,
}

impl LockArgs {
    /// The timeout as a duration.
    #[must_use]
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.lock_timeout)
    }
}
