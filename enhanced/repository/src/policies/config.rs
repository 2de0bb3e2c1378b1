//! [`PolicyConfig`]: what the lifecycle rules keep, its defaults, where it is read from and how
//! it is checked.

use chrono::{DateTime, FixedOffset, TimeDelta};
use memdb_repository::{RepoError, RepoResult};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Tier;
use crate::memory::MemoryRepository;
use crate::memory::defaults::{CONFIG_NAMESPACE, MEMORY_LIFECYCLE_POLICIES_KEY};

/// The longest age a rule may name: 100 years.
pub const MAX_DAYS: u32 = 36_600;
/// The largest batch a run may apply in one transaction.
pub const MAX_BATCH_SIZE: u64 = 10_000;
/// The batch size of a run that names none.
pub const DEFAULT_BATCH_SIZE: u64 = 500;

/// The lifecycle rules (see the [module docs](super)). Read from the memory entry
/// `app:memdb:config/memory_lifecycle_policies` ([`PolicyConfig::load`]): keys missing there
/// take the defaults below, a `null` turns a rule off, unknown keys (the seed's
/// `consolidation_frequency`, `archival_after_days`) are ignored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PolicyConfig {
    /// Episodic memory entries whose current version is older than this are soft-deleted.
    /// Default 90; `None`: never.
    pub episodic_ttl_days: Option<u32>,
    /// A memory not updated for this long may move up a tier. Default 7; `None`: no
    /// promotion.
    pub promote_after_days: Option<u32>,
    /// The importance a memory needs to move from `short_term` to `mid_term`. Default 0.5.
    pub promote_to_mid_term_importance: f64,
    /// The importance a memory needs to move to `long_term` (from either lower tier). Default
    /// 0.8.
    pub promote_to_long_term_importance: f64,
    /// A memory not updated for this long whose importance is below
    /// [`demote_below_importance`](Self::demote_below_importance) moves down to `short_term`.
    /// Default 30; `None`: no demotion.
    pub demote_after_days: Option<u32>,
    /// See [`demote_after_days`](Self::demote_after_days). Default 0.2.
    pub demote_below_importance: f64,
    /// The most memories a user keeps; the excess is deleted. Default 10,000; `None`: no
    /// limit.
    pub max_memories_per_user: Option<u64>,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        Self {
            episodic_ttl_days: Some(90),
            promote_after_days: Some(7),
            promote_to_mid_term_importance: 0.5,
            promote_to_long_term_importance: 0.8,
            demote_after_days: Some(30),
            demote_below_importance: 0.2,
            max_memories_per_user: Some(10_000),
        }
    }
}

impl PolicyConfig {
    /// The configuration stored in `app:memdb:config/memory_lifecycle_policies`, checked; the
    /// defaults when that entry is missing or deleted.
    ///
    /// # Errors
    /// `Validation` (field `memory_lifecycle_policies`) when the entry is not a JSON object or
    /// a key has the wrong type, and as [`PolicyConfig::validate`]; `Db` when the read fails.
    pub async fn load(memory: &dyn MemoryRepository) -> RepoResult<Self> {
        let entry = memory
            .get(CONFIG_NAMESPACE, MEMORY_LIFECYCLE_POLICIES_KEY)
            .await?;
        let config = match entry {
            Some(entry) => Self::from_json(entry.value)?,
            None => Self::default(),
        };
        config.validate()?;
        Ok(config)
    }

    /// The configuration a JSON object describes (missing keys: the defaults), unchecked.
    ///
    /// # Errors
    /// `Validation` (field `memory_lifecycle_policies`) when `value` is not an object or a
    /// key has the wrong type.
    pub fn from_json(value: Value) -> RepoResult<Self> {
        if !value.is_object() {
            return Err(invalid("must be a JSON object"));
        }
        serde_json::from_value(value).map_err(|err| invalid(err.to_string()))
    }

    /// Checks the configuration: days 1 to [`MAX_DAYS`], importances 0 to 1 with the
    /// demotion threshold at most the `mid_term` one and that at most the `long_term` one (so
    /// no memory is both promoted and demoted), a per-user limit of at least 1.
    ///
    /// # Errors
    /// `Validation` naming the first bad field.
    pub fn validate(&self) -> RepoResult<()> {
        for (field, days) in [
            ("episodic_ttl_days", self.episodic_ttl_days),
            ("promote_after_days", self.promote_after_days),
            ("demote_after_days", self.demote_after_days),
        ] {
            if days.is_some_and(|days| !(1..=MAX_DAYS).contains(&days)) {
                return Err(RepoError::invalid(
                    field,
                    format!("must be 1 to {MAX_DAYS} days"),
                ));
            }
        }
        for (field, importance) in [
            (
                "promote_to_mid_term_importance",
                self.promote_to_mid_term_importance,
            ),
            (
                "promote_to_long_term_importance",
                self.promote_to_long_term_importance,
            ),
            ("demote_below_importance", self.demote_below_importance),
        ] {
            if !(0.0..=1.0).contains(&importance) {
                return Err(RepoError::invalid(field, "must be 0 to 1"));
            }
        }
        if self.promote_to_mid_term_importance > self.promote_to_long_term_importance {
            return Err(RepoError::invalid(
                "promote_to_mid_term_importance",
                "must not exceed promote_to_long_term_importance",
            ));
        }
        if self.demote_below_importance > self.promote_to_mid_term_importance {
            return Err(RepoError::invalid(
                "demote_below_importance",
                "must not exceed promote_to_mid_term_importance",
            ));
        }
        if self.max_memories_per_user == Some(0) {
            return Err(RepoError::invalid(
                "max_memories_per_user",
                "must be at least 1",
            ));
        }
        Ok(())
    }

    /// The tier a memory moves to under the tier rules, if any: the same decision the run's
    /// statements make (see [`super::select::transition_filter`]), for a memory the run
    /// deletes instead.
    pub(super) fn tier_target(
        &self,
        tier: Tier,
        importance: f64,
        updated_at: DateTime<FixedOffset>,
        as_of: DateTime<FixedOffset>,
    ) -> Option<Tier> {
        let aged = |days: Option<u32>| days.is_some_and(|days| updated_at < cutoff(as_of, days));
        if aged(self.promote_after_days) {
            let target = if importance >= self.promote_to_long_term_importance {
                Some(Tier::LongTerm)
            } else if importance >= self.promote_to_mid_term_importance {
                Some(Tier::MidTerm)
            } else {
                None
            };
            if let Some(target) = target.filter(|target| target.rank() > tier.rank()) {
                return Some(target);
            }
        }
        (aged(self.demote_after_days)
            && importance < self.demote_below_importance
            && tier != Tier::ShortTerm)
            .then_some(Tier::ShortTerm)
    }
}

/// `as_of` less `days` days: rows last written before it are older than `days`.
pub(super) fn cutoff(as_of: DateTime<FixedOffset>, days: u32) -> DateTime<FixedOffset> {
    as_of - TimeDelta::days(i64::from(days))
}

fn invalid(reason: impl Into<String>) -> RepoError {
    RepoError::invalid("memory_lifecycle_policies", reason)
}

/// A batch size, checked: 1 to [`MAX_BATCH_SIZE`].
///
/// # Errors
/// `Validation` (field `batch_size`) out of range.
pub fn batch_size(size: u64) -> RepoResult<u64> {
    if (1..=MAX_BATCH_SIZE).contains(&size) {
        Ok(size)
    } else {
        Err(RepoError::invalid(
            "batch_size",
            format!("must be 1 to {MAX_BATCH_SIZE}"),
        ))
    }
}
