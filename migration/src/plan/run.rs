//! Running a [`Plan`]: each migration in a transaction of its own, and `fresh`.

use std::fmt;

use sea_orm_migration::prelude::{Alias, Table};
use sea_orm_migration::sea_orm::{
    ConnectionTrait, DatabaseExecutor, DatabaseTransaction, DbBackend, DbErr, TransactionTrait,
};

use super::{Operation, Plan, to_u32};
use crate::inspect::{TableRows, row_counts};
use crate::track::{FailedMigration, Track, TrackError, Tracks};

/// Applying a migration or rolling it back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Applying (`up`).
    Up,
    /// Rolling back (`down`).
    Down,
}

impl Direction {
    /// `applying` or `rolling back`.
    #[must_use]
    pub fn verb(self) -> &'static str {
        match self {
            Self::Up => "applying",
            Self::Down => "rolling back",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Up => "up",
            Self::Down => "down",
        })
    }
}

/// A disposable track that [`execute`] recreated: what it dropped, and what it applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recreated {
    /// The track's name.
    pub track: &'static str,
    /// Each of its tables with the rows it held when it was dropped (`None`: it did not exist).
    pub dropped: Vec<TableRows>,
    /// The migrations applied onto the emptied space, oldest first.
    pub applied: Vec<String>,
}

/// Runs `plan`'s migrator calls in order, each migration in a transaction of its own on `db`
/// (a savepoint when `db` is a transaction), stopping at the first failure. Returns the
/// disposable tracks it recreated (each in one transaction), for the caller to log.
///
/// # Errors
/// [`TrackError::MigrationFailed`] naming the migration that failed (rolled back; the ones
/// before it stay applied); [`TrackError::Migrate`] when dropping a tracking table or
/// recreating a disposable track failed (the recreate is rolled back whole).
pub async fn execute<C>(db: &C, plan: &Plan) -> Result<Vec<Recreated>, TrackError>
where
    C: ConnectionTrait + TransactionTrait<Transaction = DatabaseTransaction>,
{
    let mut recreated = Vec::new();
    for step in &plan.steps {
        let direction = match step.operation {
            Operation::Recreate => {
                recreated.push(recreate(db, &step.track).await?);
                continue;
            }
            Operation::Up(_) => Direction::Up,
            Operation::Down(_) | Operation::Reset => Direction::Down,
        };
        for name in &step.migrations {
            run_one(db, &step.track, direction, name).await?;
        }
        if step.operation == Operation::Reset {
            // Every migration is rolled back: what is left is dropping the tracking table.
            let txn = db.begin().await?;
            let dropped = match step.track.migrator.reset((&txn).into()).await {
                Ok(()) => txn.commit().await,
                Err(err) => Err(err),
            };
            dropped.map_err(|source| migrate_error(&step.track, source))?;
        }
    }
    Ok(recreated)
}

/// Drops the disposable `track`'s tables (children first) and tracking table, then applies all
/// its migrations, in one transaction: on failure nothing changed. `DROP TABLE` without
/// `CASCADE`: no other track may reference a disposable track's tables, and a reference
/// nobody declared makes the drop fail rather than reach into another track.
async fn recreate<C>(db: &C, track: &Track) -> Result<Recreated, TrackError>
where
    C: ConnectionTrait + TransactionTrait<Transaction = DatabaseTransaction>,
{
    if !track.disposable {
        return Err(TrackError::NotDisposable {
            track: track.name.to_owned(),
        });
    }
    let txn = db.begin().await?;
    let result = async {
        let dropped = row_counts(&txn, track.tables).await?;
        for table in track.tables.iter().rev().chain([&track.tracking_table]) {
            let drop = Table::drop()
                .table(Alias::new(*table))
                .if_exists()
                .to_owned();
            txn.execute(&drop).await?;
        }
        let applied = track.migrator.migration_names();
        if !applied.is_empty() {
            track
                .migrator
                .up((&txn).into(), to_u32(applied.len()))
                .await?;
        }
        Ok::<_, DbErr>(Recreated {
            track: track.name,
            dropped,
            applied,
        })
    }
    .await;
    match result {
        Ok(recreated) => {
            txn.commit()
                .await
                .map_err(|source| migrate_error(track, source))?;
            Ok(recreated)
        }
        Err(source) => {
            let _ = txn.rollback().await;
            Err(migrate_error(track, source))
        }
    }
}

/// Applies or rolls back the one migration `name`, the next in `direction`, in a transaction.
async fn run_one<C>(
    db: &C,
    track: &Track,
    direction: Direction,
    name: &str,
) -> Result<(), TrackError>
where
    C: ConnectionTrait + TransactionTrait<Transaction = DatabaseTransaction>,
{
    let failed = |source: DbErr| {
        TrackError::MigrationFailed(Box::new(FailedMigration {
            track: track.name.to_owned(),
            migration: name.to_owned(),
            direction,
            statement: None,
            source,
        }))
    };
    let txn = db.begin().await.map_err(failed)?;
    let executor = DatabaseExecutor::Transaction(&txn);
    let result = match direction {
        Direction::Up => track.migrator.up(executor, 1).await,
        Direction::Down => track.migrator.down(executor, 1).await,
    };
    match result {
        Ok(()) => txn.commit().await.map_err(failed),
        Err(source) => {
            // Rolling back is also what dropping the transaction would do; an error here would
            // hide the migration's own.
            let _ = txn.rollback().await;
            Err(failed(source))
        }
    }
}

fn migrate_error(track: &Track, source: DbErr) -> TrackError {
    TrackError::Migrate {
        track: track.name.to_owned(),
        source,
    }
}

/// Drops every table in the schema, then applies every track's migrations, dependencies first,
/// in one transaction on `db` (a savepoint when `db` is a transaction). Nothing is checked:
/// callers guard against losing rows and other applications' tables
/// ([`crate::inspect::row_counts`], [`crate::inspect::foreign_tables`]).
///
/// # Errors
/// [`TrackError::Migrate`] naming the track whose migrator failed; nothing changed then.
pub async fn fresh<C>(db: &C, tracks: &Tracks) -> Result<(), TrackError>
where
    C: ConnectionTrait + TransactionTrait<Transaction = DatabaseTransaction>,
{
    let mut ordered = tracks.iter();
    let Some(first) = ordered.next() else {
        return Ok(());
    };
    let txn = db.begin().await?;
    if txn.get_database_backend() == DbBackend::Sqlite {
        // sea-orm-migration turns SQLite's foreign keys off to drop tables in any order, which a
        // transaction ignores; deferring the checks to the commit does the same inside one.
        txn.execute_unprepared("PRAGMA defer_foreign_keys = ON")
            .await?;
        // A track's references into an earlier track's tables need children dropped first.
        crate::dialect::drop_all::drop_all_children_first(&txn).await?;
    }
    // The first track's own `fresh` drops everything (sea-orm-migration knows each backend's
    // way); the others then apply onto the empty schema.
    first
        .migrator
        .fresh((&txn).into())
        .await
        .map_err(|source| migrate_error(first, source))?;
    for track in ordered {
        let all = track.migrator.migration_names().len();
        if all > 0 {
            track
                .migrator
                .up((&txn).into(), to_u32(all))
                .await
                .map_err(|source| migrate_error(track, source))?;
        }
    }
    txn.commit().await?;
    Ok(())
}
