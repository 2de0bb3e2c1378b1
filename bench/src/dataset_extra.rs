//! The rows beyond one table per legacy repository: edges between knowledge items and between
//! graph nodes, and the enhanced repositories' own tables. Contents come from the seeded
//! generator, so every run reads the same data.

use std::fmt::Write as _;
use std::num::NonZeroU32;

use anyhow::Result;
use chrono::{TimeDelta, Utc};
use memdb_enhanced_repository::EnhancedRepositories;
use memdb_enhanced_repository::audit::{AuditAction, NewAuditEntry};
use memdb_enhanced_repository::file_hashes::NewFileHash;
use memdb_enhanced_repository::git_operations::{GitOperationKind, NewGitOperation};
use memdb_enhanced_repository::graph::NewGraphEdge;
use memdb_enhanced_repository::health_metrics::NewHealthMetric;
use memdb_enhanced_repository::tags::NewTagDefinition;
use memdb_enhanced_repository::violations::{NewViolation, Severity};
use memdb_repository::KnowledgeId;
use memdb_repository::knowledge::NewRelationship;
use serde_json::json;
use uuid::Uuid;

use crate::dataset::{load, load_in_bulk};
use crate::rng::SplitMix64;

/// The entity label of the audit entries the data set appends.
pub(crate) const AUDIT_ENTITY: &str = "bench_row";

/// Health metric names per component.
const METRICS_PER_COMPONENT: u64 = 8;

/// The enhanced tables' keys, in load order.
#[derive(Default)]
pub(crate) struct EnhancedData {
    /// File paths with recorded hashes (violations are recorded on them too).
    pub(crate) paths: Vec<String>,
    /// Commits of the recorded git operations.
    pub(crate) commits: Vec<String>,
    /// Defined tag names.
    pub(crate) tags: Vec<String>,
    /// Recorded violations.
    pub(crate) violations: Vec<Uuid>,
    /// Entity ids with an audit entry each, under [`AUDIT_ENTITY`].
    pub(crate) audit_rows: Vec<String>,
    /// Components with health metrics, [`METRICS_PER_COMPONENT`] metrics each.
    pub(crate) components: Vec<String>,
}

/// Hex digits from the generator: `digits` of them (a multiple of 8).
fn hex(rng: &mut SplitMix64, digits: usize) -> String {
    let mut out = String::with_capacity(digits);
    for _ in 0..digits / 8 {
        // Writing to a String cannot fail.
        let _ = write!(out, "{:08x}", rng.next_u64() as u32);
    }
    out
}

/// Two edges per item: to the next one (`next`) and to a far one (`related`).
///
/// # Errors
/// The first failing call's error.
pub(crate) async fn relationships(repos: &EnhancedRepositories, items: &[Uuid]) -> Result<()> {
    let n = items.len() as u64;
    load_in_bulk("knowledge relationships", n, |range| async move {
        let items_in_range = (range.end - range.start) as usize;
        let mut edges = Vec::new();
        for i in range {
            let far = (i * 17 + 3) % n;
            for (target, kind) in [((i + 1) % n, "next"), (far, "related")] {
                if target != i {
                    edges.push(NewRelationship {
                        source_id: KnowledgeId::from(items[i as usize]),
                        target_id: KnowledgeId::from(items[target as usize]),
                        relationship_type: kind.to_owned(),
                        strength: f64::from((i % 10) as u32) / 10.0,
                    });
                }
            }
        }
        repos.legacy.knowledge.relate_many(edges).await?;
        // Progress counts items, whose edges are in.
        Ok(vec![Uuid::nil(); items_in_range])
    })
    .await?;
    Ok(())
}

/// Two outgoing edges per node: to the next one (`next`, weight 1) and to a far one (`jump`,
/// weight 3), one `connect` call each.
///
/// # Errors
/// The first failing call's error.
pub(crate) async fn graph_edges(repos: &EnhancedRepositories, nodes: &[Uuid]) -> Result<()> {
    let nodes = std::sync::Arc::new(nodes.to_vec());
    let n = nodes.len() as u64;
    load("graph edges", n * 2, repos, move |r, k| {
        let nodes = nodes.clone();
        async move {
            let i = k / 2;
            let (target, relation, weight) = if k % 2 == 0 {
                ((i + 1) % n, "next", 1.0)
            } else {
                ((i * 31 + 7) % n, "jump", 3.0)
            };
            let edge = NewGraphEdge {
                source_id: nodes[i as usize].into(),
                target_id: nodes[target as usize].into(),
                relation: relation.to_owned(),
                weight,
                properties: json!({}),
            };
            Ok(r.graph.connect(edge).await?.id.as_uuid())
        }
    })
    .await?;
    Ok(())
}

