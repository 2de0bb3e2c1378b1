//! The migration tracks this build of `memdb` knows.

use anyhow::{Context as _, Result};
use memdb_migration::Tracks;

/// Every track compiled in, checked and in dependency order. A cargo feature that adds a
/// schema adds its crate's tracks here.
pub(crate) fn compiled() -> Result<Tracks> {
    let list = memdb_migration::tracks().iter().copied();
    Tracks::new(list).context("the migration tracks built into memdb do not fit together")
}
