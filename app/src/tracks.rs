//! The migration tracks this build of `memdb` knows.
//!
//! The end-to-end tests include this file too (`tests/support`), so they see the tracks of the
//! build they test through the same `cfg(feature)` lines.

use anyhow::{Context as _, Result};
use memdb_migration::{Track, Tracks};

/// Every track compiled in, checked and in dependency order. A cargo feature that adds a
/// schema adds its crate's tracks here.
pub(crate) fn compiled() -> Result<Tracks> {
    memdb_migration::cli::checked_tracks(&compiled_list())
        .context("the migration tracks built into memdb do not fit together")
}

/// The tracks of this build: legacy, then enhanced (feature `enhanced`), then cache (feature
/// `cache`).
fn compiled_list() -> Vec<Track> {
    #[allow(unused_mut, reason = "only the feature builds push more tracks")]
    let mut tracks = vec![memdb_migration::LEGACY_TRACK];
    #[cfg(feature = "enhanced")]
    tracks.push(memdb_enhanced_migration::ENHANCED_TRACK);
    #[cfg(feature = "cache")]
    tracks.push(memdb_cache_migration::CACHE_TRACK);
    tracks
}
