//! JSON numbers are copied exactly (as the source's text), and verification sees a changed
//! digit that a float would round away.

use memdb_transfer::copy;
use sea_orm::{ConnectionTrait as _, DbBackend, Statement};

use crate::support::{copy_all, migrated};

/// Numbers a float cannot carry, or that printers spell differently.
const NUMBERS: &str = "[104.08228246668247, 1e300, 0.1, -0.0, 123456789012345678901234567890, \
                       1.50, 15e-1]";

#[tokio::test]
async fn json_numbers_are_copied_exactly_and_a_changed_digit_fails_verification() {
    let source = migrated(DbBackend::Sqlite).await;
    source
        .conn()
        .execute_unprepared(&format!(
            "INSERT INTO graph_nodes VALUES (x'0190f1a2b3c4700080000000000000a1', 'k', 'a', \
             '{{\"n\":{NUMBERS}}}', '2026-01-02T01:04:05+00:00', '2026-01-02T01:04:05+00:00')"
        ))
        .await
        .expect("fill");
    let target = memdb_tests::TestDb::empty().await;
    let report = copy_all(source.url(), target.url()).await.expect("copy");
    assert!(report.verified(), "{report:#?}");
    let properties = |db: &memdb_tests::TestDb| {
        let sql = if db.backend() == DbBackend::Postgres {
            "SELECT properties::text FROM graph_nodes"
        } else {
            "SELECT properties FROM graph_nodes"
        };
        let conn = db.conn().clone();
        async move {
            conn.query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
                .await
                .expect("read")
                .expect("a row")
                .try_get_by_index::<String>(0)
                .expect("text")
        }
    };
    let copied = properties(&target).await;
    for exact in [
        "104.08228246668247",
        "123456789012345678901234567890",
        "0.1",
    ] {
        assert!(copied.contains(exact), "{exact} in {copied}");
    }
    assert_eq!(
        copy::checksum(source.conn(), "graph_nodes")
            .await
            .expect("source"),
        copy::checksum(target.conn(), "graph_nodes")
            .await
            .expect("target")
    );
    // One digit changed in the target, where a float would round both to the same value.
    let changed = copied.replace("104.08228246668247", "104.08228246668249");
    let sql = if target.backend() == DbBackend::Postgres {
        "UPDATE graph_nodes SET properties = $1::jsonb"
    } else {
        "UPDATE graph_nodes SET properties = ?"
    };
    target
        .conn()
        .execute_raw(Statement::from_sql_and_values(
            target.backend(),
            sql,
            [changed.into()],
        ))
        .await
        .expect("change");
    let again = copy_all(source.url(), target.url()).await.expect("again");
    assert!(!again.verified(), "{again:#?}");
    let nodes = again
        .verification
        .iter()
        .find(|v| v.table == "graph_nodes")
        .expect("graph_nodes");
    assert_eq!(nodes.conflicts, 1);
}
