//! Sources built for one awkward case each: rowids at the ends of the range or hidden behind
//! columns of the same name, text that is not UTF-8 or holds NUL, JSON with repeated keys or
//! scalars, integers at the ends of the range, timestamps finer than microseconds. Planning
//! runs on both backends; the copy (with values read back from PostgreSQL) when PostgreSQL is
//! configured.

use std::path::{Path, PathBuf};

use memdb_tests::TestDb;
use memdb_transfer::consolidate::{
    ConsolidateError, NoProgress, PgType, Plan, SourceSpec, TablePlan, plan, run,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::run::count;

/// A new SQLite file `name.db` in `dir` made by `statements`.
pub(crate) async fn source_file(dir: &Path, name: &str, statements: &[&str]) -> PathBuf {
    let path = dir.join(format!("{name}.db"));
    let db = memdb_repository::connect(&format!("sqlite://{}?mode=rwc", path.display()))
        .await
        .expect("create a source file");
    for sql in statements {
        db.execute_unprepared(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    db.close().await.expect("close the source file");
    path
}

/// The only table named `name` of the only source.
fn table<'a>(plan: &'a Plan, name: &str) -> &'a TablePlan {
    plan.sources[0]
        .tables
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("{name} is planned"))
}

/// The chosen type of `column`.
fn chosen(table: &TablePlan, column: &str) -> PgType {
    table
        .columns
        .iter()
        .find(|c| c.name == column)
        .unwrap_or_else(|| panic!("{column} is planned"))
        .pg_type
}

/// The fallbacks of `column` as `(rowid, reason)`.
fn fallbacks(table: &TablePlan, column: &str) -> Vec<(Option<i64>, String)> {
    table
        .fallbacks
        .iter()
        .filter(|f| f.column == column)
        .map(|f| (f.rowid, f.reason.clone()))
        .collect()
}

/// The text the one-row PostgreSQL query `sql` returns.
async fn text(db: &DatabaseConnection, sql: &str) -> String {
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .expect("one row");
    row.try_get_by_index(0).expect("text")
}

/// Runs `plan` into a fresh PostgreSQL database and checks that every table verified with the
/// source's count, the rows copied and the target's count equal; `None` on SQLite.
pub(crate) async fn run_verified(plan: &Plan) -> Option<TestDb> {
    let target = TestDb::empty().await;
    if target.backend() != DbBackend::Postgres {
        return None;
    }
    let report = run(plan, target.conn(), &mut NoProgress)
        .await
        .expect("consolidate");
    assert!(report.committed && report.verified(), "{report:#?}");
    for t in report.sources.iter().flat_map(|s| &s.tables) {
        assert_eq!(
            (t.source_rows, t.copied_rows),
            (t.target_rows, t.target_rows),
            "{t:?}"
        );
    }
    Some(target)
}

#[tokio::test]
async fn rows_at_the_ends_of_the_rowid_range_and_behind_shadowing_columns_are_copied() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = source_file(
        dir.path(),
        "rowids",
        &[
            "CREATE TABLE extremes (note TEXT)",
            "INSERT INTO extremes (rowid, note) VALUES \
             (-9223372036854775808, 'min'), (0, 'zero'), (9223372036854775807, 'max')",
            // A column named _rowid_ hides that name of the rowid; 2,500 rows need two batches.
            "CREATE TABLE shadowed (_rowid_ INTEGER, note TEXT)",
            "INSERT INTO shadowed (_rowid_, note) \
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500) \
             SELECT 0, 'row ' || i FROM n",
        ],
    )
    .await;
    let plan = plan(&[SourceSpec::new(&path, "rowids")])
        .await
        .expect("plan");
    assert_eq!(table(&plan, "extremes").rowid, Some("rowid"));
    assert_eq!(table(&plan, "shadowed").rowid, Some("rowid"));
    let Some(target) = run_verified(&plan).await else {
        return;
    };
    let db = target.conn();
    assert_eq!(
        text(
            db,
            "SELECT string_agg(note, ',' ORDER BY note) FROM rowids.extremes"
        )
        .await,
        "max,min,zero"
    );
    assert_eq!(
        count(db, "SELECT count(DISTINCT note) FROM rowids.shadowed").await,
        2_500
    );
}

