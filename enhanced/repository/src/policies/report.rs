//! What a plan or a run reports: [`PolicyReport`], a fixed table of rows, and [`Batch`], what
//! one committed batch did.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Tier;

/// A lifecycle rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Old episodic memory entries are soft-deleted.
    EpisodicTtl,
    /// A user's memories beyond the limit are deleted.
    Trim,
    /// Old, important memories move up a tier or two.
    Promote,
    /// Old, unimportant memories move down to `short_term`.
    Demote,
}

impl Rule {
    /// The name in tables and JSON.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EpisodicTtl => "episodic_ttl",
            Self::Trim => "trim",
            Self::Promote => "promote",
            Self::Demote => "demote",
        }
    }
}

/// What a rule does to the rows it matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A new version of a memory entry, flagged deleted.
    SoftDelete,
    /// A memory deleted.
    Delete,
    /// A memory's tier changed.
    Move,
}

impl Action {
    /// The name in tables and JSON.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SoftDelete => "soft_delete",
            Self::Delete => "delete",
            Self::Move => "move",
        }
    }
}

/// One row of a report: how many rows a rule changes (or changed) one way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRow {
    /// The rule.
    pub rule: Rule,
    /// What it does.
    pub action: Action,
    /// The tier of the memories it deletes or moves (none for memory entries).
    pub from: Option<Tier>,
    /// The tier it moves them to.
    pub to: Option<Tier>,
    /// How many.
    pub count: u64,
}

/// The rows of every report, in this order: the TTL, the trim per tier, then each tier move.
const ROWS: [(Rule, Action, Option<Tier>, Option<Tier>); 9] = {
    use Tier::{LongTerm as L, MidTerm as M, ShortTerm as S};
    [
        (Rule::EpisodicTtl, Action::SoftDelete, None, None),
        (Rule::Trim, Action::Delete, Some(S), None),
        (Rule::Trim, Action::Delete, Some(M), None),
        (Rule::Trim, Action::Delete, Some(L), None),
        (Rule::Promote, Action::Move, Some(S), Some(M)),
        (Rule::Promote, Action::Move, Some(S), Some(L)),
        (Rule::Promote, Action::Move, Some(M), Some(L)),
        (Rule::Demote, Action::Move, Some(M), Some(S)),
        (Rule::Demote, Action::Move, Some(L), Some(S)),
    ]
};

/// The tier moves, in the order a run applies them: each as (rule, from, to).
pub(super) const MOVES: [(Rule, Tier, Tier); 5] = {
    use Tier::{LongTerm as L, MidTerm as M, ShortTerm as S};
    [
        (Rule::Promote, S, M),
        (Rule::Promote, S, L),
        (Rule::Promote, M, L),
        (Rule::Demote, M, S),
        (Rule::Demote, L, S),
    ]
};

/// What a plan would change or a run changed (see the [module docs](super)). Two reports are
/// equal when they count the same changes at the same as-of.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyReport {
    /// The time the rules were decided at.
    pub as_of: DateTime<Utc>,
    /// Every row, zero counts included, always in the same order.
    pub rows: Vec<PolicyRow>,
    /// How many memories the trim deletes per user, users with none left out.
    pub trimmed_by_user: BTreeMap<String, u64>,
}

impl PolicyReport {
    /// A report of no change at `as_of`.
    #[must_use]
    pub fn new(as_of: DateTime<Utc>) -> Self {
        let rows = ROWS
            .iter()
            .map(|&(rule, action, from, to)| PolicyRow {
                rule,
                action,
                from,
                to,
                count: 0,
            })
            .collect();
        Self {
            as_of,
            rows,
            trimmed_by_user: BTreeMap::new(),
        }
    }

    /// The count of the row of `rule` from `from` to `to`; 0 for a row no report has.
    #[must_use]
    pub fn count(&self, rule: Rule, from: Option<Tier>, to: Option<Tier>) -> u64 {
        self.rows
            .iter()
            .find(|row| row.rule == rule && row.from == from && row.to == to)
            .map_or(0, |row| row.count)
    }

    /// The total of every row.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.rows.iter().map(|row| row.count).sum()
    }

    /// Adds `other`'s counts to this one's: a resumed run's report to the interrupted one's.
    pub fn merge(&mut self, other: &Self) {
        for row in &other.rows {
            self.add(row.rule, row.from, row.to, row.count);
        }
        for (user, count) in &other.trimmed_by_user {
            *self.trimmed_by_user.entry(user.clone()).or_default() += count;
        }
    }

    /// Adds `count` to the row of `rule` from `from` to `to`.
    pub(super) fn add(&mut self, rule: Rule, from: Option<Tier>, to: Option<Tier>, count: u64) {
        if let Some(row) = self
            .rows
            .iter_mut()
            .find(|row| row.rule == rule && row.from == from && row.to == to)
        {
            row.count += count;
        }
    }
}

/// What one committed batch of a run did: handed to the run's progress callback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    /// The batch's number in this run, from 1.
    pub number: u64,
    /// The rule it applied.
    pub rule: Rule,
    /// The tier it moved memories from, for a tier move.
    pub from: Option<Tier>,
    /// The tier it moved memories to, for a tier move.
    pub to: Option<Tier>,
    /// How many rows it changed.
    pub changed: u64,
    /// How many rows the run changed so far, this batch included.
    pub changed_so_far: u64,
}

/// What [`LifecyclePolicies::run`](super::LifecyclePolicies::run) did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyRun {
    /// The changes of the committed batches.
    pub report: PolicyReport,
    /// Whether the progress callback stopped the run before it finished; running again with
    /// the same as-of finishes it.
    pub stopped: bool,
}
