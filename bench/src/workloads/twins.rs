//! The "memdb beside its raw twin" shape every newer workload shares: a memdb side calling a
//! repository, raw sides sending the same SQL with the same parameters on the raw pool, each
//! checked for the rows it should find, timed by [`latency`] when the workload is selected.

use std::future::Future;
use std::sync::Arc;

use anyhow::{Result, ensure};
use memdb_enhanced_repository::EnhancedRepositories;

use super::Bench;
use crate::raw::{Param, RawPool};
use crate::report::ResultRow;
use crate::runner::{Side, latency, op};

/// How many rows a call must find.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Expect {
    /// Exactly one.
    One,
    /// At least one.
    Some,
    /// Any number, none included (a search whose term may miss).
    Any,
}

impl Expect {
    fn check(self, found: usize) -> Result<()> {
        match self {
            Self::One => ensure!(found == 1, "expected one row, got {found}"),
            Self::Some => ensure!(found > 0, "expected rows, got none"),
            Self::Any => {}
        }
        Ok(())
    }
}

/// A named workload and its sides, memdb's first.
pub(crate) type Case = (&'static str, Vec<Side>);

/// A side labelled `label` calling `call` with `repos` and the call's index; `call` returns
/// how many rows it found, checked against `expect`.
pub(crate) fn memdb_side<F, Fut>(
    repos: Arc<EnhancedRepositories>,
    label: &'static str,
    expect: Expect,
    call: F,
) -> Side
where
    F: Fn(Arc<EnhancedRepositories>, u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<usize>> + Send + 'static,
{
    let call = Arc::new(call);
    Side {
        label,
        op: op(move |i| {
            let (repos, call) = (repos.clone(), call.clone());
            async move { expect.check(call(repos, i).await?) }
        }),
    }
}

/// The memdb side of a workload: [`memdb_side`] labelled `memdb`.
pub(crate) fn memdb<F, Fut>(bench: &Bench, expect: Expect, call: F) -> Side
where
    F: Fn(Arc<EnhancedRepositories>, u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<usize>> + Send + 'static,
{
    memdb_side(bench.repos.clone(), "memdb", expect, call)
}

/// A raw side labelled `label` sending `sql` (written with `$n` placeholders) with the
/// parameters `params` gives for the call's index.
pub(crate) fn raw(
    bench: &Bench,
    label: &'static str,
    expect: Expect,
    sql: &str,
    params: impl Fn(u64) -> Vec<Param> + Send + Sync + 'static,
) -> Side {
    let pool = bench.raw.clone();
    let sql = Arc::new(pool.sql(sql));
    let params = Arc::new(params);
    Side {
        label,
        op: op(move |i| {
            let (pool, sql, params) = (pool.clone(), sql.clone(), params.clone());
            async move { expect.check(pool.fetch_count(&sql, &params(i)).await?) }
        }),
    }
}

/// The `ESCAPE` clause memdb writes after a `LIKE` on this backend.
pub(crate) fn like_escape(pool: &RawPool) -> &'static str {
    match pool {
        RawPool::Postgres(_) => r"ESCAPE E'\\'",
        RawPool::Sqlite(_) => r"ESCAPE '\'",
    }
}

/// Times every selected case, in order.
///
/// # Errors
/// The first failing call's error.
pub(crate) async fn run_cases(
    bench: &Bench,
    selects: impl Fn(&str) -> bool,
    cases: Vec<Case>,
) -> Result<Vec<ResultRow>> {
    let mut out = Vec::new();
    for (name, sides) in &cases {
        if selects(name) {
            out.extend(latency(name, bench.scale.rows, &bench.scale, sides).await?);
        }
    }
    Ok(out)
}