#[tokio::test]
async fn a_rowid_hidden_behind_all_three_names_is_refused_and_one_name_left_is_used() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = source_file(
        dir.path(),
        "hidden",
        &["CREATE TABLE hidden (rowid INTEGER, OID INTEGER, _rowid_ INTEGER)"],
    )
    .await;
    let err = plan(&[SourceSpec::new(&path, "hidden")])
        .await
        .expect_err("no name reaches the rowid");
    assert!(
        matches!(&err, ConsolidateError::RowidShadowed { table, .. } if table == "hidden"),
        "{err}"
    );
    let path = source_file(
        dir.path(),
        "two_hidden",
        &[
            "CREATE TABLE two_hidden (rowid TEXT, _rowid_ TEXT)",
            "INSERT INTO two_hidden VALUES ('a', 'b')",
        ],
    )
    .await;
    let plan = plan(&[SourceSpec::new(&path, "two_hidden")])
        .await
        .expect("oid is left");
    assert_eq!(table(&plan, "two_hidden").rowid, Some("oid"));
    assert_eq!(table(&plan, "two_hidden").rows, 1);
}

#[tokio::test]
async fn awkward_values_fall_back_and_arrive_unchanged() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = source_file(
        dir.path(),
        "awkward",
        &[
            "CREATE TABLE awkward (id INTEGER PRIMARY KEY, label TEXT, note TEXT, \
             tags_json TEXT, payload JSON, big INTEGER, amount NUMERIC, happened TIMESTAMP, \
             seen TIMESTAMP)",
            "INSERT INTO awkward VALUES (1, 'plain', 'a', '{\"tags\":[\"a\"]}', '{\"a\":1}', \
             -9223372036854775808, 1.5, '2026-01-02 10:00:00.123456+02:00', 1700000000)",
            "INSERT INTO awkward VALUES (2, CAST(x'fffe41' AS TEXT), 'a' || char(0) || 'b', \
             '{\"tags\":[\"a\"],\"tags\":[\"b\"]}', '[{\"k\":{\"x\":1,\"x\":2}}]', \
             9223372036854775807, -9223372036854775808, '2026-01-02T03:04:05.1234567Z', \
             1700000001)",
            "INSERT INTO awkward VALUES (3, 'z', NULL, NULL, '\"a JSON scalar\"', 0, 2, \
             '2026-01-02', '2026-01-02 03:04:05')",
        ],
    )
    .await;
    let plan = plan(&[SourceSpec::new(&path, "awkward")])
        .await
        .expect("plan");
    let awkward = table(&plan, "awkward");
    let expected = [
        ("label", PgType::Bytea, vec![(2, "text that is not UTF-8")]),
        (
            "note",
            PgType::Bytea,
            vec![(2, "text with a NUL character")],
        ),
        (
            "tags_json",
            PgType::Text,
            vec![(2, "JSON with a duplicate object key")],
        ),
        (
            "payload",
            PgType::Text,
            vec![
                (2, "JSON with a duplicate object key"),
                (3, "JSON, but not an object or array"),
            ],
        ),
        ("big", PgType::BigInt, vec![]),
        (
            "amount",
            PgType::Text,
            vec![(2, "integer too large for a double")],
        ),
        (
            "happened",
            PgType::Text,
            vec![(2, "finer than microseconds")],
        ),
        // Epoch integers and a timestamp text: text holds both as they are.
        ("seen", PgType::Text, vec![]),
    ];
    for (column, ty, reported) in expected {
        assert_eq!(chosen(awkward, column), ty, "{column}");
        let reported: Vec<(Option<i64>, String)> = reported
            .into_iter()
            .map(|(rowid, reason)| (Some(rowid), reason.to_owned()))
            .collect();
        assert_eq!(fallbacks(awkward, column), reported, "{column}");
    }
    let Some(target) = run_verified(&plan).await else {
        return;
    };
    let db = target.conn();
    let at =
        |id: i64, expr: &str| format!("SELECT ({expr})::text FROM awkward.awkward WHERE id = {id}");
    assert_eq!(text(db, &at(2, "encode(label, 'hex')")).await, "fffe41");
    assert_eq!(text(db, &at(1, "encode(label, 'escape')")).await, "plain");
    assert_eq!(text(db, &at(2, "encode(note, 'hex')")).await, "610062");
    assert_eq!(
        text(db, &at(2, "tags_json")).await,
        r#"{"tags":["a"],"tags":["b"]}"#
    );
    assert_eq!(text(db, &at(3, "payload")).await, r#""a JSON scalar""#);
    assert_eq!(text(db, &at(1, "big")).await, "-9223372036854775808");
    assert_eq!(text(db, &at(2, "big")).await, "9223372036854775807");
    assert_eq!(text(db, &at(2, "amount")).await, "-9223372036854775808");
    assert_eq!(text(db, &at(1, "seen")).await, "1700000000");
}

