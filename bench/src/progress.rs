//! Progress of the data set build on stderr: a line updated in place (`\r`) on a terminal,
//! a few plain log lines otherwise (CI logs keep every byte).

use std::io::{IsTerminal as _, Write as _};

/// Progress of one table's load.
pub(crate) struct Progress {
    label: &'static str,
    total: u64,
    terminal: bool,
    shown: u64,
}

impl Progress {
    /// Starts reporting `total` steps of `label`.
    pub(crate) fn new(label: &'static str, total: u64) -> Self {
        Self {
            label,
            total: total.max(1),
            terminal: std::io::stderr().is_terminal(),
            shown: u64::MAX,
        }
    }

    /// Reports `done` steps: every percent on a terminal, every quarter in a log.
    pub(crate) fn update(&mut self, done: u64) {
        let step = if self.terminal { 100 } else { 4 };
        let bucket = done * step / self.total;
        if bucket == self.shown {
            return;
        }
        self.shown = bucket;
        let mut err = std::io::stderr().lock();
        let line = format!("  loading {}: {done}/{}", self.label, self.total);
        // A failed write to stderr loses a progress line, nothing else.
        let _ = if self.terminal {
            write!(err, "\r{line}")
        } else {
            writeln!(err, "{line}")
        };
        if self.terminal && done >= self.total {
            let _ = writeln!(err);
        }
    }
}
