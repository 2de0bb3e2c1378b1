//! The violation repository's story, written against the trait and run on the SeaORM
//! implementation on a real database; every status move checked against the rules.

use std::num::NonZeroU32;

use memdb_enhanced_repository::violations::{
    NewViolation, RuleViolation, Severity, SeverityCount, ViolationFilter, ViolationStatus,
};
use memdb_enhanced_repository::{SeaOrmViolationRepository, ViolationId, ViolationRepository};
use memdb_repository::{ConflictKind, Page};
use memdb_tests::TestDb;

use super::outcomes::{conflict_kind, not_found};

pub(crate) fn violation(rule: &str, severity: Severity, path: &str, line: u32) -> NewViolation {
    NewViolation {
        rule: rule.into(),
        severity,
        path: path.into(),
        line: NonZeroU32::new(line),
        message: format!("{rule} broken in {path}:{line}"),
    }
}

async fn listed(repo: &dyn ViolationRepository, filter: ViolationFilter) -> Vec<ViolationId> {
    let page = repo.list(filter, Page::default()).await.unwrap();
    page.into_iter().map(|v| v.id).collect()
}

fn counts(rows: [(u64, u64); 4]) -> Vec<SeverityCount> {
    Severity::ALL
        .iter()
        .zip(rows)
        .map(|(&severity, (open, acknowledged))| SeverityCount {
            severity,
            open,
            acknowledged,
        })
        .collect()
}

/// Recording, deduplication while unresolved, the status moves, listing, counting and resolving
/// a file's violations, as a caller does.
async fn violation_story(repo: &dyn ViolationRepository) {
    let first = repo
        .record(violation("no-unwrap", Severity::Error, "src/main.rs", 10))
        .await
        .unwrap();
    assert!(first.is_new);
    let unwrap = first.violation;
    assert_eq!(unwrap.status, ViolationStatus::Open);
    assert_eq!(unwrap.line, NonZeroU32::new(10));
    assert_eq!(unwrap.resolved_at, None);
    assert_eq!(repo.get(unwrap.id).await.unwrap(), unwrap);

    // The same rule at the same place while unresolved: the existing one, unchanged.
    let mut again = violation("no-unwrap", Severity::Critical, "src/main.rs", 10);
    again.message = "said differently".into();
    let repeated = repo.record(again).await.unwrap();
    assert!(!repeated.is_new);
    assert_eq!(repeated.violation, unwrap);
    // Another line, the whole file (no line), another rule, another file: all new.
    let whole_file = repo
        .record(violation("no-unwrap", Severity::Warning, "src/main.rs", 0))
        .await
        .unwrap();
    assert!(whole_file.is_new);
    assert_eq!(whole_file.violation.line, None);
    let whole_file = whole_file.violation;
    let mut others = Vec::new();
    for input in [
        violation("no-unwrap", Severity::Info, "src/main.rs", 11),
        violation("max-len", Severity::Info, "src/main.rs", 10),
        violation("no-unwrap", Severity::Error, "src/lib.rs", 10),
    ] {
        let recorded = repo.record(input).await.unwrap();
        assert!(recorded.is_new);
        others.push(recorded.violation);
    }
    let [line_11, max_len, in_lib] = &others[..] else {
        unreachable!()
    };
    let repeated = repo
        .record(violation("no-unwrap", Severity::Info, "src/main.rs", 0))
        .await
        .unwrap();
    assert_eq!(repeated.violation.id, whole_file.id);

    // Acknowledged is still unresolved: recording again still finds it.
    let acknowledged = repo
        .set_status(unwrap.id, ViolationStatus::Acknowledged)
        .await
        .unwrap();
    assert_eq!(acknowledged.status, ViolationStatus::Acknowledged);
    let repeated = repo
        .record(violation("no-unwrap", Severity::Error, "src/main.rs", 10))
        .await
        .unwrap();
    assert_eq!(repeated.violation, acknowledged);
    assert_eq!(
        repo.open_counts().await.unwrap(),
        counts([(2, 0), (1, 0), (1, 1), (0, 0)])
    );

    // Resolved: it gets a resolution time, and the same breach found again is a new violation.
    let resolved = repo
        .set_status(unwrap.id, ViolationStatus::Resolved)
        .await
        .unwrap();
    assert_eq!(resolved.status, ViolationStatus::Resolved);
    let resolved_at = resolved.resolved_at.expect("resolution time");
    assert!(resolved_at >= resolved.detected_at);
    let recurrence = repo
        .record(violation("no-unwrap", Severity::Error, "src/main.rs", 10))
        .await
        .unwrap();
    assert!(recurrence.is_new);
    let recurrence = recurrence.violation;
    assert_ne!(recurrence.id, unwrap.id);
    // Reopening the old one now would make two unresolved violations of one breach.
    assert_eq!(
        conflict_kind(repo.set_status(unwrap.id, ViolationStatus::Open).await),
        ConflictKind::Duplicate
    );
    assert_eq!(repo.get(unwrap.id).await.unwrap(), resolved);
    // Once the recurrence is ignored, it can: the resolution time is cleared.
    let ignored = repo
        .set_status(recurrence.id, ViolationStatus::Ignored)
        .await
        .unwrap();
    assert_eq!(ignored.resolved_at, None);
    let reopened = repo
        .set_status(unwrap.id, ViolationStatus::Open)
        .await
        .unwrap();
    assert_eq!(
        (reopened.status, reopened.resolved_at),
        (ViolationStatus::Open, None)
    );

    // Refused moves change nothing; unknown ids are not found.
    assert_eq!(
        conflict_kind(repo.set_status(ignored.id, ViolationStatus::Resolved).await),
        ConflictKind::WrongState
    );
    assert_eq!(repo.get(ignored.id).await.unwrap(), ignored);
    assert_eq!(
        not_found(
            repo.set_status(ViolationId::new(), ViolationStatus::Open)
                .await
        ),
        "violation"
    );
    assert_eq!(not_found(repo.get(ViolationId::new()).await), "violation");

    // Listings in detection order, by any combination of filters.
    let everything = [
        unwrap.id,
        whole_file.id,
        line_11.id,
        max_len.id,
        in_lib.id,
        recurrence.id,
    ];
    assert_eq!(listed(repo, ViolationFilter::default()).await, everything);
    let in_main = ViolationFilter {
        path: Some("src/main.rs".into()),
        ..ViolationFilter::default()
    };
    assert_eq!(
        listed(repo, in_main.clone()).await,
        [
            unwrap.id,
            whole_file.id,
            line_11.id,
            max_len.id,
            recurrence.id
        ]
    );
    let open_info = ViolationFilter {
        status: Some(ViolationStatus::Open),
        severity: Some(Severity::Info),
        path: None,
    };
    assert_eq!(listed(repo, open_info).await, [line_11.id, max_len.id]);
    let ignored_in_main = ViolationFilter {
        status: Some(ViolationStatus::Ignored),
        severity: Some(Severity::Error),
        ..in_main.clone()
    };
    assert_eq!(listed(repo, ignored_in_main).await, [recurrence.id]);
    let errors = ViolationFilter {
        severity: Some(Severity::Error),
        ..ViolationFilter::default()
    };
    assert_eq!(
        listed(repo, errors).await,
        [unwrap.id, in_lib.id, recurrence.id]
    );
    let second = repo
        .list(ViolationFilter::default(), Page::new(2, 2).unwrap())
        .await
        .unwrap();
    assert_eq!(second, [line_11.clone(), max_len.clone()]);

    // Resolving a file resolves its unresolved violations in one go, and only those.
    assert_eq!(
        repo.open_counts().await.unwrap(),
        counts([(2, 0), (1, 0), (2, 0), (0, 0)])
    );
    assert_eq!(repo.resolve_path("src/main.rs").await.unwrap(), 4);
    assert_eq!(repo.resolve_path("src/main.rs").await.unwrap(), 0);
    assert_eq!(repo.resolve_path("nowhere.rs").await.unwrap(), 0);
    assert_eq!(repo.get(recurrence.id).await.unwrap(), ignored);
    for id in [unwrap.id, whole_file.id, line_11.id, max_len.id] {
        let resolved = repo.get(id).await.unwrap();
        assert_eq!(resolved.status, ViolationStatus::Resolved);
        assert!(resolved.resolved_at.is_some());
    }
    assert_eq!(
        repo.open_counts().await.unwrap(),
        counts([(0, 0), (0, 0), (1, 0), (0, 0)])
    );
}

