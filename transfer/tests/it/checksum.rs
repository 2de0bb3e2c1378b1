//! The canonical checksum is the same on both backends for the same values however each
//! backend spells them: JSON key order and number spelling, timestamps with offsets and
//! nanoseconds, floats like 0.1 and 1e300, NULL against the empty string.

use memdb_transfer::copy;
use sea_orm::{ConnectionTrait as _, DbBackend};

use crate::support::migrated;

/// One `graph_nodes` and one `graph_edges` row and one `audit_log` row, as SQLite text.
const SQLITE_ROWS: &str = "\
INSERT INTO graph_nodes VALUES (x'0190f1a2b3c4700080000000000000a1', 'k', 'a', \
 '{\"b\":[1e2,0.1],\"a\":{\"y\":1.0,\"x\":null}}', '2026-01-02T03:04:05.123456789+02:00', \
 '2026-01-02T01:04:05.123456Z');
INSERT INTO graph_nodes VALUES (x'0190f1a2b3c4700080000000000000a2', 'k', '', '{}', \
 '2026-01-02T01:04:05+00:00', '2026-01-02T01:04:05.000000+00:00');
INSERT INTO graph_edges VALUES (x'0190f1a2b3c4700080000000000000e1', \
 x'0190f1a2b3c4700080000000000000a1', x'0190f1a2b3c4700080000000000000a2', 'r', 1e300, \
 '{\"w\":0.1}', '2026-01-02T01:04:05+00:00');
INSERT INTO audit_log VALUES (x'0190f1a2b3c4700080000000000000c1', 'me', 'create', 'e', '', \
 NULL, '{\"v\":\"\"}', '2026-01-02T01:04:05+00:00')";

/// The same rows as the configured backend spells them natively (PostgreSQL: `jsonb`, UTC
/// `timestamptz` truncated to microseconds; SQLite: another key order and offset).
fn native_rows(backend: DbBackend) -> String {
    let (uuid, json) = match backend {
        DbBackend::Postgres => ("'", "'::jsonb"),
        _ => ("x'", "'"),
    };
    let id = |tail: &str| {
        if backend == DbBackend::Postgres {
            format!("{uuid}0190f1a2-b3c4-7000-8000-0000000000{tail}'")
        } else {
            format!("{uuid}0190f1a2b3c4700080000000000000{tail}'")
        }
    };
    format!(
        "INSERT INTO graph_nodes VALUES ({a1}, 'k', 'a', '{{\"a\":{{\"x\":null,\"y\":1}},\"b\":[100,0.1]}}{json}, \
         '2026-01-02T01:04:05.123456+00:00', '2026-01-02T03:04:05.123456+02:00');
         INSERT INTO graph_nodes VALUES ({a2}, 'k', '', '{{}}{json}, '2026-01-02T01:04:05Z', \
         '2026-01-02T02:04:05+01:00');
         INSERT INTO graph_edges VALUES ({e1}, {a1}, {a2}, 'r', 1e300, '{{\"w\":0.1}}{json}, \
         '2026-01-02T01:04:05+00:00');
         INSERT INTO audit_log VALUES ({c1}, 'me', 'create', 'e', '', NULL, '{{\"v\":\"\"}}{json}, \
         '2026-01-02T01:04:05+00:00')",
        a1 = id("a1"),
        a2 = id("a2"),
        e1 = id("e1"),
        c1 = id("c1"),
    )
}

async fn fill(db: &sea_orm::DatabaseConnection, sql: &str) {
    for statement in sql.split(";\n") {
        db.execute_unprepared(statement)
            .await
            .unwrap_or_else(|err| panic!("{statement}: {err}"));
    }
}

#[tokio::test]
async fn awkward_values_hash_the_same_on_both_backends() {
    let sqlite = migrated(DbBackend::Sqlite).await;
    let other = migrated(memdb_tests::configured_backend()).await;
    fill(sqlite.conn(), SQLITE_ROWS).await;
    fill(other.conn(), &native_rows(other.backend())).await;
    for table in ["graph_nodes", "graph_edges", "audit_log"] {
        let ours = copy::checksum(sqlite.conn(), table).await.expect("sqlite");
        let theirs = copy::checksum(other.conn(), table).await.expect("other");
        assert!(ours.rows > 0);
        assert_eq!(ours, theirs, "{table}");
    }
    // A changed value changes the checksum; NULL and '' differ.
    other
        .conn()
        .execute_unprepared("UPDATE audit_log SET entity_id = ' '")
        .await
        .expect("update");
    assert_ne!(
        copy::checksum(sqlite.conn(), "audit_log")
            .await
            .expect("sqlite"),
        copy::checksum(other.conn(), "audit_log")
            .await
            .expect("other")
    );
}
