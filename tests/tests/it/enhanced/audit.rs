//! The audit log's story, run against the SeaORM implementation on a real database: appending,
//! the three listings with their order and pages, and what `append` refuses.

use chrono::{TimeDelta, Utc};
use memdb_enhanced_repository::audit::{AuditAction, AuditEntry, AuditRepository, NewAuditEntry};
use memdb_enhanced_repository::limits::{AUDIT_ACTOR, AUDIT_ENTITY_ID};
use memdb_enhanced_repository::{
    MockAuditRepository, Page, RepoError, RepoResult, SeaOrmAuditRepository, TimeWindow,
};
use memdb_tests::TestDb;
use memdb_tests::checks::assert_check_allows_exactly;
use serde_json::json;

use super::support::{all_entries, invalid_field, nested_object};

fn entry(actor: &str, action: AuditAction, entity: &str, id: &str) -> NewAuditEntry {
    let (before, after) = match action {
        AuditAction::Create => (None, Some(json!({"v": 1}))),
        AuditAction::Update => (Some(json!({"v": 1})), Some(json!({"v": 2}))),
        AuditAction::Delete => (Some(json!({"v": 2})), None),
    };
    NewAuditEntry {
        actor: actor.into(),
        action,
        entity: entity.into(),
        entity_id: id.into(),
        before,
        after,
    }
}

fn ids(entries: &[AuditEntry]) -> Vec<String> {
    entries
        .iter()
        .map(|e| format!("{}:{}:{}", e.entity_id, e.action, e.actor))
        .collect()
}

