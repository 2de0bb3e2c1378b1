//! The schema a set of migrations creates, read from a scratch database they are applied to:
//! on SQLite a private in-memory database, on PostgreSQL a throwaway schema created inside a
//! transaction that is rolled back (nothing of it is ever visible to another session, and
//! nothing is left behind). The live database is never written.

use std::time::{SystemTime, UNIX_EPOCH};

use sea_orm_migration::sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseExecutor, DatabaseTransaction, DbBackend,
    DbErr, TransactionTrait,
};

use super::catalog::{Catalog, read_catalog};
use crate::track::Tracks;

/// The catalog of a database where the first `count` migrations of each listed track were
/// applied (tracks in `tracks`' dependency order; a track not listed gets none), tracking and
/// checksum tables left out. `db` only says which backend to use (and on PostgreSQL lends a
/// connection for the rolled-back transaction).
///
/// # Errors
/// A migration's error on the scratch database; the database's error.
pub async fn migrated_catalog<C>(
    db: &C,
    tracks: &Tracks,
    counts: &[(&'static str, usize)],
) -> Result<Catalog, DbErr>
where
    C: ConnectionTrait + TransactionTrait<Transaction = DatabaseTransaction>,
{
    let mut catalog = match db.get_database_backend() {
        DbBackend::Sqlite => {
            let mut options = ConnectOptions::new("sqlite::memory:");
            // One connection: an in-memory database lives and dies with it.
            options
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .sqlx_logging(false);
            let scratch = Database::connect(options).await?;
            let result = async {
                apply(|| DatabaseExecutor::Connection(&scratch), tracks, counts).await?;
                read_catalog(&scratch).await
            }
            .await;
            // The in-memory database goes with its connection; a close error changes nothing.
            let _ = scratch.close().await;
            result?
        }
        DbBackend::Postgres => {
            let txn = db.begin().await?;
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            let schema = format!("memdb_scratch_{}_{nanos}", std::process::id());
            txn.execute_unprepared(&format!("CREATE SCHEMA \"{schema}\""))
                .await?;
            // First on the path: the migrations create there, and `current_schema()` (what
            // sea-orm-migration's probes and the catalog reads use) names it.
            txn.execute_unprepared(&format!(
                "SELECT set_config('search_path', '\"{schema}\", ' || \
                 current_setting('search_path'), true)"
            ))
            .await?;
            let result = async {
                apply(|| DatabaseExecutor::Transaction(&txn), tracks, counts).await?;
                read_catalog(&txn).await
            }
            .await;
            txn.rollback().await?;
            result?
        }
        _ => {
            return Err(DbErr::BackendNotSupported {
                db: "MySQL",
                ctx: "memdb_migration::dialect::scratch",
            });
        }
    };
    for track in tracks.iter() {
        catalog.tables.remove(track.tracking_table);
        catalog.tables.remove(&track.checksum_table());
    }
    Ok(catalog)
}

async fn apply<'a>(
    db: impl Fn() -> DatabaseExecutor<'a>,
    tracks: &Tracks,
    counts: &[(&'static str, usize)],
) -> Result<(), DbErr> {
    for track in tracks.iter() {
        let count = counts
            .iter()
            .find(|(name, _)| *name == track.name)
            .map_or(0, |(_, n)| *n);
        if count > 0 {
            let steps = u32::try_from(count).unwrap_or(u32::MAX);
            track.migrator.up(db(), steps).await?;
        }
    }
    Ok(())
}
