//! [`main`]: the whole of a migrate binary, given its tracks.

use std::process::ExitCode;

use clap::{CommandFactory as _, FromArgMatches as _, Parser};

use super::args::{LockArgs, MigrateCommand};
use super::connect::{self, DEFAULT_DATABASE_URL, redact_url};
use super::output::is_broken_pipe;
use super::{CliError, Context, checked_tracks};
use crate::track::Track;

/// The command line of a migrate binary.
#[derive(Debug, Parser)]
#[command(
    version,
    about = "Migrate a memdb database: apply, roll back and inspect migrations"
)]
struct MigrateCli {
    /// Database to work on (`sqlite://path?mode=rwc` or `postgres://user:pass@host/db`).
    /// Passwords are never printed.
    #[arg(
        long,
        short = 'u',
        global = true,
        env = "DATABASE_URL",
        // The URL may hold a password: `--help` must not show the variable's value.
        hide_env_values = true,
        default_value = DEFAULT_DATABASE_URL,
        value_name = "URL"
    )]
    database_url: String,

    /// The deploy lock's timeout.
    #[command(flatten)]
    lock: LockArgs,

    /// What to do.
    #[command(subcommand)]
    command: MigrateCommand,
}

/// Parses the command line as binary `name`, connects, runs the command over `tracks` and
/// turns the outcome into an exit code (errors on stderr, one line, passwords redacted).
pub async fn main(name: &'static str, tracks: &'static [Track]) -> ExitCode {
    load_dot_env();
    let matches = MigrateCli::command()
        .name(name)
        .bin_name(name)
        .get_matches();
    let cli = match MigrateCli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    match run(cli, tracks).await {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of a pipe stopped reading: the command itself finished.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", report(&err));
            ExitCode::FAILURE
        }
    }
}

/// Loads `.env` from the current directory or the nearest parent holding one into the
/// environment, as sea-orm's own migration command line does, so `DATABASE_URL` can live there.
/// Variables already set win over the file. A malformed file is reported on stderr without its
/// content (it may hold a password) and otherwise ignored; a missing one is not an error.
pub fn load_dot_env() {
    match dotenvy::dotenv() {
        Ok(_) => {}
        Err(err) if err.not_found() => {}
        Err(dotenvy::Error::LineParse(_, index)) => {
            eprintln!("warning: .env ignored from byte {index} on: it cannot be parsed there");
        }
        Err(_) => eprintln!("warning: .env ignored: it cannot be read"),
    }
}

async fn run(cli: MigrateCli, tracks: &'static [Track]) -> Result<(), CliError> {
    let tracks = checked_tracks(tracks)?;
    // An empty DATABASE_URL means "not set".
    let url = if cli.database_url.trim().is_empty() {
        DEFAULT_DATABASE_URL.to_owned()
    } else {
        cli.database_url
    };
    let connect_url = connect::url_for(&url, cli.command.is_read_only(), cli.command.is_dry_run());
    let db = connect::connect(&connect_url).await?;
    let ctx = Context {
        tracks: &tracks,
        database: redact_url(&url),
        url: super::DatabaseUrl::new(url.clone()),
        lock_timeout: cli.lock.timeout(),
    };
    let result = super::run(&db, &ctx, cli.command).await;
    // Closing lets SQLite checkpoint its WAL; a failure here does not undo the command.
    let _ = db.close().await;
    result
}

/// The error and its causes on one line, skipping causes the message already includes.
fn report(err: &CliError) -> String {
    let mut message = err.to_string();
    let mut next = std::error::Error::source(err);
    while let Some(cause) = next {
        let cause_text = cause.to_string();
        if !message.contains(&cause_text) {
            message.push_str(": ");
            message.push_str(&cause_text);
        }
        next = cause.source();
    }
    message
}