/// What a caller does with the audit log, written against the trait.
async fn audit_story(audit: &dyn AuditRepository) {
    // A row's life: created, changed, deleted; another row and another kind in between.
    let mut written = Vec::new();
    for (actor, action, entity, id) in [
        ("alice", AuditAction::Create, "widget", "w1"),
        ("bob", AuditAction::Create, "widget", "w0"),
        ("  alice ", AuditAction::Update, "widget", "w1"),
        ("bob", AuditAction::Create, "gadget", "w1"),
        ("alice", AuditAction::Delete, "widget", "w1"),
    ] {
        written.push(
            audit
                .append(entry(actor, action, entity, id))
                .await
                .unwrap(),
        );
    }
    let first = &written[0];
    assert_eq!(
        (first.actor.as_str(), first.action, first.entity.as_str()),
        ("alice", AuditAction::Create, "widget")
    );
    assert_eq!(
        (first.before.clone(), first.after.clone()),
        (None, Some(json!({"v": 1})))
    );
    assert!(first.at <= Utc::now() && first.at > Utc::now() - TimeDelta::minutes(1));
    assert_eq!(written[2].actor, "alice", "stored trimmed");
    assert_eq!(written[4].after, None);

    // One row's history, oldest first; pages never overlap.
    let page = Page::default();
    let history = audit.for_row("widget", "w1", page).await.unwrap();
    assert_eq!(
        ids(&history),
        ["w1:create:alice", "w1:update:alice", "w1:delete:alice"]
    );
    assert_eq!(history[0], written[0]);
    let second = audit
        .for_row("widget", "w1", Page::new(1, 1).unwrap())
        .await
        .unwrap();
    assert_eq!(second, [history[1].clone()]);
    assert!(
        audit
            .for_row("widget", "w9", page)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(audit.for_row("gizmo", "w1", page).await.unwrap().is_empty());

    // A kind's entries row by row, oldest first within each row.
    let widgets = audit.for_entity("widget", page).await.unwrap();
    assert_eq!(
        ids(&widgets),
        [
            "w0:create:bob",
            "w1:create:alice",
            "w1:update:alice",
            "w1:delete:alice"
        ]
    );
    let gadgets = audit.for_entity("gadget", page).await.unwrap();
    assert_eq!(ids(&gadgets), ["w1:create:bob"]);

    // One actor's doings, compared as stored (trimmed, NFC).
    let by_bob = audit.by_actor(" bob", page).await.unwrap();
    assert_eq!(ids(&by_bob), ["w0:create:bob", "w1:create:bob"]);
    assert_eq!(audit.by_actor("alice", page).await.unwrap().len(), 3);
    assert!(audit.by_actor("carol", page).await.unwrap().is_empty());
    let accented = audit
        .append(entry("Ame\u{301}lie", AuditAction::Create, "widget", "w2"))
        .await
        .unwrap();
    assert_eq!(accented.actor, "Am\u{e9}lie");
    assert_eq!(
        audit.by_actor("Am\u{e9}lie", page).await.unwrap(),
        std::slice::from_ref(&accented)
    );

    // A time window: everything so far, oldest first; an earlier window holds nothing.
    let everything = all_entries(audit).await;
    assert_eq!(everything.len(), 6);
    assert_eq!(everything[..5], written[..]);
    let (start, end) = (written[0].at, accented.at);
    let exact = TimeWindow::new(start, end).unwrap();
    let within = audit.in_window(exact, page).await.unwrap();
    assert_eq!(within.first(), Some(&written[0]), "the start is inside");
    assert!(!within.contains(&accented), "the end is outside");
    let earlier = TimeWindow::new(start - TimeDelta::hours(2), start - TimeDelta::hours(1));
    assert!(
        audit
            .in_window(earlier.unwrap(), page)
            .await
            .unwrap()
            .is_empty()
    );
    let tail = audit
        .in_window(exact, Page::new(2, 4).unwrap())
        .await
        .unwrap();
    assert_eq!(tail, within[4..]);
}

#[tokio::test]
async fn audit_story_on_sea_orm() {
    let db = TestDb::new().await;
    audit_story(&SeaOrmAuditRepository::new(db.pool())).await;
}

#[tokio::test]
async fn append_refuses_bad_entries_and_writes_nothing() {
    let db = TestDb::new().await;
    let audit = SeaOrmAuditRepository::new(db.pool());
    let ok = || entry("alice", AuditAction::Update, "widget", "w1");
    let with = |change: fn(&mut NewAuditEntry)| {
        let mut input = ok();
        change(&mut input);
        input
    };
    let cases: Vec<(NewAuditEntry, &str)> = vec![
        (with(|e| e.actor = "   ".into()), "actor"),
        (with(|e| e.actor = "\u{200B}".into()), "actor"),
        (with(|e| e.actor = "a".repeat(AUDIT_ACTOR + 1)), "actor"),
        (with(|e| e.actor = "a\0b".into()), "actor"),
        (with(|e| e.entity = "Widget".into()), "entity"),
        (with(|e| e.entity = String::new()), "entity"),
        (with(|e| e.entity_id = " ".into()), "entity_id"),
        (
            with(|e| e.entity_id = "i".repeat(AUDIT_ENTITY_ID + 1)),
            "entity_id",
        ),
        (with(|e| e.entity_id = "w\0".into()), "entity_id"),
        // Images that do not fit the action.
        (with(|e| e.after = None), "after"),
        (
            with(|e| (e.action, e.before) = (AuditAction::Create, Some(json!({})))),
            "before",
        ),
        (with(|e| e.action = AuditAction::Delete), "after"),
        (
            with(|e| (e.action, e.before, e.after) = (AuditAction::Delete, None, None)),
            "before",
        ),
        // Images that could not be stored or read back.
        (with(|e| e.after = Some(json!({"k": "nul \u{0}"}))), "after"),
        (with(|e| e.before = Some(nested_object(128))), "before"),
        // A value deeper than any parser allows beside a bad field: rejected, not overflowing.
        (
            with(|e| (e.actor, e.after) = (String::new(), Some(nested_object(100_000)))),
            "after",
        ),
    ];
    for (case, (input, field)) in cases.into_iter().enumerate() {
        assert_eq!(
            invalid_field(audit.append(input).await),
            field,
            "case {case}"
        );
    }
    assert!(all_entries(&audit).await.is_empty());

    // At the limits, everything is stored.
    let mut edge = ok();
    edge.actor = "\u{e9}".repeat(AUDIT_ACTOR);
    edge.entity_id = "\u{1D11E}".repeat(AUDIT_ENTITY_ID);
    edge.entity = "e".repeat(64);
    edge.before = Some(nested_object(127));
    let stored = audit.append(edge.clone()).await.unwrap();
    assert_eq!(stored.actor, edge.actor);
    assert_eq!(stored.entity_id, edge.entity_id);
    assert_eq!(stored.before, edge.before);

    // Listings refuse what no entry can hold.
    let page = Page::default();
    assert_eq!(
        invalid_field(audit.for_entity("Bad Label", page).await),
        "entity"
    );
    assert_eq!(
        invalid_field(audit.for_row("widget", "", page).await),
        "entity_id"
    );
    assert_eq!(invalid_field(audit.by_actor(" ", page).await), "actor");
}

#[tokio::test]
async fn every_audit_action_passes_the_check_constraint() {
    let db = TestDb::new().await;
    let audit = SeaOrmAuditRepository::new(db.pool());
    let stored = audit
        .append(entry("alice", AuditAction::Update, "widget", "w1"))
        .await
        .unwrap();
    assert_check_allows_exactly(
        db.conn(),
        ("audit_log", "action"),
        ("id", stored.id.as_uuid().into()),
        AuditAction::VALUES,
    )
    .await;
}

/// A caller: who has touched a row, each actor once, in order of first appearance.
async fn who_touched(
    audit: &dyn AuditRepository,
    entity: &str,
    id: &str,
) -> RepoResult<Vec<String>> {
    let mut actors: Vec<String> = Vec::new();
    for entry in audit.for_row(entity, id, Page::default()).await? {
        if !actors.contains(&entry.actor) {
            actors.push(entry.actor);
        }
    }
    Ok(actors)
}

#[tokio::test]
async fn a_caller_of_the_audit_log_runs_on_a_mock() {
    let mut audit = MockAuditRepository::new();
    let row = |actor: &str| AuditEntry {
        id: memdb_enhanced_repository::AuditEntryId::new(),
        actor: actor.into(),
        action: AuditAction::Update,
        entity: "widget".into(),
        entity_id: "w1".into(),
        before: Some(json!({})),
        after: Some(json!({})),
        at: Utc::now(),
    };
    let rows = vec![row("alice"), row("bob"), row("alice")];
    audit
        .expect_for_row()
        .withf(|entity, id, page| (entity, id, *page) == ("widget", "w1", Page::default()))
        .times(1)
        .return_once(move |_, _, _| Ok(rows));
    audit
        .expect_for_row()
        .withf(|_, id, _| id == "gone")
        .return_once(|_, _, _| Err(RepoError::invalid("entity_id", "test")));
    assert_eq!(
        who_touched(&audit, "widget", "w1").await.unwrap(),
        ["alice", "bob"]
    );
    assert!(who_touched(&audit, "widget", "gone").await.is_err());
}
