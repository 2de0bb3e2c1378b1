//! A migration's SQL, rendered for a backend without a database: the migration runs against
//! SeaORM's mock connection, which logs every statement and answers every query as an empty
//! database would (no table, column or index exists). That is the SQL a fresh database gets; a
//! migration that adopts existing tables may run less on a database that has them.
//!
//! The rendering feeds the checksums of applied migrations ([`checksum`]) and dry runs.

use std::collections::BTreeMap;

use sea_orm::{DbBackend, DbErr, MockDatabase, MockExecResult, Value};
use sea_orm_migration::{MigrationTrait, SchemaManager};
use sha2::{Digest, Sha256};

use crate::plan::Direction;

/// More statements and probes than any migration runs; the mock fails past them.
const MOCK_ANSWERS: usize = 4096;

/// The statements `migration` runs in `direction` on an empty `backend` database, in order
/// (queries left out), each with its values inlined.
///
/// # Errors
/// The migration's own error (a migration may refuse a backend).
pub async fn render(
    migration: &dyn MigrationTrait,
    direction: Direction,
    backend: DbBackend,
) -> Result<Vec<String>, DbErr> {
    // sea-orm-migration's existence probes read one row with a boolean named after the probe.
    let absent: BTreeMap<&str, Value> = ["has_table", "has_column", "has_index"]
        .into_iter()
        .map(|probe| (probe, Value::Bool(Some(false))))
        .collect();
    let db = MockDatabase::new(backend)
        .append_query_results(std::iter::repeat_n(vec![absent], MOCK_ANSWERS))
        .append_exec_results(std::iter::repeat_n(
            MockExecResult {
                last_insert_id: 0,
                rows_affected: 0,
            },
            MOCK_ANSWERS,
        ))
        .into_connection();
    {
        let manager = SchemaManager::new(&db);
        match direction {
            Direction::Up => migration.up(&manager).await?,
            Direction::Down => migration.down(&manager).await?,
        }
    }
    Ok(db
        .into_transaction_log()
        .iter()
        .flat_map(|txn| txn.statements().iter().map(ToString::to_string))
        .filter(|sql| !sql.trim_start().to_ascii_uppercase().starts_with("SELECT"))
        .collect())
}

/// The SHA-256 of `statements` (each followed by `;\n`), in lowercase hex.
#[must_use]
pub fn checksum(statements: &[String]) -> String {
    let mut hasher = Sha256::new();
    for statement in statements {
        hasher.update(statement.as_bytes());
        hasher.update(b";\n");
    }
    hasher
        .finalize()
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            use std::fmt::Write as _;
            // Writing to a String cannot fail.
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

#[cfg(test)]
mod tests {
    use super::checksum;

    #[test]
    fn checksum_is_sha256_hex_of_the_statements() {
        // sha256("CREATE TABLE t;\n")
        assert_eq!(checksum(&["CREATE TABLE t".to_owned()]).len(), 64);
        assert_ne!(
            checksum(&["a".to_owned(), "b".to_owned()]),
            checksum(&["ab".to_owned()])
        );
        assert_eq!(
            checksum(&[]),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
