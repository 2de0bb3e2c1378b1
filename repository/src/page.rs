//! Pagination and timestamps shared by the repositories.

use chrono::{DateTime, FixedOffset, SubsecRound, Utc};

use crate::error::{RepoError, RepoResult};

/// A window of a listing: at most `limit` rows after skipping `offset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    limit: u64,
    offset: u64,
}

impl Page {
    /// The most rows one page may hold.
    pub const MAX_LIMIT: u64 = 1000;

    /// The largest offset: databases take `OFFSET` as a signed 64-bit integer.
    pub const MAX_OFFSET: u64 = i64::MAX as u64;

    /// A page of `limit` rows (1 to [`Page::MAX_LIMIT`]) starting after `offset` rows (at most
    /// [`Page::MAX_OFFSET`]).
    ///
    /// # Errors
    /// [`RepoError::Validation`] with field `limit` when `limit` is 0 or above
    /// [`Page::MAX_LIMIT`], with field `offset` when `offset` is above [`Page::MAX_OFFSET`].
    pub fn new(limit: u64, offset: u64) -> RepoResult<Self> {
        if limit == 0 || limit > Self::MAX_LIMIT {
            return Err(RepoError::invalid(
                "limit",
                format!("must be 1 to {}, got {limit}", Self::MAX_LIMIT),
            ));
        }
        if offset > Self::MAX_OFFSET {
            return Err(RepoError::invalid(
                "offset",
                format!("must be at most {}, got {offset}", Self::MAX_OFFSET),
            ));
        }
        Ok(Self { limit, offset })
    }

    /// Rows per page.
    #[must_use]
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Rows skipped.
    #[must_use]
    pub fn offset(&self) -> u64 {
        self.offset
    }
}

impl Default for Page {
    /// The first 100 rows.
    fn default() -> Self {
        Self {
            limit: 100,
            offset: 0,
        }
    }
}

/// Now, in UTC, cut to microseconds: what every backend stores, so a value read back equals
/// the value written and stored text timestamps sort in time order on SQLite. Every repository,
/// legacy or enhanced, stamps rows with it.
#[must_use]
pub fn now() -> DateTime<FixedOffset> {
    Utc::now().trunc_subsecs(6).fixed_offset()
}

/// A stored timestamp as UTC.
pub(crate) fn utc(at: DateTime<FixedOffset>) -> DateTime<Utc> {
    at.with_timezone(&Utc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_offsets_are_range_checked() {
        assert!(matches!(
            Page::new(0, 0),
            Err(RepoError::Validation { field: "limit", .. })
        ));
        assert!(matches!(
            Page::new(Page::MAX_LIMIT + 1, 0),
            Err(RepoError::Validation { field: "limit", .. })
        ));
        let last = Page::new(Page::MAX_LIMIT, Page::MAX_OFFSET).unwrap();
        assert_eq!(
            (last.limit(), last.offset()),
            (Page::MAX_LIMIT, i64::MAX as u64)
        );
        for offset in [Page::MAX_OFFSET + 1, u64::MAX] {
            assert!(matches!(
                Page::new(10, offset),
                Err(RepoError::Validation {
                    field: "offset",
                    ..
                })
            ));
        }
    }
}
