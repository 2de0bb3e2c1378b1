//! Point reads of each enhanced repository (audit, file hashes, git operations, tags,
//! violations, graph by key, health metrics), beside the SELECT memdb sends on the raw pool.

use std::sync::Arc;

use anyhow::Result;
use memdb_enhanced_repository::{Page, ViolationId};

use super::twins::{Case, Expect, memdb, raw, run_cases};
use super::{Bench, GRAPH_NODE_COLUMNS};
use crate::dataset_extra::AUDIT_ENTITY;
use crate::raw::Param;
use crate::report::ResultRow;
use crate::runner::Side;

const FILE_HASH_COLUMNS: &str = "id, path, seq, sha256, size_bytes, observed_at, git_commit";
const GIT_OPERATION_COLUMNS: &str =
    "id, commit_sha, branch, author, message, operation, files_changed, occurred_at";
const TAG_DEFINITION_COLUMNS: &str = "name, category, color, description, created_at";
const VIOLATION_COLUMNS: &str =
    "id, rule, severity, path, line, message, status, detected_at, resolved_at";
const AUDIT_COLUMNS: &str = "id, actor, action, entity, entity_id, before, after, at";

/// A closure giving the key call `i` reads from `keys`.
fn keyed<T: Clone + Send + Sync + 'static>(keys: &[T]) -> impl Fn(u64) -> T + Clone + use<T> {
    let keys = Arc::new(keys.to_vec());
    move |i| keys[Bench::pick(i, keys.len())].clone()
}

/// A raw side selecting `columns` of `table` where `column` is call `i`'s key: one row, as
/// SeaORM's `.one()` sends it.
fn by_key(
    bench: &Bench,
    table: &str,
    columns: &str,
    column: &str,
    param: impl Fn(u64) -> Param + Send + Sync + 'static,
) -> Side {
    let sql = format!("SELECT {columns} FROM {table} WHERE {column} = $1 LIMIT $2");
    raw(bench, "raw", Expect::One, &sql, move |i| {
        vec![param(i), Param::Int(1)]
    })
}

/// Every enhanced point read, as selected by `selects`.
///
/// # Errors
/// The first failing call's error.
pub(crate) async fn run(bench: &Bench, selects: impl Fn(&str) -> bool) -> Result<Vec<ResultRow>> {
    let data = &bench.data.enhanced;
    let node_count = bench.data.graph_nodes.len();
    let node_key = move |i: u64| format!("node-{}", Bench::pick(i, node_count));
    let path = keyed(&data.paths);
    let commit = keyed(&data.commits);
    let mut cases: Vec<Case> = vec![
        (
            "graph.get_node_by_key (enhanced)",
            vec![
                memdb(bench, Expect::One, move |r, i| async move {
                    r.graph.get_node_by_key("concept", &node_key(i)).await?;
                    Ok(1)
                }),
                raw(
                    bench,
                    "raw",
                    Expect::One,
                    &format!(
                        "SELECT {GRAPH_NODE_COLUMNS} FROM graph_nodes \
                         WHERE kind = $1 AND key = $2 LIMIT $3"
                    ),
                    move |i| {
                        vec![
                            Param::Text("concept".to_owned()),
                            Param::Text(node_key(i)),
                            Param::Int(1),
                        ]
                    },
                ),
            ],
        ),
        (
            "file_hashes.latest (enhanced)",
            vec![
                memdb(bench, Expect::One, {
                    let path = path.clone();
                    move |r, i| {
                        let path = path(i);
                        async move {
                            r.file_hashes.latest(&path).await?;
                            Ok(1)
                        }
                    }
                }),
                by_key(
                    bench,
                    "file_hash_current",
                    FILE_HASH_COLUMNS,
                    "path",
                    move |i| Param::Text(path(i)),
                ),
            ],
        ),
        (
            "git_operations.get_by_commit (enhanced)",
            vec![
                memdb(bench, Expect::One, {
                    let commit = commit.clone();
                    move |r, i| {
                        let sha = commit(i);
                        async move {
                            r.git_operations.get_by_commit(&sha).await?;
                            Ok(1)
                        }
                    }
                }),
                by_key(
                    bench,
                    "git_operations",
                    GIT_OPERATION_COLUMNS,
                    "commit_sha",
                    move |i| Param::Text(commit(i)),
                ),
            ],
        ),
    ];
    cases.extend(more(bench));
    run_cases(bench, selects, cases).await
}

/// The reads of tags, violations, the audit log and health metrics.
fn more(bench: &Bench) -> Vec<Case> {
    let data = &bench.data.enhanced;
    let tag = keyed(&data.tags);
    let violation = keyed(&data.violations);
    let audit_row = keyed(&data.audit_rows);
    let component = keyed(&data.components);
    vec![
        (
            "tags.get_definition (enhanced)",
            vec![
                memdb(bench, Expect::One, {
                    let tag = tag.clone();
                    move |r, i| {
                        let name = tag(i);
                        async move {
                            r.tags.get_definition(&name).await?;
                            Ok(1)
                        }
                    }
                }),
                by_key(
                    bench,
                    "tag_definitions",
                    TAG_DEFINITION_COLUMNS,
                    "name",
                    move |i| Param::Text(tag(i)),
                ),
            ],
        ),
        (
            "violations.get (enhanced)",
            vec![
                memdb(bench, Expect::One, {
                    let violation = violation.clone();
                    move |r, i| {
                        let id = ViolationId::from(violation(i));
                        async move {
                            r.violations.get(id).await?;
                            Ok(1)
                        }
                    }
                }),
                by_key(bench, "violations", VIOLATION_COLUMNS, "id", move |i| {
                    Param::Uuid(violation(i))
                }),
            ],
        ),
        (
            "audit.for_row (enhanced)",
            vec![
                memdb(bench, Expect::One, {
                    let audit_row = audit_row.clone();
                    move |r, i| {
                        let row = audit_row(i);
                        async move {
                            let page = Page::default();
                            Ok(r.audit.for_row(AUDIT_ENTITY, &row, page).await?.len())
                        }
                    }
                }),
                raw(
                    bench,
                    "raw",
                    Expect::One,
                    &format!(
                        "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE entity = $1 AND \
                         entity_id = $2 ORDER BY entity_id, at, id LIMIT $3 OFFSET $4"
                    ),
                    move |i| {
                        vec![
                            Param::Text(AUDIT_ENTITY.to_owned()),
                            Param::Text(audit_row(i)),
                            Param::Int(Page::default().limit() as i64),
                            Param::Int(0),
                        ]
                    },
                ),
            ],
        ),
        (
            "health_metrics.latest (enhanced)",
            vec![memdb(bench, Expect::Some, move |r, i| {
                let component = component(i);
                async move {
                    let page = Page::default();
                    Ok(r.health_metrics.latest(&component, page).await?.len())
                }
            })],
        ),
    ]
}
