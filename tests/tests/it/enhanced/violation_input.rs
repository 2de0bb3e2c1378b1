//! Bad input to the violation repository: each refused with a `Validation` naming the field,
//! with nothing written; the limits at their edges in multi-byte characters.

use std::num::NonZeroU32;

use memdb_enhanced_repository::limits;
use memdb_enhanced_repository::violations::{NewViolation, Severity, ViolationFilter};
use memdb_enhanced_repository::{SeaOrmViolationRepository, ViolationRepository};
use memdb_repository::Page;
use memdb_tests::TestDb;

use super::outcomes::invalid_field;
use super::tag_input::multibyte;
use super::violations::violation;

#[tokio::test]
async fn bad_violations_are_refused_by_field() {
    let db = TestDb::new().await;
    let repo = SeaOrmViolationRepository::new(db.pool());
    let with = |change: &dyn Fn(&mut NewViolation)| {
        let mut input = violation("rule", Severity::Info, "file.rs", 1);
        change(&mut input);
        input
    };
    let bad: Vec<(NewViolation, &str)> = vec![
        (with(&|v| v.rule = String::new()), "rule"),
        (with(&|v| v.rule = " ".into()), "rule"),
        (with(&|v| v.rule = "r\0".into()), "rule"),
        (
            with(&|v| v.rule = multibyte(limits::VIOLATION_RULE + 1)),
            "rule",
        ),
        (with(&|v| v.path = String::new()), "path"),
        (with(&|v| v.path = "a\0.rs".into()), "path"),
        (with(&|v| v.path = multibyte(limits::FILE_PATH + 1)), "path"),
        (with(&|v| v.message = "\n\t ".into()), "message"),
        (with(&|v| v.message = "\0".into()), "message"),
        (
            with(&|v| v.message = multibyte(limits::VIOLATION_MESSAGE + 1)),
            "message",
        ),
        (with(&|v| v.line = NonZeroU32::new(1 << 31)), "line"),
        (with(&|v| v.line = Some(NonZeroU32::MAX)), "line"),
    ];
    for (input, field) in bad {
        let shown = format!("{:?}", (&input.rule, &input.path, input.line));
        assert_eq!(invalid_field(repo.record(input).await), field, "{shown}");
    }
    let page = Page::default();
    assert!(
        repo.list(ViolationFilter::default(), page)
            .await
            .unwrap()
            .is_empty()
    );
    let nul_path = ViolationFilter {
        path: Some("\0".into()),
        ..ViolationFilter::default()
    };
    assert_eq!(invalid_field(repo.list(nul_path, page).await), "path");
    assert_eq!(invalid_field(repo.resolve_path("x\0").await), "path");

    // At the limits.
    let longest = NewViolation {
        rule: multibyte(limits::VIOLATION_RULE),
        severity: Severity::Critical,
        path: "é".repeat(limits::FILE_PATH), /* also FILE_PATH_BYTES bytes */
        line: NonZeroU32::new(i32::MAX.unsigned_abs()),
        message: multibyte(limits::VIOLATION_MESSAGE),
    };
    let stored = repo.record(longest.clone()).await.unwrap().violation;
    assert_eq!(
        (stored.rule, stored.path, stored.line, stored.message),
        (longest.rule, longest.path, longest.line, longest.message)
    );
    drop(db);
}