#[tokio::test]
async fn converted_timestamps_are_the_same_instants_in_postgres() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = source_file(
        dir.path(),
        "instants",
        &[
            "CREATE TABLE events (id INTEGER PRIMARY KEY, happened TIMESTAMP)",
            "INSERT INTO events VALUES (1, '2026-01-02 10:00:00.123456+02:00'), \
             (2, '2026-01-02T03:04:05Z'), (3, '2026-01-02 03:04'), (4, '2026-01-02'), \
             (5, '1999-12-31T23:59:59.5-0130')",
            // PostgreSQL would store a leap second as the next minute: kept as text instead.
            "CREATE TABLE leaps (id INTEGER PRIMARY KEY, happened TIMESTAMP)",
            "INSERT INTO leaps VALUES (1, '2016-12-31 23:59:59'), (2, '2016-12-31 23:59:60'), \
             (3, '2017-01-01 00:00:00')",
        ],
    )
    .await;
    let plan = plan(&[SourceSpec::new(&path, "instants")])
        .await
        .expect("plan");
    assert_eq!(
        chosen(table(&plan, "events"), "happened"),
        PgType::Timestamptz
    );
    let happened = &table(&plan, "events").columns[1];
    assert_eq!(
        happened.reason,
        "declared TIMESTAMP; 2 without offset read as UTC; 2 with an offset normalised to UTC"
    );
    let Some(target) = run_verified(&plan).await else {
        return;
    };
    let utc = text(
        target.conn(),
        "SELECT string_agg(to_char(happened AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), \
         ',' ORDER BY id) FROM instants.events",
    )
    .await;
    assert_eq!(
        utc,
        "2026-01-02 08:00:00.123456,2026-01-02 03:04:05.000000,2026-01-02 03:04:00.000000,\
         2026-01-02 00:00:00.000000,2000-01-01 01:29:59.500000"
    );
    assert_eq!(
        text(
            target.conn(),
            "SELECT happened FROM instants.leaps WHERE id = 2"
        )
        .await,
        "2016-12-31 23:59:60"
    );
}

#[tokio::test]
async fn every_misfit_is_counted_and_the_first_thousand_per_column_are_listed() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = source_file(
        dir.path(),
        "misfits",
        &[
            "CREATE TABLE readings (id INTEGER PRIMARY KEY, at_json TEXT, level INTEGER)",
            "INSERT INTO readings (at_json, level) \
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3005) \
             SELECT CASE WHEN i <= 2000 THEN '[' || i || ']' ELSE 'plain ' || i END, \
             CASE WHEN i <= 1003 THEN i + 0.5 ELSE i END FROM n",
        ],
    )
    .await;
    let plan = plan(&[SourceSpec::new(&path, "misfits")])
        .await
        .expect("plan");
    let readings = table(&plan, "readings");
    for (column, misfits) in [("at_json", 1_005), ("level", 1_003)] {
        let planned = readings
            .columns
            .iter()
            .find(|c| c.name == column)
            .expect("planned");
        assert_eq!(planned.fallback_count, misfits, "{column}");
        let listed = fallbacks(readings, column);
        assert_eq!(listed.len(), 1_000, "{column}");
        assert_eq!(listed[0].0, Some(if column == "level" { 1 } else { 2001 }));
    }
    assert_eq!(chosen(readings, "at_json"), PgType::Text);
    assert_eq!(chosen(readings, "level"), PgType::Double);
}
