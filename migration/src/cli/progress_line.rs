//! One progress line on stderr, shared by the long-running commands (backup, restore, copy,
//! consolidate): on a terminal one line redrawn in place at most every [`TICK`]; elsewhere (a
//! log, a pipe) a plain line at the interval the caller chooses, or only the lines it forces.
//!
//! What a line says is the caller's. This module owns when and how it is written
//! ([`ProgressLine`]), clearing it at the end, and the rate and ETA arithmetic ([`Throughput`],
//! [`rate`], [`eta`]). Progress is a courtesy: a stderr that cannot be written is ignored and
//! never fails the command. Standard output is left to the report.

use std::io::{IsTerminal as _, Write as _};
use std::time::{Duration, Instant};

/// How often the terminal line is redrawn.
pub const TICK: Duration = Duration::from_millis(200);

/// Returns the cursor to the start of the terminal line and erases it.
pub const CLEAR: &str = "\r\x1b[2K";

/// The progress line of one command on stderr.
#[derive(Clone, Debug)]
pub struct ProgressLine {
    terminal: bool,
    throttle: Throttle,
}

impl ProgressLine {
    /// A line on this process's stderr, redrawn in place when stderr is a terminal; elsewhere
    /// a plain line every `plain_every` (`None`: only the lines the caller forces).
    #[must_use]
    pub fn stderr(plain_every: Option<Duration>) -> Self {
        Self::new(std::io::stderr().is_terminal(), plain_every)
    }

    /// A line written as to a terminal or not, whatever stderr is (`terminal` decides how the
    /// line is drawn and how often it is [`due`](Self::due)).
    #[must_use]
    pub fn new(terminal: bool, plain_every: Option<Duration>) -> Self {
        let every = if terminal { Some(TICK) } else { plain_every };
        Self {
            terminal,
            throttle: Throttle::new(every, Instant::now()),
        }
    }

    /// Whether the line is redrawn in place (stderr is a terminal).
    #[must_use]
    pub fn is_terminal(&self) -> bool {
        self.terminal
    }

    /// How often a line is due: [`TICK`] on a terminal, the plain interval elsewhere (`None`
    /// when only forced lines are written).
    #[must_use]
    pub fn every(&self) -> Option<Duration> {
        self.throttle.every
    }

    /// Whether the interval has passed since the line was last shown with
    /// [`show`](Self::show) (or since it was made).
    #[must_use]
    pub fn due(&self) -> bool {
        self.throttle.due(Instant::now())
    }

    /// Writes `line` now and starts the interval again.
    pub fn show(&mut self, line: &str) {
        self.throttle.shown(Instant::now());
        self.write(line);
    }

    /// Writes `line` now, without touching the interval (for a caller with a timer of its own):
    /// redrawn in place on a terminal, a new line elsewhere.
    pub fn write(&self, line: &str) {
        emit(&render(self.terminal, line));
    }

    /// Ends the terminal line so the one drawn last stays on screen and the next starts below
    /// it; nothing elsewhere, where every line already ends.
    pub fn keep(&self) {
        if self.terminal {
            emit("\n");
        }
    }

    /// Erases the terminal line so what follows starts on a clean one; nothing elsewhere.
    pub fn clear(&self) {
        if self.terminal {
            emit(CLEAR);
        }
    }
}

/// What is written for `line`: a redraw of the terminal line, or a plain line.
#[must_use]
pub fn render(terminal: bool, line: &str) -> String {
    if terminal {
        format!("{CLEAR}{line}")
    } else {
        format!("{line}\n")
    }
}

/// Writes `text` to stderr and flushes it, ignoring failures: progress must not fail a command.
fn emit(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
    let _ = stderr.flush();
}

/// When a line is due: once `every` has passed since the last one (never without `every`).
#[derive(Clone, Copy, Debug)]
struct Throttle {
    every: Option<Duration>,
    shown: Instant,
}

impl Throttle {
    /// A throttle whose first interval starts at `now`.
    fn new(every: Option<Duration>, now: Instant) -> Self {
        Self { every, shown: now }
    }

    /// Whether a line is due at `now`.
    fn due(&self, now: Instant) -> bool {
        self.every
            .is_some_and(|every| now.saturating_duration_since(self.shown) >= every)
    }

    /// A line was shown at `now`: the next interval starts.
    fn shown(&mut self, now: Instant) {
        self.shown = now;
    }
}

