//! How a sibling service unit-tests its own code against the `mock` feature's tag and
//! violation repositories.

use std::num::NonZeroU32;
use std::sync::Arc;

use chrono::Utc;
use memdb_enhanced_repository::tags::{FileTag, NewFileTag, TagSource};
use memdb_enhanced_repository::violations::{
    NewViolation, Recorded, RuleViolation, Severity, ViolationStatus,
};
use memdb_enhanced_repository::{
    MockTagRepository, MockViolationRepository, TagRepository, ViolationId, ViolationRepository,
};
use memdb_repository::{RepoError, RepoResult};

/// The service's code under test: files a linter's findings for one file and marks the file
/// for review when a finding it had not seen before is an error or worse.
struct ReviewGate {
    violations: Arc<dyn ViolationRepository>,
    tags: Arc<dyn TagRepository>,
}

impl ReviewGate {
    const TAG: &'static str = "needs-review";

    /// How many findings were new.
    async fn file(&self, findings: Vec<NewViolation>) -> RepoResult<usize> {
        let mut new = 0;
        let mut review = None;
        for finding in findings {
            let recorded = self.violations.record(finding).await?;
            if recorded.is_new {
                new += 1;
                if recorded.violation.severity >= Severity::Error {
                    review = Some(recorded.violation.path);
                }
            }
        }
        if let Some(path) = review {
            self.tags
                .tag(NewFileTag {
                    path,
                    tag: Self::TAG.into(),
                    source: TagSource::Ai,
                    confidence: 0.9,
                })
                .await?;
        }
        Ok(new)
    }
}

fn finding(rule: &str, severity: Severity) -> NewViolation {
    NewViolation {
        rule: rule.into(),
        severity,
        path: "src/gate.rs".into(),
        line: NonZeroU32::new(7),
        message: format!("{rule} here"),
    }
}

fn recorded(input: &NewViolation, is_new: bool) -> Recorded {
    Recorded {
        violation: RuleViolation {
            id: ViolationId::new(),
            rule: input.rule.clone(),
            severity: input.severity,
            path: input.path.clone(),
            line: input.line,
            message: input.message.clone(),
            status: ViolationStatus::Open,
            detected_at: Utc::now(),
            resolved_at: None,
        },
        is_new,
    }
}

#[tokio::test]
async fn a_new_error_marks_the_file_for_review_once() {
    let mut violations = MockViolationRepository::new();
    // "style" was seen before; "panic" is new and an error.
    violations
        .expect_record()
        .times(3)
        .returning(|input| Ok(recorded(&input, input.rule != "style")));
    let mut tags = MockTagRepository::new();
    tags.expect_tag()
        .withf(|t| {
            t.path == "src/gate.rs"
                && t.tag == ReviewGate::TAG
                && t.source == TagSource::Ai
                && t.confidence.to_bits() == 0.9_f64.to_bits()
        })
        .times(1)
        .returning(|t| {
            Ok(FileTag {
                path: t.path,
                tag: t.tag,
                source: t.source,
                confidence: t.confidence,
                created_at: Utc::now(),
                updated_at: Utc::now(),
            })
        });
    let gate = ReviewGate {
        violations: Arc::new(violations),
        tags: Arc::new(tags),
    };
    let findings = vec![
        finding("style", Severity::Critical),
        finding("panic", Severity::Error),
        finding("naming", Severity::Info),
    ];
    assert_eq!(gate.file(findings).await.unwrap(), 2);
}

#[tokio::test]
async fn an_undefined_review_tag_reaches_the_caller() {
    let mut violations = MockViolationRepository::new();
    violations
        .expect_record()
        .returning(|input| Ok(recorded(&input, true)));
    let mut tags = MockTagRepository::new();
    tags.expect_tag().returning(|_| {
        Err(RepoError::invalid(
            "tag",
            "tag \"needs-review\" is not defined",
        ))
    });
    let gate = ReviewGate {
        violations: Arc::new(violations),
        tags: Arc::new(tags),
    };
    let outcome = gate.file(vec![finding("panic", Severity::Critical)]).await;
    assert!(matches!(
        outcome,
        Err(RepoError::Validation { field: "tag", .. })
    ));
}
