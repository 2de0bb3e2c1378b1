//! The foreign keys of a table as the catalog describes them: which columns reference which
//! columns of which table. Finding the rows a skipped row takes with it needs them.

use memdb_migration::dialect::keys::foreign_keys;
use sea_orm::ConnectionTrait;

use super::error::{CopyError, db_err};

/// One foreign key of a table.
pub(crate) use memdb_migration::dialect::keys::ForeignKey as Reference;

/// The foreign keys of `table` on `db`.
pub(crate) async fn references(
    db: &impl ConnectionTrait,
    table: &str,
) -> Result<Vec<Reference>, CopyError> {
    foreign_keys(db, table)
        .await
        .map_err(db_err(format!("reading the foreign keys of {table}")))
}
