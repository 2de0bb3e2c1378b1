//! Tables larger than one read batch or wider than one counting query: a `WITHOUT ROWID`
//! table paged by its composite primary key, a table of 400 columns, and a table written to
//! while it is being copied.

use memdb_tests::TestDb;
use memdb_transfer::consolidate::{Progress, SourceSpec, plan, run};
use sea_orm::{ConnectionTrait, DbBackend};

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

/// Appends rows to the source's `growing` table after the first batch of it was copied, from
/// a connection of its own, as an application still writing to the file would.
struct WriterDuringCopy {
    path: std::path::PathBuf,
    wrote: bool,
}

impl Progress for WriterDuringCopy {
    fn copied(&mut self, _schema: &str, table: &str, copied: u64, _total: u64) {
        if self.wrote || table != "growing" || copied == 0 {
            return;
        }
        self.wrote = true;
        let path = self.path.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async move {
                let url = format!("sqlite://{}?mode=rw", path.display());
                let db = memdb_repository::connect(&url).await.expect("open");
                db.execute_unprepared(
                    "INSERT INTO growing (note) SELECT 'late' FROM growing LIMIT 10",
                )
                .await
                .expect("write during the copy");
                db.close().await.expect("close");
            });
        })
        .join()
        .expect("the writer");
    }
}

#[tokio::test]
async fn a_source_written_to_during_the_copy_is_copied_as_one_snapshot() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = source_file(
        dir.path(),
        "growing",
        &[
            "CREATE TABLE growing (note TEXT)",
            "INSERT INTO growing (note) \
             WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < 2500) \
             SELECT 'early ' || k FROM i",
        ],
    )
    .await;
    let plan = plan(&[SourceSpec::new(&path, "growing")])
        .await
        .expect("plan");
    let target = TestDb::empty().await;
    if target.backend() != DbBackend::Postgres {
        return;
    }
    let mut writer = WriterDuringCopy {
        path: path.clone(),
        wrote: false,
    };
    let report = run(&plan, target.conn(), &mut writer)
        .await
        .expect("consolidate");
    assert!(writer.wrote, "the writer ran during the copy");
    // Counted and copied from the snapshot the copy started with, not a mix.
    assert!(report.committed && report.verified(), "{report:#?}");
    let table = &report.sources[0].tables[0];
    assert_eq!(
        (table.source_rows, table.copied_rows, table.target_rows),
        (2_500, 2_500, 2_500)
    );
    let source = memdb_repository::connect(&format!("sqlite://{}?mode=ro", path.display()))
        .await
        .expect("open the source");
    assert_eq!(count(&source, "SELECT count(*) FROM growing").await, 2_510);
    source.close().await.expect("close");
}
