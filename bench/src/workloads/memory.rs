//! Memory entry reads on the data set's entries (`dataset_memory`): the latest version of an
//! entry, an older version, and a listing of the 1,000 entries below one namespace prefix among
//! all the others, each beside the statements memdb sends on the raw pool.

use std::sync::Arc;

use anyhow::{Result, ensure};
use memdb_enhanced_repository::audited::AuditTrail;
use memdb_enhanced_repository::memory::MemoryRepository;
use memdb_enhanced_repository::{EnhancedRepositories, SeaOrmMemoryRepository};
use memdb_repository::now;

use super::twins::{Case, Expect, memdb, raw};
use super::{Bench, MEMORY_COLUMNS};
use crate::args::Scale;
use crate::dataset_memory::{GROUP, name, prefix};
use crate::raw::Param;
use crate::report::ResultRow;
use crate::runner::{Side, latency, op};

/// The actor the bench's memory writes are audited as.
const ACTOR: &str = "bench";

/// The most entries one `list` call returns: the listing takes one call.
const LIST_LIMIT: u64 = 1_000;

/// The memory repository on the bench's pool.
///
/// # Errors
/// None in practice: the actor name is valid.
pub(crate) fn repository(repos: &EnhancedRepositories) -> Result<SeaOrmMemoryRepository> {
    let trail = AuditTrail::new(ACTOR)?;
    Ok(SeaOrmMemoryRepository::new(
        repos.connection().clone(),
        trail,
    ))
}

/// What the latest-version lookup sends (`get`, and `get_version` before its own SELECT).
fn latest_sql() -> String {
    format!(
        "SELECT {MEMORY_COLUMNS} FROM memory_entries WHERE namespace = $1 AND \"key\" = $2 \
         ORDER BY version DESC LIMIT $3"
    )
}

/// The live latest versions of a listing, `range` being memdb's namespace condition from
/// parameter `$3` on.
fn list_sql(range: &str, limit: usize) -> String {
    format!(
        "SELECT {MEMORY_COLUMNS} FROM memory_entries WHERE NOT EXISTS (SELECT 1 FROM \
         memory_entries AS n WHERE n.namespace = memory_entries.namespace AND n.\"key\" = \
         memory_entries.\"key\" AND n.version > memory_entries.version) AND is_deleted = $1 \
         AND (expires_at IS NULL OR expires_at > $2) AND {range} \
         ORDER BY namespace ASC, \"key\" ASC LIMIT ${limit}"
    )
}

/// The parameters of a raw statement for call `i`.
type Params = Box<dyn Fn(u64) -> Vec<Param> + Send + Sync>;

/// A raw side sending `statements` one after the other (each `$n` SQL with its parameters for
/// the call's index), checking the rows they found together.
fn raw_sequence(
    bench: &Bench,
    label: &'static str,
    expect: usize,
    statements: Vec<(String, Params)>,
) -> Side {
    let pool = bench.raw.clone();
    let statements: Arc<Vec<_>> = Arc::new(
        statements
            .into_iter()
            .map(|(sql, params)| (pool.sql(&sql), params))
            .collect(),
    );
    Side {
        label,
        op: op(move |i| {
            let (pool, statements) = (pool.clone(), statements.clone());
            async move {
                let mut found = 0;
                for (sql, params) in statements.iter() {
                    found += pool.fetch_count(sql, &params(i)).await?;
                }
                ensure!(found == expect, "expected {expect} rows, got {found}");
                Ok(())
            }
        }),
    }
}

/// The memory reads `selects` picks; none when the data set holds no memory entries.
///
/// # Errors
/// The first failing call's error.
pub(crate) async fn run(bench: &Bench, selects: impl Fn(&str) -> bool) -> Result<Vec<ResultRow>> {
    let data = &bench.data.memory;
    if data.entries == 0 || data.versioned.is_empty() {
        return Ok(Vec::new());
    }
    let repo = Arc::new(repository(&bench.repos)?);
    let versioned = Arc::new(data.versioned.clone());
    let groups = data.groups();
    // Call `i`'s entry: one with three versions, or its group's prefix.
    let pick = {
        let versioned = versioned.clone();
        move |i: u64| name(versioned[Bench::pick(i, versioned.len())])
    };
    let group = move |i: u64| prefix(Bench::pick(i, groups as usize) as u64);
    let listed = GROUP.min(data.entries) as usize;
    let mut cases = point_reads(bench, &repo, pick);
    cases.push(listing(bench, &repo, group, listed));
    // A listing reads 1,000 rows: a quarter of the calls keeps its run as long as the others'.
    let listing_scale = Scale {
        iterations: bench.scale.iterations / 4,
        batch: bench.scale.batch / 2,
        ..bench.scale
    };
    let mut out = Vec::new();
    for (name, sides) in &cases {
        if selects(name) {
            let scale = if name.starts_with("memory.list") {
                &listing_scale
            } else {
                &bench.scale
            };
            out.extend(latency(name, data.entries, scale, sides).await?);
        }
    }
    Ok(out)
}

