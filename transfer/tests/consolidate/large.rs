//! Tables larger than one read batch or wider than one counting query: a `WITHOUT ROWID`
//! table paged by its composite primary key, and a table of 400 columns.

use memdb_transfer::consolidate::{SourceSpec, plan};

use crate::awkward::{run_verified, source_file};
use crate::run::count;

#[tokio::test]
async fn a_without_rowid_table_larger_than_one_batch_is_read_by_its_key() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = source_file(
        dir.path(),
        "paged",
        &[
            "CREATE TABLE visits (region TEXT, n INTEGER, note TEXT, \
             PRIMARY KEY (region, n)) WITHOUT ROWID",
            // Regions repeat across batches; 'B' and 'a' sort by SQLite's BINARY collation.
            "INSERT INTO visits (region, n, note) \
             WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < 4500) \
             SELECT CASE k % 3 WHEN 0 THEN 'a' WHEN 1 THEN 'B' ELSE 'é' END, k, 'visit ' || k \
             FROM i",
        ],
    )
    .await;
    let plan = plan(&[SourceSpec::new(&path, "paged")])
        .await
        .expect("plan");
    let visits = &plan.sources[0].tables[0];
    assert!(visits.without_rowid && visits.rowid.is_none());
    assert_eq!(visits.rows, 4_500);
    let Some(target) = run_verified(&plan).await else {
        return;
    };
    let db = target.conn();
    assert_eq!(
        count(db, "SELECT count(DISTINCT n) FROM paged.visits").await,
        4_500
    );
}

#[tokio::test]
async fn a_table_of_four_hundred_columns_is_planned_and_copied() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let columns: Vec<String> = (1..=400).map(|i| format!("c{i} INTEGER")).collect();
    let create = format!("CREATE TABLE wide ({})", columns.join(", "));
    let values: Vec<String> = (1..=400).map(|i| i.to_string()).collect();
    let insert = format!("INSERT INTO wide VALUES ({})", values.join(", "));
    let path = source_file(dir.path(), "wide", &[&create, &insert, &insert]).await;
    let plan = plan(&[SourceSpec::new(&path, "wide")]).await.expect("plan");
    let wide = &plan.sources[0].tables[0];
    assert_eq!((wide.columns.len(), wide.rows), (400, 2));
    let Some(target) = run_verified(&plan).await else {
        return;
    };
    assert_eq!(
        count(target.conn(), "SELECT sum(c400)::bigint FROM wide.wide").await,
        800
    );
}