#[tokio::test]
async fn violation_story_on_sea_orm() {
    let db = TestDb::new().await;
    violation_story(&SeaOrmViolationRepository::new(db.pool())).await;
    drop(db);
}

/// A violation brought into `status` through allowed moves.
async fn in_status(
    repo: &dyn ViolationRepository,
    line: u32,
    status: ViolationStatus,
) -> RuleViolation {
    let recorded = repo
        .record(violation("matrix", Severity::Info, "matrix.rs", line))
        .await
        .unwrap()
        .violation;
    if status == ViolationStatus::Open {
        return recorded;
    }
    repo.set_status(recorded.id, status).await.unwrap()
}

#[tokio::test]
async fn every_status_move_is_allowed_exactly_as_the_rules_say() {
    use ViolationStatus::{Acknowledged, Ignored, Open, Resolved};
    let allowed = [
        (Open, Acknowledged),
        (Open, Resolved),
        (Open, Ignored),
        (Acknowledged, Resolved),
        (Acknowledged, Ignored),
        (Acknowledged, Open),
        (Resolved, Open),
        (Ignored, Open),
    ];
    let db = TestDb::new().await;
    let repo = SeaOrmViolationRepository::new(db.pool());
    let mut line = 0;
    for &from in ViolationStatus::ALL {
        for &to in ViolationStatus::ALL {
            line += 1;
            let expected = allowed.contains(&(from, to));
            assert_eq!(from.can_become(to), expected, "{from} -> {to}");
            let before = in_status(&repo, line, from).await;
            let moved = repo.set_status(before.id, to).await;
            if expected {
                let after = moved.unwrap();
                assert_eq!(after.status, to);
                assert_eq!(
                    after.resolved_at.is_some(),
                    to == Resolved,
                    "{from} -> {to}"
                );
                assert_eq!(after.detected_at, before.detected_at);
            } else {
                assert_eq!(
                    conflict_kind(moved),
                    ConflictKind::WrongState,
                    "{from} -> {to}"
                );
                assert_eq!(repo.get(before.id).await.unwrap(), before);
            }
        }
    }
    drop(db);
}
