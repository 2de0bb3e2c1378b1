//! [`LifecyclePolicies`]: the plan and the batched, resumable run of the rules.

use std::collections::HashMap;
use std::ops::ControlFlow;

use chrono::{DateTime, Datelike, FixedOffset, SubsecRound, Utc};
use memdb_repository::{
    Executor, RepoError, RepoResult, SharedTransaction, now, unit_of_work, utc,
};

use super::Tier;
use super::config::{PolicyConfig, batch_size, cutoff};
use super::report::{Batch, MOVES, PolicyReport, PolicyRun, Rule};
use super::select::{self, Victim};
use crate::audited::AuditTrail;
use crate::memory::{MemoryRepository, SeaOrmMemoryRepository};
use crate::tiered::ClusterKey;
use crate::tiered::clusters::{self, Deltas};

/// The lifecycle rules of a [`PolicyConfig`] on a database (see the [module docs](super)).
#[derive(Clone, Debug)]
pub struct LifecyclePolicies<C = sea_orm::DatabaseConnection> {
    db: C,
    config: PolicyConfig,
    trail: AuditTrail,
}

impl<C: Executor> LifecyclePolicies<C> {
    /// The rules of `config` on `db` (the pool or a unit of work); memory entries are
    /// soft-deleted and audited as `trail`'s actor.
    ///
    /// # Errors
    /// `Validation` as [`PolicyConfig::validate`].
    pub fn new(db: C, config: PolicyConfig, trail: AuditTrail) -> RepoResult<Self> {
        config.validate()?;
        Ok(Self { db, config, trail })
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &PolicyConfig {
        &self.config
    }

    /// What a run at `as_of` would change, exactly, without changing anything.
    ///
    /// # Errors
    /// `Validation` (field `as_of`) for a time outside the years 1970 to 9999; `Db` when a
    /// query fails.
    pub async fn plan(&self, as_of: DateTime<Utc>) -> RepoResult<PolicyReport> {
        let at = instant(as_of)?;
        let mut report = PolicyReport::new(utc(at));
        if let Some(days) = self.config.episodic_ttl_days {
            let count = select::ttl_count(&self.db, cutoff(at, days), at.max(now())).await?;
            report.add(Rule::EpisodicTtl, None, None, count);
        }
        // The moves the trim pre-empts: a memory it deletes is not moved.
        let mut deleted_moves: HashMap<(Tier, Tier), u64> = HashMap::new();
        if let Some(max) = self.config.max_memories_per_user {
            for (user, held) in select::users_over(&self.db, max, None).await? {
                let victims = select::victims(&self.db, &user, held - max).await?;
                for victim in &victims {
                    let target = self.config.tier_target(
                        victim.tier,
                        victim.importance,
                        victim.updated_at,
                        at,
                    );
                    if let Some(to) = target {
                        *deleted_moves.entry((victim.tier, to)).or_default() += 1;
                    }
                }
                tally(&mut report, &user, &victims);
            }
        }
        for step in MOVES {
            let Some(filter) = select::move_filter(&self.config, step, at) else {
                continue;
            };
            let (rule, from, to) = step;
            let matching = select::move_count(&self.db, filter).await?;
            let deleted = deleted_moves.get(&(from, to)).copied().unwrap_or(0);
            report.add(rule, Some(from), Some(to), matching.saturating_sub(deleted));
        }
        Ok(report)
    }

    /// Applies the rules at `as_of` in batches of `batch_size` rows, each batch its own
    /// transaction, calling `progress` after each committed batch; a `Break` from it stops the
    /// run there (see the [module docs](super) on resuming).
    ///
    /// # Errors
    /// `Validation` for an `as_of` as in [`LifecyclePolicies::plan`] or a `batch_size` out of
    /// 1 to [`MAX_BATCH_SIZE`](super::MAX_BATCH_SIZE); `Db` (or what a soft delete returns)
    /// when a batch fails: that batch is rolled back, the ones before it stay.
    pub async fn run<F>(
        &self,
        as_of: DateTime<Utc>,
        batch_size: u64,
        progress: F,
    ) -> RepoResult<PolicyRun>
    where
        F: FnMut(&Batch) -> ControlFlow<()> + Send,
    {
        let at = instant(as_of)?;
        let size = self::batch_size(batch_size)?;
        let mut state = State {
            report: PolicyReport::new(utc(at)),
            batches: 0,
            changed: 0,
            progress,
        };
        if let Some(days) = self.config.episodic_ttl_days {
            let cut = cutoff(at, days);
            loop {
                let done = unit_of_work(&self.db, |tx| self.ttl_batch(tx, cut, at, size)).await?;
                if done == 0 {
                    break;
                }
                state.report.add(Rule::EpisodicTtl, None, None, done);
                if state.committed(Rule::EpisodicTtl, None, done).is_break() {
                    return Ok(state.stopped());
                }
            }
        }
        if let Some(max) = self.config.max_memories_per_user {
            loop {
                let trimmed = unit_of_work(&self.db, |tx| trim_batch(tx, max, size)).await?;
                let mut done = 0;
                for (user, victims) in &trimmed {
                    tally(&mut state.report, user, victims);
                    done += count(victims);
                }
                if done == 0 {
                    break;
                }
                if state.committed(Rule::Trim, None, done).is_break() {
                    return Ok(state.stopped());
                }
            }
        }
        for step in MOVES {
            let Some(filter) = select::move_filter(&self.config, step, at) else {
                continue;
            };
            let (rule, from, to) = step;
            loop {
                let filter = filter.clone();
                let done = unit_of_work(&self.db, |tx| async move {
                    select::move_batch(&tx, filter, to, size).await
                })
                .await?;
                if done == 0 {
                    break;
                }
                state.report.add(rule, Some(from), Some(to), done);
                if state.committed(rule, Some((from, to)), done).is_break() {
                    return Ok(state.stopped());
                }
            }
        }
        Ok(PolicyRun {
            report: state.report,
            stopped: false,
        })
    }

    /// Soft-deletes up to `size` entries the TTL matches, through the memory repository on
    /// `tx`; returns how many.
    async fn ttl_batch(
        &self,
        tx: SharedTransaction,
        cut: DateTime<FixedOffset>,
        at: DateTime<FixedOffset>,
        size: u64,
    ) -> RepoResult<u64> {
        // Live at the later of the as-of and now: the delete refuses an entry expired now.
        let entries = select::ttl_batch(&tx, cut, at.max(now()), size).await?;
        let memory = SeaOrmMemoryRepository::new(tx, self.trail.clone());
        for (namespace, key) in &entries {
            memory.delete(namespace, key).await?;
        }
        Ok(u64::try_from(entries.len()).unwrap_or(u64::MAX))
    }
}

/// Deletes up to `size` memories of users over `max` in trim order, and counts their clusters
/// down by the memories deleted from each, in the same transaction (one indexed update per
/// cluster; recounting each from the memories would read every memory of a large cluster per
/// batch); returns them per user.
async fn trim_batch(
    tx: SharedTransaction,
    max: u64,
    size: u64,
) -> RepoResult<Vec<(String, Vec<Victim>)>> {
    let mut left = size;
    let mut trimmed = Vec::new();
    for (user, held) in select::users_over(&tx, max, Some(size)).await? {
        if left == 0 {
            break;
        }
        let victims = select::victims(&tx, &user, (held - max).min(left)).await?;
        left -= count(&victims);
        trimmed.push((user, victims));
    }
    let ids = trimmed
        .iter()
        .flat_map(|(_, victims)| victims.iter().map(|victim| victim.id))
        .collect::<Vec<_>>();
    if ids.is_empty() {
        return Ok(trimmed);
    }
    select::delete_memories(&tx, ids).await?;
    let mut deltas = Deltas::new();
    for (user, victims) in &trimmed {
        for (topic, category) in victims.iter().filter_map(|victim| victim.cluster.as_ref()) {
            let key = ClusterKey::new(topic.as_str(), category.as_str());
            *deltas.entry((user.clone(), key)).or_default() -= 1;
        }
    }
    clusters::apply(&tx, deltas, now()).await?;
    Ok(trimmed)
}

/// Adds `user`'s deleted `victims` to `report`.
fn tally(report: &mut PolicyReport, user: &str, victims: &[Victim]) {
    for victim in victims {
        report.add(Rule::Trim, Some(victim.tier), None, 1);
    }
    if !victims.is_empty() {
        *report.trimmed_by_user.entry(user.to_owned()).or_default() += count(victims);
    }
}

fn count(victims: &[Victim]) -> u64 {
    u64::try_from(victims.len()).unwrap_or(u64::MAX)
}

/// `as_of` as stored timestamps are compared: UTC, to the microsecond.
fn instant(as_of: DateTime<Utc>) -> RepoResult<DateTime<FixedOffset>> {
    // Stored timestamps compare as text on SQLite: four-digit years only, and far enough from
    // year 1000 that the longest rule's cutoff stays there.
    if !(1970..=9999).contains(&as_of.year()) {
        return Err(RepoError::invalid(
            "as_of",
            "must be in the years 1970 to 9999",
        ));
    }
    Ok(as_of.trunc_subsecs(6).fixed_offset())
}

/// A run's tally and its progress callback.
struct State<F> {
    report: PolicyReport,
    batches: u64,
    changed: u64,
    progress: F,
}

impl<F: FnMut(&Batch) -> ControlFlow<()>> State<F> {
    /// Records a committed batch of `changed` rows and asks the callback whether to go on.
    fn committed(
        &mut self,
        rule: Rule,
        step: Option<(Tier, Tier)>,
        changed: u64,
    ) -> ControlFlow<()> {
        self.batches += 1;
        self.changed += changed;
        (self.progress)(&Batch {
            number: self.batches,
            rule,
            from: step.map(|(from, _)| from),
            to: step.map(|(_, to)| to),
            changed,
            changed_so_far: self.changed,
        })
    }

    fn stopped(self) -> PolicyRun {
        PolicyRun {
            report: self.report,
            stopped: true,
        }
    }
}
