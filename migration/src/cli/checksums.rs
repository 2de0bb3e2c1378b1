//! Checksums of applied migrations: the SHA-256 of each migration's SQL as rendered for the
//! database's backend ([`crate::sql`]), recorded beside its version in a side table per track
//! (`<tracking_table>_checksums`, [`crate::Track::checksum_table`]).
//!
//! Commands that apply migrations first [`verify`] the recorded checksums and refuse, naming
//! the migrations, when an applied migration's SQL changed since; after any change, [`sync`]
//! records the checksums of applied migrations that have none (so databases migrated before
//! checksums existed get theirs on the next `up`, without a false alarm) and forgets those of
//! rolled-back ones. `repair` ([`repair`]) re-records them all after an intentional change.

use std::collections::BTreeMap;

use sea_orm_migration::sea_orm::sea_query::{Alias, ColumnDef, Expr, ExprTrait, Query, Table};
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, DbErr};

use super::error::CliError;
use crate::inspect::{MigrationState, SchemaStatus};
use crate::plan::Direction;
use crate::track::Track;

/// Recorded checksums: track name -> version -> checksum.
pub type Checksums = BTreeMap<&'static str, BTreeMap<String, String>>;

/// One applied migration whose SQL no longer matches its recorded checksum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangedMigration {
    /// The track.
    pub track: &'static str,
    /// The migration.
    pub version: String,
    /// The checksum recorded when it was applied.
    pub recorded: String,
    /// The checksum of its SQL in this build.
    pub current: String,
}

/// The checksum of migration `name` of `track` for `backend`.
///
/// # Errors
/// The migration's error while rendering.
pub async fn compute(track: &Track, name: &str, backend: DbBackend) -> Result<String, DbErr> {
    let statements = track.migrator.render(name, Direction::Up, backend).await?;
    Ok(crate::sql::checksum(&statements))
}

/// Every track's recorded checksums (none for a track without a checksum table). Only reads.
///
/// # Errors
/// The database's error.
pub async fn recorded(
    db: &impl ConnectionTrait,
    status: &SchemaStatus,
) -> Result<Checksums, DbErr> {
    let tables = crate::dialect::schema_tables(db).await?;
    let mut all = Checksums::new();
    for track in &status.tracks {
        let table = track.track.checksum_table();
        let mut rows = BTreeMap::new();
        if tables.contains(&table) {
            let query = Query::select()
                .columns([Alias::new("version"), Alias::new("checksum")])
                .from(Alias::new(table.as_str()))
                .to_owned();
            for row in db.query_all(&query).await? {
                rows.insert(row.try_get_by_index(0)?, row.try_get_by_index(1)?);
            }
        }
        all.insert(track.track.name, rows);
    }
    Ok(all)
}

/// The applied migrations whose recorded checksum differs from this build's.
///
/// # Errors
/// The database's error; a migration's error while rendering.
pub async fn changed(
    db: &impl ConnectionTrait,
    status: &SchemaStatus,
) -> Result<Vec<ChangedMigration>, DbErr> {
    let recorded = recorded(db, status).await?;
    let backend = db.get_database_backend();
    let mut changed = Vec::new();
    for track in &status.tracks {
        for migration in &track.migrations {
            if migration.state != MigrationState::Applied {
                continue;
            }
            let Some(old) = recorded
                .get(track.track.name)
                .and_then(|r| r.get(&migration.name))
            else {
                continue;
            };
            let current = compute(&track.track, &migration.name, backend).await?;
            if *old != current {
                changed.push(ChangedMigration {
                    track: track.track.name,
                    version: migration.name.clone(),
                    recorded: old.clone(),
                    current,
                });
            }
        }
    }
    Ok(changed)
}

/// Refuses when an applied migration's checksum changed.
///
/// # Errors
/// [`CliError::ChecksumMismatch`] naming them; the database's error.
pub async fn verify(db: &impl ConnectionTrait, status: &SchemaStatus) -> Result<(), CliError> {
    let changed = changed(db, status).await?;
    if changed.is_empty() {
        Ok(())
    } else {
        Err(CliError::ChecksumMismatch { changed })
    }
}

/// Records the checksum of every applied migration that has none, forgets those of migrations
/// no longer applied, and drops the checksum table of a track whose tracking table is gone.
///
/// # Errors
/// The database's error; a migration's error while rendering.
pub async fn sync(db: &impl ConnectionTrait, status: &SchemaStatus) -> Result<(), DbErr> {
    let recorded = recorded(db, status).await?;
    let backend = db.get_database_backend();
    for track in &status.tracks {
        let table = track.track.checksum_table();
        let rows = recorded.get(track.track.name).cloned().unwrap_or_default();
        if !track.has_tracking_table {
            let drop = Table::drop()
                .table(Alias::new(table.as_str()))
                .if_exists()
                .to_owned();
            db.execute(&drop).await?;
            continue;
        }
        create_table(db, &table).await?;
        let applied = track.applied_names();
        for version in rows.keys().filter(|v| !applied.contains(v)) {
            let delete = Query::delete()
                .from_table(Alias::new(table.as_str()))
                .and_where(Expr::col(Alias::new("version")).eq(version.as_str()))
                .to_owned();
            db.execute(&delete).await?;
        }
        for migration in &track.migrations {
            if migration.state == MigrationState::Applied && !rows.contains_key(&migration.name) {
                let checksum = compute(&track.track, &migration.name, backend).await?;
                let insert = Query::insert()
                    .into_table(Alias::new(table.as_str()))
                    .columns([Alias::new("version"), Alias::new("checksum")])
                    .values_panic([migration.name.as_str().into(), checksum.into()])
                    .to_owned();
                db.execute(&insert).await?;
            }
        }
    }
    Ok(())
}

/// Forgets every recorded checksum of the tracks in `status` and records this build's.
///
/// # Errors
/// The database's error; a migration's error while rendering.
pub async fn repair(
    db: &impl ConnectionTrait,
    status: &SchemaStatus,
) -> Result<Vec<ChangedMigration>, DbErr> {
    let changed = changed(db, status).await?;
    for track in status.tracks.iter().filter(|t| t.has_tracking_table) {
        let table = track.track.checksum_table();
        create_table(db, &table).await?;
        let delete = Query::delete()
            .from_table(Alias::new(table.as_str()))
            .to_owned();
        db.execute(&delete).await?;
    }
    sync(db, status).await?;
    Ok(changed)
}

async fn create_table(db: &impl ConnectionTrait, table: &str) -> Result<(), DbErr> {
    let create = Table::create()
        .table(Alias::new(table))
        .if_not_exists()
        .col(
            ColumnDef::new(Alias::new("version"))
                .string_len(255)
                .not_null()
                .primary_key(),
        )
        .col(
            ColumnDef::new(Alias::new("checksum"))
                .string_len(64)
                .not_null(),
        )
        .to_owned();
    db.execute(&create).await.map(drop)
}
