//! The memory entries of the data set: [`Scale::memory_entries`](crate::args::Scale) entries
//! loaded through `put_many`, in groups of [`GROUP`] that share a namespace prefix (each group
//! spread over ten namespaces below it), and a few entries given two more versions through
//! `put`, for the reads of a latest version and of an older one.

use anyhow::Result;
use memdb_enhanced_repository::SeaOrmMemoryRepository;
use memdb_enhanced_repository::memory::{MemoryRepository, MemoryType, PutMemory};
use serde_json::json;

use crate::dataset::load_in_bulk;
use crate::progress::Progress;
use crate::rng::SplitMix64;

/// Entries under one listed prefix: the listing workload reads all of them.
pub(crate) const GROUP: u64 = 1_000;

/// The seed of the entries' values (the other tables use 1 to 10).
const SEED: u64 = 11;

/// The memory entries loaded: how many, and which have three versions.
#[derive(Default)]
pub(crate) struct MemoryData {
    /// Entries stored (every one at version 1 but [`MemoryData::versioned`]).
    pub(crate) entries: u64,
    /// Indexes of the entries at version 3.
    pub(crate) versioned: Vec<u64>,
}

impl MemoryData {
    /// Groups of [`GROUP`] entries (the last may hold fewer).
    pub(crate) fn groups(&self) -> u64 {
        self.entries.div_ceil(GROUP)
    }
}

/// The listed prefix of group `group`.
pub(crate) fn prefix(group: u64) -> String {
    format!("bench:g{group:05}")
}

/// Entry `i`'s namespace and key: group `i / GROUP`, one of ten namespaces below its prefix.
pub(crate) fn name(i: u64) -> (String, String) {
    (
        format!("{}:n{}", prefix(i / GROUP), i % 10),
        format!("k{i:08}"),
    )
}

/// Entry `i`'s put, its value drawn from the generator (`round` 0 for the first version).
pub(crate) fn entry(i: u64, round: u64) -> PutMemory {
    let (namespace, key) = name(i);
    let mut rng = SplitMix64::new(SEED ^ i ^ (round << 40));
    let value = json!({ "n": i, "round": round, "text": rng.text(8) });
    PutMemory::new(namespace, key, MemoryType::Semantic, value)
}

/// Loads `entries` entries, then gives `versioned` of them, spread evenly, two more versions.
///
/// # Errors
/// The first failing call's error.
pub(crate) async fn build(
    repo: &SeaOrmMemoryRepository,
    entries: u64,
    versioned: u64,
) -> Result<MemoryData> {
    load_in_bulk("memory entries", entries, |range| async move {
        let inputs = range.map(|i| entry(i, 0)).collect();
        let written = repo.put_many(inputs).await?;
        Ok(written.iter().map(|e| e.id.as_uuid()).collect())
    })
    .await?;
    let versioned = versioned.min(entries);
    let stride = (entries / versioned.max(1)).max(1);
    let picked: Vec<u64> = (0..versioned).map(|k| k * stride).collect();
    let mut progress = Progress::new("memory entry versions", versioned * 2);
    for (done, i) in picked.iter().enumerate() {
        for round in 1..=2 {
            repo.put(entry(*i, round)).await?;
        }
        progress.update(2 * (done as u64 + 1));
    }
    Ok(MemoryData {
        entries,
        versioned: picked,
    })
}
