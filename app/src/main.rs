#![doc = include_str!("../README.md")]

mod cli;
mod consolidate;
mod copy;
mod doctor;
mod init;
mod output;
#[cfg(feature = "enhanced")]
mod policies;
mod seed;
mod status;
mod tracks;

use std::process::ExitCode;

use std::io::IsTerminal as _;
use std::path::Path;

use anyhow::{Context as _, Result};
use clap::Parser as _;

use memdb_migration::cli::{LockArgs, MigrateCommand};

use crate::cli::{Cli, Command, DatabaseCommand};

#[tokio::main]
async fn main() -> ExitCode {
    memdb_migration::cli::load_dot_env();
    let cli = Cli::parse();
    init_tracing(cli.verbose);
    // `consolidate` and `copy` name their own databases (`--from`, `--to`): no connection to
    // DATABASE_URL.
    let result = match cli.command {
        Command::Consolidate(args) => consolidate::run(args).await,
        Command::Copy(args) => copy::run(&args, cli.lock.timeout()).await,
        Command::Database(command) => run(cli.database_url, &cli.lock, command).await,
    };
    match result {
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

/// Connects to `database_url` (with memdb's per-backend settings) and runs `command`.
async fn run(mut database_url: String, lock: &LockArgs, command: DatabaseCommand) -> Result<()> {
    // An empty DATABASE_URL means "not set", as in `database_url_from_env`.
    if database_url.trim().is_empty() {
        memdb_repository::DEFAULT_DATABASE_URL.clone_into(&mut database_url);
    }
    let (read_only, dry_run) = match &command {
        // `memdb backup` only reads, like `memdb migrate backup`.
        DatabaseCommand::Status | DatabaseCommand::Doctor { .. } | DatabaseCommand::Backup(_) => {
            (true, false)
        }
        DatabaseCommand::Migrate { action } => (action.is_read_only(), action.is_dry_run()),
        DatabaseCommand::Init | DatabaseCommand::Seed(_) | DatabaseCommand::Restore(_) => {
            (false, false)
        }
        #[cfg(feature = "enhanced")]
        DatabaseCommand::Policies {
            action: cli::PoliciesCommand::Run(args),
        } => (args.dry_run, false),
    };
    // Reading must not create a missing SQLite file; a dry run reads an empty database then.
    let url = memdb_migration::cli::connect::url_for(&database_url, read_only, dry_run);
    let tracks = tracks::compiled()?;
    let db = memdb_repository::connect(&url)
        .await
        .with_context(|| missing_file_hint(&url))?;
    let ctx = memdb_migration::cli::Context {
        tracks: &tracks,
        database: memdb_repository::redact_url(&database_url),
        url: memdb_migration::cli::DatabaseUrl::new(database_url.clone()),
        lock_timeout: lock.timeout(),
    };
    let result = match command {
        DatabaseCommand::Init => init::run(&db, &ctx, &database_url).await,
        DatabaseCommand::Status => status::run(&db, &tracks, &database_url).await,
        DatabaseCommand::Migrate { action } => migrate(&db, &ctx, action).await,
        DatabaseCommand::Seed(args) => seed::run(&db, &args).await,
        DatabaseCommand::Doctor { json } => doctor::run(&db, &ctx, json).await,
        DatabaseCommand::Backup(args) => migrate(&db, &ctx, MigrateCommand::Backup(args)).await,
        DatabaseCommand::Restore(args) => migrate(&db, &ctx, MigrateCommand::Restore(args)).await,
        #[cfg(feature = "enhanced")]
        DatabaseCommand::Policies { action } => policies::run(&db, action).await,
    };
    // Closing lets SQLite checkpoint its WAL; a failure here does not undo the command.
    if let Err(err) = db.close().await {
        tracing::warn!("closing the database: {err}");
    }
    result
}

/// Runs one of the shared migrate commands.
async fn migrate(
    db: &sea_orm::DatabaseConnection,
    ctx: &memdb_migration::cli::Context<'_>,
    action: MigrateCommand,
) -> Result<()> {
    Ok(memdb_migration::cli::run(db, ctx, action).await?)
}

/// What to do about a SQLite URL whose file does not exist, or nothing to add.
fn missing_file_hint(url: &str) -> String {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or(rest));
    match path {
        Some(path)
            if !path.is_empty() && !path.contains(":memory:") && !Path::new(path).exists() =>
        {
            format!("no database file at {path} (`memdb init` creates it)")
        }
        _ => "opening the database".to_owned(),
    }
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
        // Colour codes only for a person at a terminal, not in files or pipes.
        .with_ansi(std::io::stderr().is_terminal())
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
