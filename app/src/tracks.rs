//! The migration tracks this build of `memdb` knows.
//!
//! The end-to-end tests include this file too (`tests/support`), so they see the tracks of the
//! build they test through the same `cfg(feature)` lines.

use anyhow::{Context as _, Result};
use memdb_migration::{Track, Tracks};

/// Every track compiled in, checked and in dependency order. A cargo feature that adds a
/// schema adds its crate's tracks here.
pub(crate) fn compiled() -> Result<Tracks> {
    memdb_migration::cli::checked_tracks(compiled_list())
        .context("the migration tracks built into memdb do not fit together")
}

/// The legacy build's tracks: legacy alone.
#[cfg(not(feature = "enhanced"))]
fn compiled_list() -> &'static [Track] {
    memdb_migration::tracks()
}

/// The enhanced build's tracks: legacy, then enhanced.
#[cfg(feature = "enhanced")]
fn compiled_list() -> &'static [Track] {
    memdb_enhanced_migration::tracks()
}
