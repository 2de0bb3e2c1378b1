//! `append_many`: a batch of audit entries checked entry by entry before anything is written,
//! then written in multi-row inserts, all of them or none; and audited bulk calls hand their
//! whole batch of entries to the sink in that one call.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use memdb_enhanced_entity::audit_log;
use memdb_enhanced_repository::audit::{
    AuditAction, AuditEntry, AuditRepository, NewAuditEntry, SeaOrmAuditRepository,
};
use memdb_enhanced_repository::audited::{AuditTrail, entities};
use memdb_enhanced_repository::{EnhancedRepositories, RepoResult, SharedTransaction, TimeWindow};
use memdb_repository::bulk::MAX_ROWS_PER_INSERT;
use memdb_repository::knowledge::NewKnowledge;
use memdb_repository::{Page, RepoError};
use memdb_tests::TestDb;
use serde_json::json;

use super::support::{all_entries, poison_rows};
use crate::bulk::{count, document};
use crate::fixtures::acme;

fn created(entity_id: &str) -> NewAuditEntry {
    NewAuditEntry {
        actor: "loader".into(),
        action: AuditAction::Create,
        entity: "widget".into(),
        entity_id: entity_id.into(),
        before: None,
        after: Some(json!({ "id": entity_id })),
    }
}

/// How often each of the sink's writing calls ran.
#[derive(Default)]
struct Calls {
    append: AtomicUsize,
    append_many: AtomicUsize,
    entries: AtomicUsize,
}

/// The audit log on the change's transaction, counting the calls that reach it.
struct CountingSink {
    inner: SeaOrmAuditRepository<SharedTransaction>,
    calls: Arc<Calls>,
}

#[async_trait]
impl AuditRepository for CountingSink {
    async fn append(&self, entry: NewAuditEntry) -> RepoResult<AuditEntry> {
        self.calls.append.fetch_add(1, Ordering::SeqCst);
        self.calls.entries.fetch_add(1, Ordering::SeqCst);
        self.inner.append(entry).await
    }

    async fn append_many(&self, entries: Vec<NewAuditEntry>) -> RepoResult<Vec<AuditEntry>> {
        self.calls.append_many.fetch_add(1, Ordering::SeqCst);
        self.calls
            .entries
            .fetch_add(entries.len(), Ordering::SeqCst);
        self.inner.append_many(entries).await
    }

    async fn for_row(&self, entity: &str, id: &str, page: Page) -> RepoResult<Vec<AuditEntry>> {
        self.inner.for_row(entity, id, page).await
    }

    async fn for_entity(&self, entity: &str, page: Page) -> RepoResult<Vec<AuditEntry>> {
        self.inner.for_entity(entity, page).await
    }

    async fn by_actor(&self, actor: &str, page: Page) -> RepoResult<Vec<AuditEntry>> {
        self.inner.by_actor(actor, page).await
    }

    async fn in_window(&self, window: TimeWindow, page: Page) -> RepoResult<Vec<AuditEntry>> {
        self.inner.in_window(window, page).await
    }
}

fn counting_trail(calls: &Arc<Calls>) -> AuditTrail {
    let calls = calls.clone();
    AuditTrail::new("loader").unwrap().with_sink(move |tx| {
        Arc::new(CountingSink {
            inner: SeaOrmAuditRepository::new(tx),
            calls: calls.clone(),
        }) as Arc<dyn AuditRepository>
    })
}

