//! Every [`ViolationRepository`](memdb_enhanced_repository::ViolationRepository) method, with
//! each listing filter combination (their SQL differs), for the plan check.

use std::num::NonZeroU32;

use memdb_enhanced_repository::EnhancedRepositories;
use memdb_enhanced_repository::violations::{
    NewViolation, Severity, ViolationFilter, ViolationStatus,
};
use memdb_repository::Page;

use super::recorder::Recorder;

pub(super) async fn violations(repos: &EnhancedRepositories, rec: &Recorder) {
    let violations = &repos.violations;
    rec.call("violations.record");
    let mut ids = Vec::new();
    for (rule, line) in [("r1", 1), ("r2", 0), ("r1", 1)] {
        let input = NewViolation {
            rule: rule.into(),
            severity: Severity::Warning,
            path: "v.rs".into(),
            line: NonZeroU32::new(line),
            message: "m".into(),
        };
        ids.push(violations.record(input).await.unwrap().violation.id);
    }
    rec.call("violations.get");
    violations.get(ids[0]).await.unwrap();
    rec.call("violations.set_status");
    violations
        .set_status(ids[0], ViolationStatus::Acknowledged)
        .await
        .unwrap();
    rec.call("violations.set_status refused");
    violations
        .set_status(ids[0], ViolationStatus::Acknowledged)
        .await
        .unwrap_err();
    let statuses = [None, Some(ViolationStatus::Open)];
    let severities = [None, Some(Severity::Warning)];
    let paths = [None, Some("v.rs".to_owned())];
    for status in statuses {
        for severity in severities {
            for path in &paths {
                let filter = ViolationFilter {
                    status,
                    severity,
                    path: path.clone(),
                };
                rec.call(&format!("violations.list {filter:?}"));
                violations.list(filter, Page::default()).await.unwrap();
            }
        }
    }
    rec.call("violations.open_counts");
    violations.open_counts().await.unwrap();
    rec.call("violations.resolve_path");
    violations.resolve_path("v.rs").await.unwrap();
}
