//! Every `VARCHAR(n)` column of the enhanced schema has the limit
//! `memdb_enhanced_repository::limits` gives it (the limits at their edges are in each
//! repository's bad-input tests).

use std::collections::BTreeSet;

use memdb_enhanced_migration::ENHANCED_TABLES;
use memdb_enhanced_repository::limits::VARCHAR_COLUMNS;
use memdb_tests::TestDb;

use crate::limits::varchar_columns;

#[tokio::test]
async fn enhanced_varchar_columns_have_the_limits_the_repositories_enforce() {
    let db = TestDb::new().await;
    let declared: BTreeSet<(String, String, usize)> = VARCHAR_COLUMNS
        .iter()
        .map(|(t, c, n)| ((*t).to_owned(), (*c).to_owned(), *n))
        .collect();
    let tables: BTreeSet<&str> = ENHANCED_TABLES.iter().copied().collect();
    assert_eq!(varchar_columns(db.conn(), &tables).await, declared);
}
