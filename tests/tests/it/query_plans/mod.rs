//! Every statement the repositories run, checked with `EXPLAIN` on the configured backend: no
//! statement may read a whole table, except the calls listed as full scans by design.
//!
//! - PostgreSQL plans with `enable_seqscan = off`, so even on these tiny tables the planner
//!   takes an index whenever one can serve the query; a `Seq Scan` left in the plan means none
//!   can.
//! - SQLite has no statistics here and prefers any usable index; a `SCAN <table>` without
//!   `USING ... INDEX` in `EXPLAIN QUERY PLAN` is a full table scan. There the check also
//!   covers pagination: a statement with a `LIMIT` whose plan needs a temporary B-tree for its
//!   ORDER BY sorts every matching row to return a page, so an index must give that order.
//!
//! Foreign keys are checked too: the backend looks up referencing rows on every delete of a
//! referenced row (cascade or restrict), and without an index led by the referencing column
//! each such lookup reads the whole referencing table.
//!
//! Recursive statements (`WITH RECURSIVE`) need more care on both backends; see [`recursive`].
//!
//! `MEMDB_PRINT_PLANS=1` prints every statement with its plan, for review.

mod bulk;
mod cache;
mod enhanced_agents;
mod enhanced_audit;
mod enhanced_checkpoints;
mod enhanced_document_index;
mod enhanced_file_hashes;
mod enhanced_git_operations;
mod enhanced_graph;
mod enhanced_health_metrics;
mod enhanced_memory;
mod enhanced_policies;
mod enhanced_sessions;
mod enhanced_tags;
mod enhanced_tiered;
mod enhanced_tiered_filters;
mod enhanced_violations;
mod filters;
mod recorder;
mod recursive;
mod workload;

use std::collections::BTreeSet;
use std::fmt::Write as _;

use memdb_enhanced_repository::EnhancedRepositories;
use memdb_repository::Repositories;
use memdb_tests::TestDb;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait};

use self::recorder::Recorder;
use self::workload::{FULL_SCANS_BY_DESIGN, SORTED_BY_DESIGN};

/// Whether the statement reads rows by a condition (a plain `INSERT ... VALUES` does not).
fn reads_rows(sql: &str) -> bool {
    let sql = sql.trim_start().to_ascii_uppercase();
    ["SELECT", "UPDATE", "DELETE", "WITH"]
        .iter()
        .any(|verb| sql.starts_with(verb))
        || (sql.starts_with("INSERT") && sql.contains("SELECT"))
}

/// The plan lines of `statement`, run with the same bound values.
async fn explain(db: &DatabaseConnection, statement: &Statement) -> Vec<String> {
    let backend = db.get_database_backend();
    let prefix = match backend {
        DbBackend::Postgres => "EXPLAIN",
        _ => "EXPLAIN QUERY PLAN",
    };
    let explained = Statement {
        sql: format!("{prefix} {}", statement.sql),
        values: statement.values.clone(),
        db_backend: backend,
    };
    let txn = db.begin().await.expect("begin");
    if backend == DbBackend::Postgres {
        txn.execute_unprepared("SET LOCAL enable_seqscan = off")
            .await
            .expect("disable sequential scans");
    }
    if recursive::is_recursive(&statement.sql) {
        recursive::plan_as_at_scale(&txn).await;
    }
    let rows = txn
        .query_all_raw(explained)
        .await
        .unwrap_or_else(|err| panic!("EXPLAIN {}: {err}", statement.sql));
    txn.rollback().await.expect("rollback");
    rows.iter()
        .map(|row| match backend {
            DbBackend::Postgres => row.try_get::<String>("", "QUERY PLAN"),
            _ => row.try_get::<String>("", "detail"),
        })
        .collect::<Result<_, _>>()
        .expect("plan text")
}

/// The plan lines of `sql` that read a whole table.
///
/// On SQLite a `SCAN` of a common table expression or subquery the statement computes itself
/// (one the plan runs as a `CO-ROUTINE` or `MATERIALIZE`s, or a recursive CTE of its own) reads
/// rows that statement made, not a table: how the rows it made were found shows in the plan's
/// other lines.
fn full_scans(backend: DbBackend, sql: &str, plan: &[String]) -> Vec<String> {
    let ctes = recursive::cte_names(sql);
    let made_here: Vec<&str> = plan
        .iter()
        .filter_map(|line| {
            let line = line.trim();
            line.strip_prefix("CO-ROUTINE ")
                .or_else(|| line.strip_prefix("MATERIALIZE "))
        })
        .collect();
    let mut found: Vec<String> = plan
        .iter()
        .filter(|line| {
            if backend == DbBackend::Postgres {
                line.contains("Seq Scan on")
            } else {
                let line = line.trim();
                line.starts_with("SCAN ")
                    && !line.contains(" USING ")
                    && line != "SCAN CONSTANT ROW"
                    && !made_here.contains(&&line["SCAN ".len()..])
                    && !recursive::scans_cte(line, &ctes)
            }
        })
        .map(|line| line.trim().to_owned())
        .collect();
    if backend == DbBackend::Postgres && recursive::is_recursive(sql) {
        found.extend(recursive::unbounded_index_scans(plan));
    }
    found
}