#[tokio::test]
async fn an_audited_batch_reaches_the_audit_log_in_one_call() {
    let db = TestDb::new().await;
    let plain = EnhancedRepositories::from_connection(db.pool());
    let org = acme(plain.legacy.organizations.as_ref()).await;
    let calls = Arc::new(Calls::default());
    let repos = plain.audited_by(counting_trail(&calls)).legacy;

    let docs = repos
        .documents
        .create_many((0..1_500).map(|i| document(org.id, i)).collect())
        .await
        .unwrap();
    let items = repos
        .knowledge
        .add_many(
            (0..40)
                .map(|i| NewKnowledge {
                    content: format!("fact {i}"),
                    source: "audited".into(),
                    knowledge_type: "fact".into(),
                    confidence_score: 0.5,
                    retention_score: 0.5,
                    metadata: json!({}),
                })
                .collect(),
        )
        .await
        .unwrap();
    assert_eq!(calls.append_many.load(Ordering::SeqCst), 2);
    assert_eq!(calls.append.load(Ordering::SeqCst), 0);
    assert_eq!(calls.entries.load(Ordering::SeqCst), 1_540);
    assert_eq!(count::<audit_log::Entity>(db.conn()).await, 1_540);
    for doc in [&docs[0], &docs[999], &docs[1_000], &docs[1_499]] {
        let found = plain
            .audit
            .for_row(entities::DOCUMENT, &doc.id.to_string(), Page::default())
            .await
            .unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].after, Some(serde_json::to_value(doc).unwrap()));
    }
    let found = plain
        .audit
        .for_row(
            entities::KNOWLEDGE_ITEM,
            &items[39].id.to_string(),
            Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(found.len(), 1);

    // A single change still goes through `append`.
    repos
        .documents
        .update_content(docs[0].id, "changed".into())
        .await
        .unwrap();
    assert_eq!(calls.append.load(Ordering::SeqCst), 1);
    assert_eq!(calls.append_many.load(Ordering::SeqCst), 2);
}

/// Makes one entry of a batch invalid.
type Spoil = fn(&mut NewAuditEntry);

#[tokio::test]
async fn append_many_checks_every_entry_before_writing_any() {
    let db = TestDb::new().await;
    let audit = SeaOrmAuditRepository::new(db.pool());
    let batch = |bad: usize, spoil: Spoil| {
        let mut entries: Vec<_> = (0..20).map(|i| created(&format!("w{i}"))).collect();
        spoil(&mut entries[bad]);
        entries
    };
    let cases: [(usize, Spoil, &str); 5] = [
        (0, |e| e.actor = "  ".into(), "actor"),
        (7, |e| e.entity = "Not A Label".into(), "entity"),
        (13, |e| e.entity_id = String::new(), "entity_id"),
        (18, |e| e.before = Some(json!({})), "before"),
        (19, |e| e.after = None, "after"),
    ];
    for (bad, spoil, field) in cases {
        match audit.append_many(batch(bad, spoil)).await {
            Err(RepoError::Validation { field: f, reason }) => {
                assert_eq!(f, field);
                assert!(reason.starts_with(&format!("input {bad}: ")), "{reason}");
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }
    assert_eq!(count::<audit_log::Entity>(db.conn()).await, 0);
    assert!(audit.append_many(Vec::new()).await.unwrap().is_empty());
    assert_eq!(count::<audit_log::Entity>(db.conn()).await, 0);
}

#[tokio::test]
async fn append_many_writes_all_entries_or_none() {
    let db = TestDb::new().await;
    let audit = SeaOrmAuditRepository::new(db.pool());
    poison_rows(&db, "audit_log", "entity_id").await;
    // The poisoned entry is in the third insert: two have gone through when it fails.
    let mut entries: Vec<_> = (0..MAX_ROWS_PER_INSERT * 2)
        .map(|i| created(&format!("w{i}")))
        .collect();
    entries.push(created("poison"));
    let outcome = audit.append_many(entries).await;
    assert!(matches!(outcome, Err(RepoError::Db(_))), "{outcome:?}");
    assert_eq!(count::<audit_log::Entity>(db.conn()).await, 0);

    let entries: Vec<_> = (0..MAX_ROWS_PER_INSERT + 5)
        .map(|i| created(&format!("w{i}")))
        .collect();
    let appended = audit.append_many(entries.clone()).await.unwrap();
    assert_eq!(appended.len(), entries.len());
    assert_eq!(
        count::<audit_log::Entity>(db.conn()).await,
        entries.len() as u64
    );
    // The first page of the log (oldest first) is the batch's start, as returned.
    let stored = all_entries(&audit).await;
    assert_eq!(
        stored[..],
        appended[..stored.len()],
        "stored as returned, in batch order"
    );
    for (entry, input) in stored.iter().zip(&entries) {
        assert_eq!(
            (entry.entity_id.as_str(), &entry.after, entry.actor.as_str()),
            (input.entity_id.as_str(), &input.after, "loader")
        );
    }
}
