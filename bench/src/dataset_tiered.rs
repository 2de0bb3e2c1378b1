//! The tiered memories of the data set (seed 004's table): [`Scale::tiered_memories`]
//! memories of one user, loaded through `add_many`, in threads of [`PER_THREAD`], spread over
//! the three tiers, with metadata drawn from the generator: a `topic` of [`TOPICS`], a
//! `category` of [`CATEGORIES`], a numeric `priority` (0 to 4) and `score` (0 to 100), two
//! `tags` of ten and a nested `source.kind`. A filter on one topic matches one memory in
//! [`TOPICS`].
//!
//! [`Scale::tiered_memories`]: crate::args::Scale

use anyhow::Result;
use memdb_enhanced_repository::tiered::{NewTieredMemory, Tier, TieredMemoryRepository};
use serde_json::json;

use crate::dataset::load_in_bulk;
use crate::rng::SplitMix64;

/// The user every memory belongs to: a filter runs over all of them.
pub(crate) const USER: &str = "bench-user";

/// Memories of one thread: a thread read returns them all on one page.
pub(crate) const PER_THREAD: u64 = 20;

/// Distinct topics (a topic filter selects one memory in this many).
pub(crate) const TOPICS: u64 = 50;

/// Distinct categories.
pub(crate) const CATEGORIES: u64 = 8;

/// Distinct tags (each memory has two).
const TAGS: u64 = 10;

/// The seed of the memories' contents (the other tables use 1 to 12).
const SEED: u64 = 13;

/// Topic number `t`.
pub(crate) fn topic(t: u64) -> String {
    format!("topic{t:02}")
}

/// Thread number `t` of [`USER`].
pub(crate) fn thread(t: u64) -> String {
    format!("thread{t:06}")
}

/// Tag number `t`.
pub(crate) fn tag(t: u64) -> String {
    format!("tag{t}")
}

/// Threads of `memories` memories.
pub(crate) fn threads(memories: u64) -> u64 {
    memories.div_ceil(PER_THREAD)
}

/// Memory `i`: thread `i / PER_THREAD`, tier `i % 3`, its importance and metadata from the
/// generator.
pub(crate) fn memory(i: u64) -> NewTieredMemory {
    let mut rng = SplitMix64::new(SEED ^ (i << 8));
    let tier = [Tier::ShortTerm, Tier::MidTerm, Tier::LongTerm][(i % 3) as usize];
    let first_tag = rng.below(TAGS);
    let kind = ["chat", "email", "document"][rng.below(3) as usize];
    let metadata = json!({
        "topic": topic(rng.below(TOPICS)),
        "category": format!("category{}", rng.below(CATEGORIES)),
        "priority": rng.below(5),
        "score": rng.below_f64(10_000) / 100.0,
        "tags": [tag(first_tag), tag((first_tag + 1 + rng.below(TAGS - 1)) % TAGS)],
        "source": { "kind": kind },
    });
    NewTieredMemory {
        thread_id: Some(thread(i / PER_THREAD)),
        importance: rng.below_f64(1_001) / 1_000.0,
        metadata,
        ..NewTieredMemory::new(USER, rng.text(12), tier)
    }
}

/// Loads `memories` memories (see the module docs); returns how many.
///
/// # Errors
/// The first failing call's error.
pub(crate) async fn build(repo: &dyn TieredMemoryRepository, memories: u64) -> Result<u64> {
    let ids = load_in_bulk("tiered memories", memories, |range| async move {
        let added = repo.add_many(range.map(memory).collect()).await?;
        Ok(added.iter().map(|m| m.id.as_uuid()).collect())
    })
    .await?;
    Ok(ids.len() as u64)
}