/// The plan lines that sort a paginated statement's rows (SQLite only, see the module docs).
fn paginated_sorts(backend: DbBackend, sql: &str, plan: &[String]) -> Vec<String> {
    if backend != DbBackend::Sqlite || !sql.contains(" LIMIT ") {
        return Vec::new();
    }
    plan.iter()
        .filter(|line| line.contains("USE TEMP B-TREE FOR") && line.contains("ORDER BY"))
        .map(|line| line.trim().to_owned())
        .collect()
}

#[tokio::test]
async fn every_repository_statement_is_served_by_an_index() {
    let db = TestDb::new().await;
    let backend = db.backend();
    let (recording, rec) = Recorder::attach(db.conn());
    let repos = Repositories::from_connection(recording.clone());
    workload::documents(&repos, &rec).await;
    workload::knowledge(&repos, &rec).await;
    workload::tasks(&repos, &rec).await;
    workload::personas(&repos, &rec).await;
    bulk::bulk(&repos, &rec).await;
    enhanced_memory::memory(&recording, &rec).await;
    enhanced_sessions::sessions(&recording, &rec).await;
    enhanced_policies::policies(&recording, &rec).await;
    cache::cache(db.conn(), &recording, &rec).await;
    let enhanced = EnhancedRepositories::from_connection(recording);
    enhanced_file_hashes::file_hashes(&enhanced, &rec).await;
    enhanced_git_operations::git_operations(&enhanced, &rec).await;
    enhanced_tags::tags(&enhanced, &rec).await;
    enhanced_violations::violations(&enhanced, &rec).await;
    enhanced_audit::audit(&enhanced, &rec).await;
    enhanced_health_metrics::health_metrics(&enhanced, &rec).await;
    enhanced_graph::graph(&enhanced, &rec).await;
    enhanced_agents::agents(&enhanced, &rec).await;
    enhanced_checkpoints::checkpoints(&enhanced, &rec).await;
    enhanced_tiered::tiered(&enhanced, &rec).await;
    enhanced_document_index::document_index(&enhanced, &rec).await;

    let mut report = String::new();
    let mut problems = Vec::new();
    let mut calls = BTreeSet::new();
    let mut seen = BTreeSet::new();
    for recorded in rec.statements() {
        calls.insert(recorded.call.clone());
        let sql = &recorded.statement.sql;
        if !reads_rows(sql) || !seen.insert((recorded.call.clone(), sql.clone())) {
            continue;
        }
        let plan = explain(db.conn(), &recorded.statement).await;
        writeln!(report, "-- {}\n{sql}\n{}\n", recorded.call, plan.join("\n")).unwrap();
        let call = recorded.call.as_str();
        let mut found = Vec::new();
        if !FULL_SCANS_BY_DESIGN.contains(&call) {
            found.extend(full_scans(backend, sql, &plan));
        }
        if !SORTED_BY_DESIGN
            .iter()
            .any(|prefix| call.starts_with(prefix))
        {
            found.extend(paginated_sorts(backend, sql, &plan));
        }
        if !found.is_empty() {
            problems.push(format!(
                "{call}: {}\n  {sql}\n  {}",
                found.join("; "),
                plan.join("\n  ")
            ));
        }
    }
    if std::env::var_os("MEMDB_PRINT_PLANS").is_some() {
        eprintln!("{report}");
    }
    assert!(
        problems.is_empty(),
        "statements reading whole tables or sorting whole result sets on {backend:?}:\n\n{}",
        problems.join("\n\n")
    );
    // The exceptions must name calls that still exist, or they would hide nothing and rot.
    for call in FULL_SCANS_BY_DESIGN {
        assert!(calls.contains(call), "{call} was not exercised");
    }
    for prefix in SORTED_BY_DESIGN {
        assert!(
            calls.iter().any(|call| call.starts_with(prefix)),
            "{prefix} was not exercised"
        );
    }
    assert!(seen.len() > 40, "only {} statements checked", seen.len());

    drop(db);
}

/// Foreign-key columns not leading any index, as `table.column`.
async fn unindexed_foreign_keys(db: &DatabaseConnection) -> Vec<String> {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => {
            "SELECT c.conrelid::regclass::text || '.' || a.attname AS fk \
             FROM pg_constraint c \
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
             WHERE c.contype = 'f' AND NOT EXISTS ( \
                 SELECT 1 FROM pg_index i \
                 WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1]) \
             ORDER BY fk"
        }
        _ => {
            "SELECT m.name || '.' || f.\"from\" AS fk \
             FROM sqlite_master m, pragma_foreign_key_list(m.name) f \
             WHERE m.type = 'table' AND NOT EXISTS ( \
                 SELECT 1 FROM pragma_index_list(m.name) il, pragma_index_info(il.name) ii \
                 WHERE ii.seqno = 0 AND ii.name = f.\"from\") \
             ORDER BY fk"
        }
    };
    let statement = Statement::from_string(db.get_database_backend(), sql);
    db.query_all_raw(statement)
        .await
        .expect("list foreign keys")
        .iter()
        .map(|row| row.try_get::<String>("", "fk").expect("fk"))
        .collect()
}

#[tokio::test]
async fn every_foreign_key_column_leads_an_index() {
    let db = TestDb::new().await;
    assert_eq!(
        unindexed_foreign_keys(db.conn()).await,
        Vec::<String>::new()
    );
    drop(db);
}
