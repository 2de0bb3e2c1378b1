//! `memdb`: the operator CLI. Each command is a small module that calls into
//! `memdb-migration` and `memdb-repository`; no business logic lives here.
//!
//! ```text
//! memdb [--database-url <URL>] init | status | seed | migrate <up|down|status|fresh|refresh|reset>
//! ```

mod cli;
mod init;
mod migrate;
mod output;
mod seed;
mod status;
mod table;

use std::process::ExitCode;

use anyhow::Result;
use clap::Parser as _;

use crate::cli::{Cli, Command};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.verbose);
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of a pipe stopped reading (`memdb status | head -1`): the command itself
        // finished, and nobody is left to read an error message.
        Err(err) if output::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", report(&err));
            ExitCode::FAILURE
        }
    }
}

/// Connects (with memdb's per-backend settings) and runs the command.
async fn run(cli: Cli) -> Result<()> {
    let db = memdb_repository::connect(&cli.database_url).await?;
    let result = match cli.command {
        Command::Init => init::run(&db, &cli.database_url).await,
        Command::Status => status::run(&db, &cli.database_url).await,
        Command::Migrate { action } => migrate::run(&db, action).await,
        Command::Seed => seed::run(&db).await,
    };
    // Closing lets SQLite checkpoint its WAL; a failure here does not undo the command.
    if let Err(err) = db.close().await {
        tracing::warn!("closing the database: {err}");
    }
    result
}

/// Logs to stderr: warnings only, or progress too with `--verbose`.
fn init_tracing(verbose: bool) {
    let level = if verbose {
        tracing::Level::INFO
    } else {
        tracing::Level::WARN
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .init();
}

/// The error and its causes on one line, skipping causes the message already includes (memdb's
/// errors embed their source in their own message).
fn report(err: &anyhow::Error) -> String {
    let mut message = err.to_string();
    for cause in err.chain().skip(1) {
        let cause = cause.to_string();
        if !message.contains(&cause) {
            message.push_str(": ");
            message.push_str(&cause);
        }
    }
    message
}
