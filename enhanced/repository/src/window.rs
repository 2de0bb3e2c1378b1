//! [`TimeWindow`]: the half-open time range the listings and summaries of the enhanced
//! repositories take.

use chrono::{DateTime, FixedOffset, SubsecRound, Utc};
use memdb_repository::{RepoError, RepoResult};

/// The instants from `from` (included) up to `to` (excluded), cut to microseconds like every
/// stored timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeWindow {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

impl TimeWindow {
    /// The window `[from, to)`, both cut to microseconds.
    ///
    /// # Errors
    /// [`RepoError::Validation`] with field `window` unless `from` is before `to` (after the
    /// cut).
    pub fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> RepoResult<Self> {
        let (from, to) = (from.trunc_subsecs(6), to.trunc_subsecs(6));
        if from >= to {
            return Err(RepoError::invalid(
                "window",
                format!("must start before it ends, got {from} to {to}"),
            ));
        }
        Ok(Self { from, to })
    }

    /// The first instant in the window.
    #[must_use]
    pub fn from(&self) -> DateTime<Utc> {
        self.from
    }

    /// The first instant after the window.
    #[must_use]
    pub fn to(&self) -> DateTime<Utc> {
        self.to
    }

    /// Both bounds as the repositories bind them (UTC, stored form).
    pub(crate) fn bounds(&self) -> (DateTime<FixedOffset>, DateTime<FixedOffset>) {
        (self.from.fixed_offset(), self.to.fixed_offset())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    #[test]
    fn windows_must_start_before_they_end() {
        let now = Utc::now();
        assert!(TimeWindow::new(now, now + TimeDelta::seconds(1)).is_ok());
        for to in [now, now - TimeDelta::seconds(1)] {
            assert!(matches!(
                TimeWindow::new(now, to),
                Err(RepoError::Validation {
                    field: "window",
                    ..
                })
            ));
        }
        // Less than a microsecond apart is empty once cut to what the database stores.
        let start = now.trunc_subsecs(6);
        assert!(TimeWindow::new(start, start + TimeDelta::nanoseconds(999)).is_err());
    }
}
