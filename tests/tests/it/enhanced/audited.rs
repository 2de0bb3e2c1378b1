//! Audited legacy repositories (`EnhancedRepositories::audited`): every change through any of
//! the five legacy traits leaves one audit entry with the row's images before and after; reads
//! and refused changes leave none.

use chrono::{TimeDelta, Utc};
use memdb_enhanced_repository::audit::{AuditAction, AuditRepository};
use memdb_enhanced_repository::audited::entities;
use memdb_enhanced_repository::{AuditTrail, EnhancedRepositories};
use memdb_entity::tasks;
use memdb_repository::documents::{DocumentFilter, NewDocument};
use memdb_repository::knowledge::{NewKnowledge, NewRelationship, ScoreUpdate};
use memdb_repository::organizations::{NewOrganization, OrganizationUpdate};
use memdb_repository::personas::{NewPersona, PersonaUpdate};
use memdb_repository::taskmaster::{NewTask, TaskStatus};
use memdb_repository::{Page, RepoError, Repositories};
use memdb_tests::TestDb;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use serde_json::{Value, json};

use super::support::all_entries;

/// One entry as `(action, before, after)`, actor checked.
type Image = (AuditAction, Option<Value>, Option<Value>);

/// A domain value's image, as an entry holds it.
fn image(value: &impl Serialize) -> Option<Value> {
    serde_json::to_value(value).ok()
}

/// The entries of one row, as images, after checking each names `actor`.
async fn history(audit: &dyn AuditRepository, entity: &str, id: impl ToString) -> Vec<Image> {
    audit
        .for_row(entity, &id.to_string(), Page::default())
        .await
        .unwrap()
        .into_iter()
        .map(|e| {
            assert_eq!(e.actor, "alice");
            (e.action, e.before, e.after)
        })
        .collect()
}

async fn organizations_and_documents(repos: &Repositories, audit: &dyn AuditRepository) {
    let org = repos
        .organizations
        .create(NewOrganization {
            name: "Acme".into(),
            slug: "acme".into(),
            metadata: json!({"tier": 1}),
        })
        .await
        .unwrap();
    let renamed = repos
        .organizations
        .update(
            org.id,
            OrganizationUpdate {
                name: Some("Acme Inc".into()),
                metadata: None,
            },
        )
        .await
        .unwrap();
    let doc = repos
        .documents
        .create(NewDocument {
            organization_id: org.id,
            path: "a.md".into(),
            title: "A".into(),
            doc_type: "markdown".into(),
            content: "first".into(),
            metadata: json!({}),
        })
        .await
        .unwrap();
    let edited = repos
        .documents
        .update_content(doc.id, "second".into())
        .await
        .unwrap();
    // Reads go straight through.
    assert_eq!(repos.documents.get(doc.id).await.unwrap(), edited);
    let listed = repos
        .documents
        .list(org.id, DocumentFilter::default(), Page::default())
        .await
        .unwrap();
    assert_eq!(listed, std::slice::from_ref(&edited));
    repos.documents.delete(doc.id).await.unwrap();
    repos.organizations.delete(org.id).await.unwrap();

    assert_eq!(
        history(audit, entities::ORGANIZATION, org.id).await,
        [
            (AuditAction::Create, None, image(&org)),
            (AuditAction::Update, image(&org), image(&renamed)),
            (AuditAction::Delete, image(&renamed), None),
        ]
    );
    assert_eq!(
        history(audit, entities::DOCUMENT, doc.id).await,
        [
            (AuditAction::Create, None, image(&doc)),
            (AuditAction::Update, image(&doc), image(&edited)),
            (AuditAction::Delete, image(&edited), None),
        ]
    );
}

async fn personas(repos: &Repositories, audit: &dyn AuditRepository) {
    let persona = repos
        .personas
        .create(NewPersona {
            name: "Critic".into(),
            description: String::new(),
            system_prompt: "Find the flaws.".into(),
            traits: json!({"tone": "blunt"}),
            is_active: true,
        })
        .await
        .unwrap();
    let update = PersonaUpdate {
        description: Some("Blunt".into()),
        ..PersonaUpdate::default()
    };
    let updated = repos.personas.update(persona.id, update).await.unwrap();
    let paused = repos.personas.set_active(persona.id, false).await.unwrap();
    repos.personas.delete(persona.id).await.unwrap();
    assert_eq!(
        history(audit, entities::PERSONA, persona.id).await,
        [
            (AuditAction::Create, None, image(&persona)),
            (AuditAction::Update, image(&persona), image(&updated)),
            (AuditAction::Update, image(&updated), image(&paused)),
            (AuditAction::Delete, image(&paused), None),
        ]
    );
}

async fn knowledge(repos: &Repositories, audit: &dyn AuditRepository) {
    let fact = |content: &str| NewKnowledge {
        content: content.into(),
        source: "test".into(),
        knowledge_type: "fact".into(),
        confidence_score: 0.5,
        retention_score: 0.5,
        metadata: json!({}),
    };
    let sky = repos.knowledge.add(fact("the sky is blue")).await.unwrap();
    let sea = repos.knowledge.add(fact("the sea is blue")).await.unwrap();
    let scores = ScoreUpdate {
        confidence_score: Some(0.9),
        retention_score: None,
    };
    let sure = repos.knowledge.update_scores(sky.id, scores).await.unwrap();
    // `get` counts an access but is a read: no entry.
    let accessed = repos.knowledge.get(sky.id).await.unwrap();
    assert_eq!(accessed.access_count, 1);
    let edge = repos
        .knowledge
        .relate(NewRelationship {
            source_id: sky.id,
            target_id: sea.id,
            relationship_type: "supports".into(),
            strength: 0.7,
        })
        .await
        .unwrap();
    repos.knowledge.delete(sky.id).await.unwrap();
    assert_eq!(
        history(audit, entities::KNOWLEDGE_ITEM, sky.id).await,
        [
            (AuditAction::Create, None, image(&sky)),
            (AuditAction::Update, image(&sky), image(&sure)),
            (AuditAction::Delete, image(&accessed), None),
        ]
    );
    let key = format!("{}/{}/supports", sky.id, sea.id);
    assert_eq!(
        history(audit, entities::KNOWLEDGE_RELATIONSHIP, key).await,
        [(AuditAction::Create, None, image(&edge))]
    );
}