/// The latest and an older version of the entry `pick` names for each call.
fn point_reads(
    bench: &Bench,
    repo: &Arc<SeaOrmMemoryRepository>,
    pick: impl Fn(u64) -> (String, String) + Clone + Send + Sync + 'static,
) -> Vec<Case> {
    vec![
        (
            "memory.get latest",
            vec![
                memdb(bench, Expect::One, {
                    let (repo, pick) = (repo.clone(), pick.clone());
                    move |_, i| {
                        let (repo, (ns, key)) = (repo.clone(), pick(i));
                        async move {
                            let entry = repo.get(&ns, &key).await?;
                            ensure!(entry.is_some_and(|e| e.version == 3), "not at version 3");
                            Ok(1)
                        }
                    }
                }),
                raw(bench, "raw", Expect::One, &latest_sql(), {
                    let pick = pick.clone();
                    move |i| {
                        let (ns, key) = pick(i);
                        vec![Param::Text(ns), Param::Text(key), Param::Int(1)]
                    }
                }),
            ],
        ),
        (
            "memory.get_version 2 of 3",
            vec![
                memdb(bench, Expect::One, {
                    let (repo, pick) = (repo.clone(), pick.clone());
                    move |_, i| {
                        let (repo, (ns, key)) = (repo.clone(), pick(i));
                        async move {
                            let entry = repo.get_version(&ns, &key, 2).await?;
                            ensure!(entry.is_some_and(|e| e.version == 2), "no version 2");
                            Ok(1)
                        }
                    }
                }),
                raw_sequence(
                    bench,
                    "raw latest + version SELECTs",
                    2,
                    vec![
                        (latest_sql(), {
                            let pick = pick.clone();
                            Box::new(move |i| {
                                let (ns, key) = pick(i);
                                vec![Param::Text(ns), Param::Text(key), Param::Int(1)]
                            })
                        }),
                        (
                            format!(
                                "SELECT {MEMORY_COLUMNS} FROM memory_entries WHERE namespace = \
                             $1 AND \"key\" = $2 AND version = $3 LIMIT $4"
                            ),
                            Box::new(move |i| {
                                let (ns, key) = pick(i);
                                let (ns, key) = (Param::Text(ns), Param::Text(key));
                                vec![ns, key, Param::Int(2), Param::Int(1)]
                            }),
                        ),
                    ],
                ),
            ],
        ),
    ]
}

/// All `listed` entries below the prefix `group` names for each call.
fn listing(
    bench: &Bench,
    repo: &Arc<SeaOrmMemoryRepository>,
    group: impl Fn(u64) -> String + Copy + Send + Sync + 'static,
    listed: usize,
) -> Case {
    (
        "memory.list 1,000 entries of a prefix",
        vec![
            memdb(bench, Expect::Some, {
                let repo = repo.clone();
                move |_, i| {
                    let (repo, prefix) = (repo.clone(), group(i));
                    async move {
                        let page = repo.list(&prefix, None, LIST_LIMIT).await?;
                        let found = page.entries.len();
                        ensure!(found == listed, "listed {found} entries, not {listed}");
                        Ok(found)
                    }
                }
            }),
            raw_sequence(
                bench,
                "raw prefix + range SELECTs",
                listed,
                vec![
                    (
                        list_sql("namespace = $3", 4),
                        Box::new(move |i| {
                            let limit = Param::Int(LIST_LIMIT as i64);
                            vec![
                                Param::Bool(false),
                                Param::Time(now()),
                                Param::Text(group(i)),
                                limit,
                            ]
                        }),
                    ),
                    (
                        list_sql("namespace >= $3 AND namespace < $4", 5),
                        Box::new(move |i| {
                            let prefix = group(i);
                            let (lower, upper) = (format!("{prefix}:"), format!("{prefix};"));
                            let limit = Param::Int(LIST_LIMIT as i64);
                            let (lower, upper) = (Param::Text(lower), Param::Text(upper));
                            vec![Param::Bool(false), Param::Time(now()), lower, upper, limit]
                        }),
                    ),
                ],
            ),
        ],
    )
}
