//! Progress of a long step (a backup, a restore) on stderr, through the shared
//! [`ProgressLine`]: on a terminal one line rewritten in place with the elapsed time and the
//! bytes written so far; elsewhere (a log, a pipe) a plain line when the step starts and one
//! every [`PLAIN_EVERY`] while it runs. Standard output is left to the report (and to
//! `--json`).

use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::cli::progress_line::ProgressLine;

/// How often a plain progress line is written when stderr is not a terminal.
const PLAIN_EVERY: Duration = Duration::from_secs(10);

/// One step's progress report.
pub(super) struct Progress {
    label: String,
    watch: Option<PathBuf>,
    line: ProgressLine,
    started: Instant,
}

impl Progress {
    /// Starts reporting `label` (`backing up sqlite://memdb.sqlite to ...`); the size of
    /// `watch`, when given, is shown as the bytes written.
    pub(super) fn start(label: String, watch: Option<PathBuf>) -> Self {
        let progress = Self {
            label,
            watch,
            line: ProgressLine::stderr(Some(PLAIN_EVERY)),
            started: Instant::now(),
        };
        if !progress.line.is_terminal() {
            // A log gets the start at once; the state follows every PLAIN_EVERY.
            progress.line.write(&format!("{} ...", progress.label));
        }
        progress
    }

    /// Awaits `work`, redrawing the progress while it runs, then clears the terminal line.
    pub(super) async fn while_running<T>(&self, work: impl Future<Output = T>) -> T {
        let every = self.line.every().unwrap_or(PLAIN_EVERY);
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        tokio::pin!(work);
        let result = loop {
            tokio::select! {
                result = &mut work => break result,
                _ = ticks.tick() => self.line(),
            }
        };
        // Clear the line so the report starts on a clean one.
        self.line.clear();
        result
    }

    /// Writes the current state: rewritten in place on a terminal, a new line elsewhere.
    fn line(&self) {
        let elapsed = self.started.elapsed().as_secs_f64();
        let written = self
            .watch
            .as_ref()
            .and_then(|path| std::fs::metadata(path).ok())
            .map(|m| format!(", {} written", human_bytes(m.len())))
            .unwrap_or_default();
        let line = if self.line.is_terminal() {
            format!("{}: {elapsed:.1} s{written}", self.label)
        } else {
            format!("{}: {elapsed:.0} s{written}", self.label)
        };
        self.line.write(&line);
    }
}

/// A byte count for people: `512 B`, `96.0 KiB`, `12.3 MiB`, `1.5 GiB`.
#[must_use]
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    // Precision loss above 2^52 bytes does not show at one decimal.
    #[allow(clippy::cast_precision_loss, reason = "shown to one decimal")]
    let mut value = bytes as f64 / 1024.0;
    let mut unit = UNITS[0];
    for next in &UNITS[1..] {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = next;
    }
    format!("{value:.1} {unit}")
}

#[cfg(test)]
mod tests {
    use super::human_bytes;

    #[test]
    fn bytes_are_shown_in_binary_units() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(98_304), "96.0 KiB");
        assert_eq!(human_bytes(5 * 1024 * 1024 + 300 * 1024), "5.3 MiB");
    }
}