async fn tasks(repos: &Repositories, audit: &dyn AuditRepository, db: &TestDb) {
    let first = repos.tasks.submit(NewTask::new("first")).await.unwrap();
    let second = repos.tasks.submit(NewTask::new("second")).await.unwrap();
    repos
        .tasks
        .add_dependency(second.id, first.id)
        .await
        .unwrap();
    let claimed = repos.tasks.claim_next("general").await.unwrap();
    assert_eq!(claimed.id, first.id);
    let done = repos
        .tasks
        .complete(first.id, json!({"ok": true}))
        .await
        .unwrap();
    let cancelled = repos.tasks.cancel(second.id).await.unwrap();
    assert_eq!(
        history(audit, entities::TASK, first.id).await,
        [
            (AuditAction::Create, None, image(&first)),
            (AuditAction::Update, None, image(&claimed)),
            (AuditAction::Update, image(&claimed), image(&done)),
        ]
    );
    let second_history = history(audit, entities::TASK, second.id).await;
    assert_eq!(second_history.len(), 2);
    assert_eq!(second_history[1].2, image(&cancelled));
    assert_eq!(
        history(
            audit,
            entities::TASK_DEPENDENCY,
            format!("{}/{}", second.id, first.id)
        )
        .await,
        [(
            AuditAction::Create,
            None,
            Some(json!({"task_id": second.id, "depends_on": first.id}))
        )]
    );

    // A failed attempt, then a timed-out one taken back by the sweep.
    let flaky = repos.tasks.submit(NewTask::new("flaky")).await.unwrap();
    let running = repos.tasks.claim_next("general").await.unwrap();
    let failed = repos.tasks.fail(flaky.id, "boom").await.unwrap();
    assert_eq!(failed.status, TaskStatus::Pending);
    repos.tasks.claim_next("general").await.unwrap();
    tasks::Entity::update_many()
        .col_expr(
            tasks::Column::LeaseExpiresAt,
            Expr::val((Utc::now() - TimeDelta::seconds(5)).fixed_offset()),
        )
        .filter(tasks::Column::Id.eq(flaky.id.as_uuid()))
        .exec(db.conn())
        .await
        .unwrap();
    assert_eq!(repos.tasks.requeue_timed_out().await.unwrap(), [flaky.id]);
    let requeued = repos.tasks.get(flaky.id).await.unwrap();
    let flaky_history = history(audit, entities::TASK, flaky.id).await;
    assert_eq!(flaky_history.len(), 5);
    assert_eq!(
        flaky_history[2],
        (AuditAction::Update, image(&running), image(&failed))
    );
    assert_eq!(
        flaky_history[4],
        (AuditAction::Update, None, image(&requeued))
    );
}

#[tokio::test]
async fn every_change_through_an_audited_set_leaves_its_images() {
    let db = TestDb::new().await;
    let plain = EnhancedRepositories::from_connection(db.pool());
    let repos = plain.audited("  alice ").unwrap();
    assert_eq!(repos.audit_trail().map(AuditTrail::actor), Some("alice"));
    let audit = plain.audit.as_ref();
    organizations_and_documents(&repos.legacy, audit).await;
    personas(&repos.legacy, audit).await;
    knowledge(&repos.legacy, audit).await;
    tasks(&repos.legacy, audit, &db).await;
    // One entry per change, nothing for the reads: 6 + 4 + 5 + 6 + 5.
    assert_eq!(all_entries(audit).await.len(), 26);
}

#[tokio::test]
async fn refused_changes_and_reads_leave_no_entry() {
    let db = TestDb::new().await;
    let plain = EnhancedRepositories::from_connection(db.pool());
    let repos = plain.audited("alice").unwrap().legacy;
    let input = NewOrganization {
        name: "Acme".into(),
        slug: "acme".into(),
        metadata: json!({}),
    };
    let org = repos.organizations.create(input.clone()).await.unwrap();
    // A duplicate, a bad input, an unknown id: each refused as without auditing.
    let duplicate = repos.organizations.create(input).await;
    assert_eq!(
        duplicate.unwrap_err().conflict_kind(),
        Some(memdb_repository::ConflictKind::Duplicate)
    );
    let bad = OrganizationUpdate {
        name: Some(" ".into()),
        metadata: None,
    };
    assert!(matches!(
        repos.organizations.update(org.id, bad).await,
        Err(RepoError::Validation { field: "name", .. })
    ));
    let unknown = memdb_repository::OrganizationId::new();
    assert!(matches!(
        repos.organizations.delete(unknown).await,
        Err(RepoError::NotFound {
            entity: "organization",
            ..
        })
    ));
    assert!(matches!(
        repos.tasks.claim_next("general").await,
        Err(RepoError::QueueEmpty { .. })
    ));
    repos.organizations.get(org.id).await.unwrap();
    repos.organizations.get_by_slug("acme").await.unwrap();
    repos.organizations.list(Page::default()).await.unwrap();
    let entries = all_entries(plain.audit.as_ref()).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].action, AuditAction::Create);
    // Actors are checked before anything is changed on their behalf.
    assert!(matches!(
        plain.audited(&"a".repeat(201)),
        Err(RepoError::Validation { field: "actor", .. })
    ));
}
