//! Writes through the auditing decorator beside the same writes through the plain repository:
//! what an audit entry, the row lock and the before image cost a change.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Result;
use memdb_enhanced_repository::EnhancedRepositories;
use memdb_repository::DocumentId;

use super::Bench;
use super::twins::{Case, Expect, memdb_side, run_cases};
use crate::dataset::document;
use crate::report::ResultRow;

/// Documents the create workload adds are numbered from here (the plain side's from ten
/// million on), past every other workload's, so no path is taken twice.
const FIRST_CREATED: u64 = 50_000_000;

/// A create side: `create` of fresh documents through `repos`, numbered from `first`.
fn creates(
    repos: Arc<EnhancedRepositories>,
    label: &'static str,
    bench: &Bench,
    first: u64,
) -> crate::runner::Side {
    let org = bench.data.organization;
    let serial = Arc::new(AtomicU64::new(first));
    memdb_side(repos, label, Expect::One, move |r, _| {
        let n = serial.fetch_add(1, Ordering::Relaxed);
        async move {
            r.legacy.documents.create(document(org, 31, n)).await?;
            Ok(1)
        }
    })
}

/// An update side: `update_content` of the data set's documents through `repos`.
fn updates(
    repos: Arc<EnhancedRepositories>,
    label: &'static str,
    bench: &Bench,
) -> crate::runner::Side {
    let ids = Arc::new(bench.data.documents.clone());
    memdb_side(repos, label, Expect::One, move |r, i| {
        let id = DocumentId::from(ids[Bench::pick(i, ids.len())]);
        async move {
            let content = format!("revision {i}");
            r.legacy.documents.update_content(id, content).await?;
            Ok(1)
        }
    })
}

/// The audited writes and their plain twins, as selected by `selects`.
///
/// # Errors
/// The first failing call's error.
pub(crate) async fn run(bench: &Bench, selects: impl Fn(&str) -> bool) -> Result<Vec<ResultRow>> {
    let audited = Arc::new(bench.repos.audited("bench")?);
    let plain = bench.repos.clone();
    let cases: Vec<Case> = vec![
        (
            "audited documents.create",
            vec![
                creates(audited.clone(), "audited", bench, FIRST_CREATED),
                creates(plain.clone(), "plain", bench, FIRST_CREATED + 10_000_000),
            ],
        ),
        (
            "audited documents.update_content",
            vec![
                updates(audited, "audited", bench),
                updates(plain, "plain", bench),
            ],
        ),
    ];
    run_cases(bench, selects, cases).await
}