/// Items (rows) per second since a point: restarted per table or phase by the caller.
#[derive(Clone, Copy, Debug)]
pub struct Throughput {
    started: Instant,
    from: u64,
}

impl Throughput {
    /// Starts counting now, with `from` items already done (they do not count in the rate).
    #[must_use]
    pub fn start(from: u64) -> Self {
        Self {
            started: Instant::now(),
            from,
        }
    }

    /// The items done when counting started.
    #[must_use]
    pub fn from(&self) -> u64 {
        self.from
    }

    /// Items per second since the start, with `done` items done in all.
    #[must_use]
    pub fn per_second(&self, done: u64) -> f64 {
        rate(done.saturating_sub(self.from), self.started.elapsed())
    }
}

/// `count` items over `elapsed`, per second; an elapsed time under a millisecond counts as one
/// millisecond, so the first item does not divide by zero.
#[must_use]
#[allow(clippy::cast_precision_loss, reason = "a rate shown to whole items")]
pub fn rate(count: u64, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64().max(1e-3)
}

/// The time left for `remaining` items at `rate` items per second, to the second (`12 s`);
/// `-` while there is no rate to go by.
#[must_use]
#[allow(clippy::cast_precision_loss, reason = "an estimate")]
pub fn eta(remaining: u64, rate: f64) -> String {
    if rate > 0.0 {
        format!("{:.0} s", remaining as f64 / rate)
    } else {
        "-".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::{ProgressLine, TICK, Throttle, Throughput, eta, rate, render};
    use std::time::{Duration, Instant};

    #[test]
    fn a_line_is_due_once_the_interval_has_passed_since_the_last() {
        let start = Instant::now();
        let mut throttle = Throttle::new(Some(Duration::from_secs(5)), start);
        assert!(!throttle.due(start));
        assert!(!throttle.due(start + Duration::from_millis(4_999)));
        assert!(throttle.due(start + Duration::from_secs(5)));
        throttle.shown(start + Duration::from_secs(6));
        assert!(!throttle.due(start + Duration::from_secs(10)));
        assert!(throttle.due(start + Duration::from_secs(11)));
    }

    #[test]
    fn without_an_interval_no_line_is_ever_due() {
        let start = Instant::now();
        let throttle = Throttle::new(None, start);
        assert!(!throttle.due(start + Duration::from_secs(24 * 60 * 60 + 1)));
    }

    #[test]
    fn a_clock_going_back_is_not_due() {
        let now = Instant::now();
        let throttle = Throttle::new(Some(TICK), now + Duration::from_secs(1));
        assert!(!throttle.due(now));
    }

    #[test]
    fn a_terminal_redraws_every_tick_and_a_log_at_its_own_interval() {
        let plain = Some(Duration::from_secs(10));
        assert_eq!(ProgressLine::new(true, plain).every(), Some(TICK));
        assert_eq!(ProgressLine::new(false, plain).every(), plain);
        assert_eq!(ProgressLine::new(false, None).every(), None);
        assert!(!ProgressLine::new(false, None).due());
    }

    #[test]
    fn a_terminal_line_is_redrawn_in_place_and_a_log_gets_plain_lines() {
        assert_eq!(render(true, "copying tasks"), "\r\x1b[2Kcopying tasks");
        assert_eq!(render(false, "copying tasks"), "copying tasks\n");
    }

    #[test]
    fn a_rate_never_divides_by_zero() {
        assert!((rate(500, Duration::from_secs(2)) - 250.0).abs() < 1e-9);
        assert!((rate(3, Duration::ZERO) - 3_000.0).abs() < 1e-9);
        assert!(rate(0, Duration::from_secs(1)).abs() < 1e-9);
    }

    #[test]
    fn rows_done_before_the_start_do_not_count_in_the_rate() {
        let throughput = Throughput::start(100);
        assert_eq!(throughput.from(), 100);
        assert!(throughput.per_second(100).abs() < 1e-9);
        assert!(throughput.per_second(40).abs() < 1e-9);
        assert!(throughput.per_second(101) > 0.0);
    }

    #[test]
    fn the_eta_is_whole_seconds_or_a_dash_without_a_rate() {
        assert_eq!(eta(1_000, 250.0), "4 s");
        assert_eq!(eta(0, 13_654.0), "0 s");
        assert_eq!(eta(100, 3.0), "33 s");
        assert_eq!(eta(100, 0.0), "-");
    }
}
