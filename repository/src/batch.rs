//! Statement size bounds. Backends cap the bound parameters of one statement (SQLite at 32 766,
//! PostgreSQL at 65 535), so id lists of unbounded length — a task that fans in from thousands
//! of dependencies, or out to thousands of dependents — are sent in batches of this many.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::error::RepoResult;

/// How many ids (or rows of a two-column insert) one statement binds at most.
pub(crate) const IDS_PER_STATEMENT: usize = 1000;

/// The UUIDs in column `wanted` of the rows of `E` whose column `key` is one of `ids`, read
/// [`IDS_PER_STATEMENT`] ids a statement, in no particular order (an id matched by several
/// rows comes back once per row).
///
/// # Errors
/// `Db` when a query fails.
pub(crate) async fn uuids_where_in<E: EntityTrait>(
    db: &impl ConnectionTrait,
    wanted: E::Column,
    key: E::Column,
    ids: &[Uuid],
) -> RepoResult<Vec<Uuid>> {
    let mut found = Vec::new();
    for batch in ids.chunks(IDS_PER_STATEMENT) {
        let rows: Vec<Uuid> = E::find()
            .select_only()
            .column(wanted)
            .filter(key.is_in(batch.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        found.extend(rows);
    }
    Ok(found)
}
