//! Memory lifecycle policies (seed 002 §3, seed 004's `run-policies`): what ages out of the
//! versioned memory entries and of the tiered memories, and how memories move between tiers.
//!
//! ## Rules
//! Every rule is decided from the state at one fixed time, the run's *as-of*:
//! 1. **Episodic TTL** ([`PolicyConfig::episodic_ttl_days`]): a memory entry of type
//!    `episodic` whose current version is live (not deleted, not expired at the later of the
//!    as-of and the time of the run) and was written before the as-of less the TTL is
//!    soft-deleted through [`MemoryRepository::delete`](crate::memory::MemoryRepository):
//!    a new version flagged deleted, audited as that delete is, as the run's actor.
//! 2. **Trim** ([`PolicyConfig::max_memories_per_user`]): a user holding more memories than
//!    the limit loses the excess, lowest tier first (`short_term`, `mid_term`, `long_term`),
//!    then lowest importance, then oldest `updated_at`, then id. The `memory_count` of every
//!    cluster a deleted memory belonged to is counted down by the memories deleted from it, in
//!    the same transaction, as the tiered repository's own deletes do.
//! 3. **Tier change**: a memory not updated since the as-of less
//!    [`promote_after_days`](PolicyConfig::promote_after_days) moves up to the highest tier
//!    whose importance threshold it meets (`short_term` to `mid_term` at
//!    [`promote_to_mid_term_importance`](PolicyConfig::promote_to_mid_term_importance), to
//!    `long_term` at [`promote_to_long_term_importance`](PolicyConfig::promote_to_long_term_importance)),
//!    when that tier is above its own; one not updated since the as-of less
//!    [`demote_after_days`](PolicyConfig::demote_after_days) with an importance below
//!    [`demote_below_importance`](PolicyConfig::demote_below_importance) moves down to
//!    `short_term`. The target depends on the memory's importance and age only, and a move
//!    keeps `updated_at` (it is not a write of the memory's content): a moved memory is already
//!    at its target, so evaluating it again never moves it again.
//!
//! Each memory is affected by one rule at most: TTL and the other rules work on different
//! tables, and a memory the trim deletes is not moved.
//!
//! ## Clusters
//! A memory belongs to the cluster `(user_id, topic, category)` when its metadata has string
//! values at the top-level keys `topic` and `category`, as for the tiered repository. Trimming
//! counts each cluster row it touched down by the memories it deleted from it (one indexed
//! update per cluster, never below zero: a recount from the memories would read every memory
//! of a large cluster in every batch); clusters are never created here, and
//! [`recount_clusters`](crate::tiered::TieredMemoryRepository::recount_clusters) mends counts
//! changed behind memdb's back.
//!
//! ## Plan, run, resume
//! [`LifecyclePolicies::plan`] only reads and returns the [`PolicyReport`] of what a run at the
//! same as-of would do: exact counts per rule and tiers. [`LifecyclePolicies::run`] applies
//! the rules in that order in batches, each its own transaction (select up to `batch_size`
//! matching rows through an index, apply, commit), and reports what it did. A run applies
//! whole batches only: an interrupted run (a failure, or the progress callback asking to
//! stop) leaves the database as after its last committed batch, and running again with the
//! same as-of finishes the work, the two reports summing to the plan's. With no other writer,
//! a run's report equals the plan's (an entry that expires between the plan and the run is
//! the one exception: it is out of both, but only the plan could count it).

mod config;
mod report;
mod run;
mod select;

pub use self::config::{DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE, MAX_DAYS, PolicyConfig, batch_size};
pub use self::report::{Action, Batch, PolicyReport, PolicyRow, PolicyRun, Rule};
pub use self::run::LifecyclePolicies;

pub use crate::tiered::Tier;