/// `rows` rows in each enhanced table (health metrics: `rows` samples over `rows / 100`
/// components).
///
/// # Errors
/// The first failing call's error.
pub(crate) async fn enhanced(repos: &EnhancedRepositories, rows: u64) -> Result<EnhancedData> {
    let path = |i: u64| format!("src/{:03}/file{i:06}.rs", i % 997);
    load("file hashes", rows, repos, move |r, i| async move {
        let mut rng = SplitMix64::new(0x6 ^ i);
        let input = NewFileHash {
            path: path(i),
            sha256: hex(&mut rng, 64),
            size_bytes: rng.below(100_000),
            git_commit: None,
        };
        r.file_hashes.record(input).await?;
        Ok(Uuid::nil())
    })
    .await?;
    let commit = |i: u64| hex(&mut SplitMix64::new(0x7 ^ i), 40);
    load("git operations", rows, repos, move |r, i| async move {
        let input = NewGitOperation {
            commit_sha: commit(i),
            branch: format!("branch-{}", i % 20),
            author: "bench".to_owned(),
            message: SplitMix64::new(0x8 ^ i).text(8),
            operation: GitOperationKind::Commit,
            files_changed: vec![path(i)],
            occurred_at: Utc::now() - TimeDelta::seconds(i as i64),
        };
        Ok(r.git_operations.record(input).await?.id.as_uuid())
    })
    .await?;
    let tag = |i: u64| format!("tag-{i}");
    load("tag definitions", rows, repos, move |r, i| async move {
        let input = NewTagDefinition {
            name: tag(i),
            category: format!("category-{}", i % 10),
            color: format!("#{:06x}", i % 0x100_0000),
            description: SplitMix64::new(0x9 ^ i).text(6),
        };
        r.tags.define(input).await?;
        Ok(Uuid::nil())
    })
    .await?;
    let violations = load("violations", rows, repos, move |r, i| async move {
        let input = NewViolation {
            rule: format!("rule-{}", i % 50),
            severity: Severity::Warning,
            path: path(i),
            line: NonZeroU32::new(i as u32 % 500 + 1),
            message: SplitMix64::new(0xA ^ i).text(6),
        };
        Ok(r.violations.record(input).await?.violation.id.as_uuid())
    })
    .await?;
    let audit_row = |i: u64| format!("row-{i}");
    load_in_bulk("audit entries", rows, |range| async move {
        let entries: Vec<_> = range
            .map(|i| NewAuditEntry {
                actor: "bench".to_owned(),
                action: AuditAction::Create,
                entity: AUDIT_ENTITY.to_owned(),
                entity_id: audit_row(i),
                before: None,
                after: Some(json!({ "n": i })),
            })
            .collect();
        let appended = repos.audit.append_many(entries).await?;
        Ok(appended.iter().map(|e| e.id.as_uuid()).collect())
    })
    .await?;
    let components = (rows / 100).max(1);
    let component = move |i: u64| format!("component-{}", i % components);
    load_in_bulk("health metrics", rows, |range| async move {
        let samples: Vec<_> = range
            .map(|i| NewHealthMetric {
                component: component(i),
                metric: format!("metric-{}", (i / components) % METRICS_PER_COMPONENT),
                value: f64::from((i % 1000) as u32),
                labels: json!({}),
                recorded_at: Utc::now() - TimeDelta::seconds(i as i64),
            })
            .collect();
        let count = samples.len();
        repos.health_metrics.record_many(samples).await?;
        Ok(vec![Uuid::nil(); count])
    })
    .await?;
    Ok(EnhancedData {
        paths: (0..rows).map(path).collect(),
        commits: (0..rows).map(commit).collect(),
        tags: (0..rows).map(tag).collect(),
        violations,
        audit_rows: (0..rows).map(audit_row).collect(),
        components: (0..components).map(component).collect(),
    })
}
