//! Violations: breaches of a rule found at a line of a file (or in the file as a whole), from
//! detection through acknowledgement to resolution.

mod sea_orm;

pub use self::sea_orm::SeaOrmViolationRepository;

use std::num::NonZeroU32;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use memdb_repository::{Page, RepoResult};
use serde::{Deserialize, Serialize};

use crate::ids::ViolationId;

memdb_repository::db_enum! {
    /// How bad a violation is, least first.
    pub enum Severity: "violation severity" {
        /// Worth knowing.
        Info => "info",
        /// Should be looked at.
        Warning => "warning",
        /// Must be fixed.
        Error => "error",
        /// Must be fixed now.
        Critical => "critical",
    }
}

memdb_repository::db_enum! {
    /// Where a violation is in its handling.
    pub enum ViolationStatus: "violation status" {
        /// Detected, nobody has looked at it.
        Open => "open",
        /// Seen and accepted as real, not fixed yet.
        Acknowledged => "acknowledged",
        /// Fixed.
        Resolved => "resolved",
        /// Judged not worth fixing.
        Ignored => "ignored",
    }
}

impl ViolationStatus {
    /// The statuses of a violation still to be dealt with. Recording the same violation again
    /// while it is in one of them returns it instead of a second one.
    pub const UNRESOLVED: [Self; 2] = [Self::Open, Self::Acknowledged];

    /// The statuses a violation may move to `self` from: acknowledged from open; resolved or
    /// ignored from open or acknowledged; open again (reopened) from any other status.
    #[must_use]
    pub const fn reachable_from(self) -> &'static [Self] {
        match self {
            Self::Open => &[Self::Acknowledged, Self::Resolved, Self::Ignored],
            Self::Acknowledged => &[Self::Open],
            Self::Resolved | Self::Ignored => &Self::UNRESOLVED,
        }
    }

    /// Whether a violation in this status may move to `to`.
    #[must_use]
    pub fn can_become(self, to: Self) -> bool {
        to.reachable_from().contains(&self)
    }
}

/// A recorded violation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleViolation {
    /// Its id.
    pub id: ViolationId,
    /// The rule broken.
    pub rule: String,
    /// How bad it is.
    pub severity: Severity,
    /// The file it is in.
    pub path: String,
    /// The line it is at; `None` when it concerns the whole file.
    pub line: Option<NonZeroU32>,
    /// What is wrong.
    pub message: String,
    /// Where it is in its handling.
    pub status: ViolationStatus,
    /// When it was recorded.
    pub detected_at: DateTime<Utc>,
    /// When it was resolved, while it is [`ViolationStatus::Resolved`].
    pub resolved_at: Option<DateTime<Utc>>,
}

/// Input of [`ViolationRepository::record`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewViolation {
    /// The rule broken: 1 to 200 characters, not blank, no NUL; stored in Unicode NFC.
    pub rule: String,
    /// How bad it is.
    pub severity: Severity,
    /// The file: 1 to 1024 characters and 2048 bytes, not blank, no NUL; kept exactly as given
    /// (a file system tells paths apart by their bytes).
    pub path: String,
    /// The line, at most `i32::MAX`; `None` for the whole file.
    pub line: Option<NonZeroU32>,
    /// What is wrong: 1 to 10,000 characters, not blank, no NUL.
    pub message: String,
}

/// What [`ViolationRepository::record`] did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    /// The violation: the new one, or the unresolved one that was already there.
    pub violation: RuleViolation,
    /// Whether it was recorded by this call (false: it was already recorded, unresolved).
    pub is_new: bool,
}

/// Filter of [`ViolationRepository::list`]; every field set narrows the listing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViolationFilter {
    /// Only violations in this status.
    pub status: Option<ViolationStatus>,
    /// Only violations of this severity.
    pub severity: Option<Severity>,
    /// Only violations in this file (compared as given).
    pub path: Option<String>,
}

/// How many violations of one severity are still to be dealt with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityCount {
    /// The severity.
    pub severity: Severity,
    /// Violations of it that are open.
    pub open: u64,
    /// Violations of it that are acknowledged.
    pub acknowledged: u64,
}

/// Violations of rules in files.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait ViolationRepository: Send + Sync {
    /// Records a violation, open. When the same rule is already broken at the same path and
    /// line and that violation is unresolved (open or acknowledged), returns that one instead,
    /// unchanged: atomically, so concurrent recorders of one violation store it once.
    ///
    /// # Errors
    /// `Validation` for a bad rule, path, message or a line above `i32::MAX`.
    async fn record(&self, input: NewViolation) -> RepoResult<Recorded>;

    /// The violation with this id.
    ///
    /// # Errors
    /// `NotFound` when there is none.
    async fn get(&self, id: ViolationId) -> RepoResult<RuleViolation>;

    /// Moves a violation to `status` (see [`ViolationStatus::reachable_from`]): its resolution
    /// time is set when it becomes resolved and cleared otherwise. The move is one conditional
    /// update, so of concurrent moves that exclude each other exactly one wins.
    ///
    /// # Errors
    /// `NotFound` when there is none; `Conflict` (`WrongState`) when its status does not allow
    /// the move; `Conflict` (`Duplicate`) when reopening it while the same rule is broken,
    /// unresolved, at the same place by a violation recorded since.
    async fn set_status(
        &self,
        id: ViolationId,
        status: ViolationStatus,
    ) -> RepoResult<RuleViolation>;

    /// Violations matching `filter`, in detection order.
    ///
    /// # Errors
    /// `Validation` for a path filter containing NUL.
    async fn list(&self, filter: ViolationFilter, page: Page) -> RepoResult<Vec<RuleViolation>>;

    /// How many violations are open (and how many acknowledged) by severity: one entry per
    /// severity, least severe first, zeros included.
    ///
    /// # Errors
    /// `Db` when the query fails; `Corrupt` for a stored severity or status outside the enums.
    async fn open_counts(&self) -> RepoResult<Vec<SeverityCount>>;

    /// Resolves every unresolved violation in the file at `path` in one statement and returns
    /// how many that was.
    ///
    /// # Errors
    /// `Validation` for a path containing NUL.
    async fn resolve_path(&self, path: &str) -> RepoResult<u64>;
}
