//! Standard output for command reports, through memdb-migration's writer so that a closed
//! pipe (`memdb status | head -1`) is recognised the same way in every command.

/// Writes formatted text to stdout; evaluates to `Result<(), StdoutError>`.
macro_rules! out {
    ($($arg:tt)*) => {
        memdb_migration::cli::output::write(format_args!($($arg)*))
    };
}

/// Writes formatted text and a newline to stdout; evaluates to `Result<(), StdoutError>`.
macro_rules! outln {
    () => {
        memdb_migration::cli::output::write(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        memdb_migration::cli::output::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use memdb_migration::cli::output::StdoutError;
pub(crate) use {out, outln};

/// Whether `err` comes from writing to stdout after its reader has gone away.
pub(crate) fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .any(memdb_migration::cli::output::is_broken_pipe)
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;

    #[test]
    fn broken_pipe_is_recognised_through_context() {
        let err = anyhow::Error::from(StdoutError(io::ErrorKind::BrokenPipe.into()))
            .context("printing the status");
        assert!(is_broken_pipe(&err));
    }

    #[test]
    fn other_errors_are_not_broken_pipes() {
        let socket = anyhow::Error::from(io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(!is_broken_pipe(&socket));
        assert!(!is_broken_pipe(&anyhow::anyhow!("broken pipe")));
    }
}
