//! Standard output for command reports.
//!
//! `println!` panics when stdout is a closed pipe (`memdb status | head -1`). Reports are
//! written through [`out!`] and [`outln!`] instead, which return a [`StdoutError`]; `main` treats
//! a broken pipe on stdout as the reader having seen enough and exits quietly. (An `io::Error`
//! from a database connection is never mistaken for it: only [`StdoutError`] counts.)

use std::fmt;
use std::io::{self, Write as _};

/// Writes formatted text to stdout; evaluates to `Result<(), StdoutError>`.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::write(format_args!($($arg)*))
    };
}

/// Writes formatted text and a newline to stdout; evaluates to `Result<(), StdoutError>`.
macro_rules! outln {
    () => {
        $crate::output::write(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::output::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use {out, outln};

/// Writing a report to stdout failed.
#[derive(Debug, thiserror::Error)]
#[error("writing to stdout: {0}")]
pub(crate) struct StdoutError(#[source] io::Error);

/// Writes `args` to the locked stdout.
pub(crate) fn write(args: fmt::Arguments<'_>) -> Result<(), StdoutError> {
    io::stdout().lock().write_fmt(args).map_err(StdoutError)
}

/// Whether `err` comes from writing to stdout after its reader has gone away.
pub(crate) fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<StdoutError>()
            .is_some_and(|StdoutError(io)| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_pipe_is_recognised_through_context() {
        let err = anyhow::Error::from(StdoutError(io::ErrorKind::BrokenPipe.into()))
            .context("printing the status");
        assert!(is_broken_pipe(&err));
    }

    #[test]
    fn other_errors_are_not_broken_pipes() {
        let denied = anyhow::Error::from(StdoutError(io::ErrorKind::PermissionDenied.into()));
        assert!(!is_broken_pipe(&denied));
        // A broken pipe that is not stdout's (say, a dropped database socket) is a real error.
        let socket = anyhow::Error::from(io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(!is_broken_pipe(&socket));
        assert!(!is_broken_pipe(&anyhow::anyhow!("broken pipe")));
    }
}
