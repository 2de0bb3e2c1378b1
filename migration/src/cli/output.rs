//! Standard output for command reports.
//!
//! `println!` panics when stdout is a closed pipe (`memdb-migrate status | head -1`). Reports
//! are written through [`write`] instead (the crate's `out!`/`outln!` macros), which returns a
//! [`StdoutError`]; a binary treats a broken pipe on stdout as the reader having seen enough and
//! exits quietly ([`is_broken_pipe`]). An `io::Error` from a database connection is never
//! mistaken for it: only [`StdoutError`] counts.

use std::fmt;
use std::io::{self, Write as _};

/// Writes formatted text to stdout; evaluates to `Result<(), StdoutError>`.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::output::write(format_args!($($arg)*))
    };
}

/// Writes formatted text and a newline to stdout; evaluates to `Result<(), StdoutError>`.
macro_rules! outln {
    () => {
        $crate::cli::output::write(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::cli::output::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use {out, outln};

/// Writing a report to stdout failed.
#[derive(Debug, thiserror::Error)]
#[error("writing to stdout: {0}")]
pub struct StdoutError(#[source] pub io::Error);

/// Writes `args` to the locked stdout.
///
/// # Errors
/// [`StdoutError`] when stdout cannot be written (a closed pipe, a full disk).
pub fn write(args: fmt::Arguments<'_>) -> Result<(), StdoutError> {
    io::stdout().lock().write_fmt(args).map_err(StdoutError)
}

/// Whether `err`, or an error in its chain of sources, comes from writing to stdout after its
/// reader has gone away.
#[must_use]
pub fn is_broken_pipe(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(err);
    while let Some(cause) = next {
        if cause
            .downcast_ref::<StdoutError>()
            .is_some_and(|StdoutError(io)| io.kind() == io::ErrorKind::BrokenPipe)
        {
            return true;
        }
        next = cause.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_pipe_is_recognised_through_sources() {
        #[derive(Debug, thiserror::Error)]
        #[error("printing the status")]
        struct Wrapper(#[source] StdoutError);
        let err = Wrapper(StdoutError(io::ErrorKind::BrokenPipe.into()));
        assert!(is_broken_pipe(&err));
    }

    #[test]
    fn other_errors_are_not_broken_pipes() {
        let denied = StdoutError(io::ErrorKind::PermissionDenied.into());
        assert!(!is_broken_pipe(&denied));
        // A broken pipe that is not stdout's (say, a dropped database socket) is a real error.
        let socket = io::Error::from(io::ErrorKind::BrokenPipe);
        assert!(!is_broken_pipe(&socket));
    }
}
