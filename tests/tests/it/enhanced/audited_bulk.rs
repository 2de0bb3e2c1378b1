//! Bulk writes through an audited set: one `create` entry per created row, in the batch's
//! transaction, and none when the batch is refused.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use memdb_enhanced_entity::audit_log;
use memdb_enhanced_repository::audit::{AuditAction, AuditRepository, SeaOrmAuditRepository};
use memdb_enhanced_repository::audited::{AuditTrail, entities};
use memdb_enhanced_repository::{EnhancedRepositories, MockAuditRepository};
use memdb_entity::documents;
use memdb_repository::knowledge::{NewKnowledge, NewRelationship};
use memdb_repository::taskmaster::{BulkTask, NewTask};
use memdb_repository::{Page, RepoError};
use memdb_tests::TestDb;
use sea_orm::DbErr;
use serde_json::json;

use crate::bulk::{count, document};
use crate::fixtures::acme;

fn item(i: usize) -> NewKnowledge {
    NewKnowledge {
        content: format!("fact {i}"),
        source: "audited".into(),
        knowledge_type: "fact".into(),
        confidence_score: 0.5,
        retention_score: 0.5,
        metadata: json!({}),
    }
}

#[tokio::test]
async fn every_row_of_an_audited_batch_gets_its_entry() {
    let db = TestDb::new().await;
    let plain = EnhancedRepositories::from_connection(db.pool());
    let repos = plain.audited("loader").unwrap().legacy;
    let audit = plain.audit.as_ref();
    let org = acme(plain.legacy.organizations.as_ref()).await;

    let docs = repos
        .documents
        .create_many((0..30).map(|i| document(org.id, i)).collect())
        .await
        .unwrap();
    let items = repos
        .knowledge
        .add_many((0..20).map(item).collect())
        .await
        .unwrap();
    let edges = repos
        .knowledge
        .relate_many(
            items
                .windows(2)
                .map(|w| NewRelationship {
                    source_id: w[0].id,
                    target_id: w[1].id,
                    relationship_type: "next".into(),
                    strength: 1.0,
                })
                .collect(),
        )
        .await
        .unwrap();
    let tasks = repos
        .tasks
        .submit_many(vec![
            NewTask::new("first").into(),
            BulkTask {
                depends_on_batch: vec![0],
                ..NewTask::new("second").into()
            },
        ])
        .await
        .unwrap();
    assert_eq!(
        count::<audit_log::Entity>(db.conn()).await,
        30 + 20 + 19 + 2
    );

    let entry = |entity: &'static str, id: String| async move {
        let mut found = audit.for_row(entity, &id, Page::default()).await.unwrap();
        assert_eq!(found.len(), 1, "{entity} {id}");
        found.remove(0)
    };
    for doc in [&docs[0], &docs[17], &docs[29]] {
        let e = entry(entities::DOCUMENT, doc.id.to_string()).await;
        assert_eq!(
            (e.action, e.actor.as_str()),
            (AuditAction::Create, "loader")
        );
        assert_eq!(
            (e.before, e.after),
            (None, Some(serde_json::to_value(doc).unwrap()))
        );
    }
    let e = entry(entities::KNOWLEDGE_ITEM, items[7].id.to_string()).await;
    assert_eq!(e.after, Some(serde_json::to_value(&items[7]).unwrap()));
    let key = format!("{}/{}/next", edges[3].source_id, edges[3].target_id);
    let e = entry(entities::KNOWLEDGE_RELATIONSHIP, key).await;
    assert_eq!(e.after, Some(serde_json::to_value(&edges[3]).unwrap()));
    let e = entry(entities::TASK, tasks[1].id.to_string()).await;
    assert_eq!(e.after, Some(serde_json::to_value(&tasks[1]).unwrap()));

    // A refused batch leaves neither rows nor entries.
    let mut refused: Vec<_> = (100..140).map(|i| document(org.id, i)).collect();
    refused[39].path.clone_from(&docs[0].path);
    assert!(matches!(
        repos.documents.create_many(refused).await,
        Err(RepoError::Conflict { .. })
    ));
    assert_eq!(count::<documents::Entity>(db.conn()).await, 30);
    assert_eq!(count::<audit_log::Entity>(db.conn()).await, 71);
}

/// A trail that writes `good` batches to the audit log, then refuses every other one.
fn trail_failing_after(good: usize) -> AuditTrail {
    let appended = Arc::new(AtomicUsize::new(0));
    AuditTrail::new("loader").unwrap().with_sink(move |tx| {
        if appended.fetch_add(1, Ordering::SeqCst) < good {
            return Arc::new(SeaOrmAuditRepository::new(tx)) as Arc<dyn AuditRepository>;
        }
        let mut sink = MockAuditRepository::new();
        sink.expect_append_many()
            .returning(|_| Err(RepoError::Db(DbErr::Custom("audit store down".into()))));
        Arc::new(sink)
    })
}

#[tokio::test]
async fn an_audit_entry_that_cannot_be_written_rolls_the_batch_back() {
    let db = TestDb::new().await;
    let plain = EnhancedRepositories::from_connection(db.pool());
    let org = acme(plain.legacy.organizations.as_ref()).await;
    let repos = plain.audited_by(trail_failing_after(1)).legacy;
    let inputs: Vec<_> = (0..10).map(|i| document(org.id, i)).collect();
    let kept = repos.documents.create_many(inputs).await.unwrap();
    let inputs: Vec<_> = (10..20).map(|i| document(org.id, i)).collect();
    let result = repos.documents.create_many(inputs).await;
    assert!(
        matches!(&result, Err(RepoError::Db(DbErr::Custom(m))) if m == "audit store down"),
        "{result:?}"
    );
    assert_eq!(
        count::<documents::Entity>(db.conn()).await,
        kept.len() as u64
    );
    assert_eq!(
        count::<audit_log::Entity>(db.conn()).await,
        kept.len() as u64
    );
}
