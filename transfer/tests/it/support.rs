//! Sources filled with every table of every track, and running a copy.

use std::ops::ControlFlow;

use memdb_migration::plan::{self, Action};
use memdb_migration::{LEGACY_TRACK, Tracks};
use memdb_tests::TestDb;
use memdb_transfer::copy::{self, CopyError, CopyOptions, CopyProgress, CopyReport, Endpoint};
use sea_orm::{ConnectionTrait as _, DatabaseConnection, DbBackend};

/// Every track memdb has: legacy, enhanced, cache.
pub(crate) fn all_tracks() -> Tracks {
    Tracks::new([
        LEGACY_TRACK,
        memdb_enhanced_migration::ENHANCED_TRACK,
        memdb_cache_migration::CACHE_TRACK,
    ])
    .expect("memdb's tracks fit together")
}

/// How many rows each table of the filled source of the full-copy test gets:
/// `MEMDB_COPY_ROWS`, default 3,200 (every table of every track: over 100,000 rows in all,
/// the acceptance copy; about 30 s a backend in a debug build).
pub(crate) fn rows_per_table() -> u32 {
    std::env::var("MEMDB_COPY_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3_200)
}

/// A timestamp per row `i`, in three spellings: UTC with microseconds, an offset with
/// nanoseconds, an offset without fraction.
const TS: &str = "(CASE i % 3 \
    WHEN 0 THEN strftime('%Y-%m-%dT%H:%M:%f', 1700000000 + i * 61, 'unixepoch') || '+00:00' \
    WHEN 1 THEN strftime('%Y-%m-%dT%H:%M:%S', 1700000000 + i * 61, 'unixepoch') || '.123456789+02:00' \
    ELSE strftime('%Y-%m-%dT%H:%M:%S', 1700000000 + i * 61, 'unixepoch') || '-05:30' END)";

/// A migrated SQLite source (every track) with `n` rows in every table; `tag` makes its
/// unique values its own, so sources with different tags merge without clashing.
pub(crate) async fn filled_source(n: u32, tag: &str) -> TestDb {
    let source = migrated(DbBackend::Sqlite).await;
    let sql = include_str!("fixture.sql")
        .replace("{n}", &n.to_string())
        .replace("{tag}", tag)
        .replace("{ts}", TS);
    for statement in sql.split(";\n").filter(|s| !s.trim().is_empty()) {
        source
            .conn()
            .execute_unprepared(statement)
            .await
            .unwrap_or_else(|err| panic!("fixture statement {statement}: {err}"));
    }
    source
}

/// A fresh database on `backend` with every track applied.
pub(crate) async fn migrated(backend: DbBackend) -> TestDb {
    let db = TestDb::empty_on(backend).await;
    let tracks = all_tracks();
    let up = plan::plan(db.conn(), &tracks, Action::Up { steps: None }, None)
        .await
        .expect("plan");
    plan::execute(db.conn(), &up).await.expect("migrate");
    db
}

/// Copies `source_url` into `target_url` with `options`, `stop` deciding after each batch.
pub(crate) async fn copy_with(
    source_url: &str,
    target_url: &str,
    options: &CopyOptions,
    stop: &mut dyn FnMut(&CopyProgress<'_>) -> ControlFlow<()>,
) -> Result<CopyReport, CopyError> {
    let source = Endpoint::source(source_url)?;
    let target = Endpoint::target(target_url)?;
    copy::run_between(&source, &target, &all_tracks(), options, stop).await
}

/// Copies `source_url` into `target_url`, every table, to the end.
pub(crate) async fn copy_all(source_url: &str, target_url: &str) -> Result<CopyReport, CopyError> {
    copy_with(source_url, target_url, &CopyOptions::default(), &mut |_| {
        ControlFlow::Continue(())
    })
    .await
}

/// How many rows `table` holds.
pub(crate) async fn count(db: &DatabaseConnection, table: &str) -> u64 {
    copy::checksum(db, table).await.expect("checksum").rows
}
