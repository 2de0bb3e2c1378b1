//! The migration tracks this build of `memdb` knows.
//!
//! The end-to-end tests include this file too (`tests/support`), so they see the tracks of the
//! build they test through the same `cfg(feature)` lines.

use anyhow::{Context as _, Result, bail};
use memdb_migration::{Track, Tracks};

/// The `--track` value that means every track.
pub(crate) const ALL_TRACKS: &str = "all";

/// Every track compiled in, checked and in dependency order. A cargo feature that adds a
/// schema adds its crate's tracks here.
pub(crate) fn compiled() -> Result<Tracks> {
    let tracks = Tracks::new(compiled_list().iter().copied())
        .context("the migration tracks built into memdb do not fit together")?;
    if tracks.names().contains(&ALL_TRACKS) {
        bail!(
            "a migration track is named '{ALL_TRACKS}', which `--track` reserves for every track"
        );
    }
    Ok(tracks)
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
