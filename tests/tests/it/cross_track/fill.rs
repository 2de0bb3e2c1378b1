//! Rows for the cross-track tests: written through the legacy repositories into every legacy
//! table (as a legacy build would), and into every enhanced table through the enhanced
//! repositories.

use memdb_enhanced_migration::ENHANCED_TABLES;
use memdb_enhanced_repository::EnhancedRepositories;
use memdb_enhanced_repository::SeaOrmDocumentIndexRepository;
use memdb_enhanced_repository::SeaOrmMemoryRepository;
use memdb_enhanced_repository::document_index::DocumentIndexRepository;
use memdb_enhanced_repository::health_metrics::NewHealthMetric;
use memdb_enhanced_repository::memory::{MemoryRepository, MemoryType, PutMemory};
use memdb_enhanced_repository::tags::TagSource;
use memdb_enhanced_repository::violations::Severity;
use memdb_migration::LEGACY_TABLES;
use memdb_migration::inspect::row_counts;
use memdb_repository::documents::{Document, NewDocument};
use memdb_repository::knowledge::{KnowledgeItem, NewKnowledge, NewRelationship, ScoreUpdate};
use memdb_repository::organizations::{NewOrganization, Organization};
use memdb_repository::personas::{NewPersona, Persona};
use memdb_repository::taskmaster::{NewTask, Task};
use memdb_repository::{Page, Repositories};
use sea_orm::DatabaseConnection;
use serde_json::json;

/// What [`fill_legacy`] wrote, as the repositories returned it.
pub(super) struct Legacy {
    pub(super) organization: Organization,
    pub(super) document: Document,
    pub(super) items: [KnowledgeItem; 2],
    pub(super) tasks: [Task; 2],
    pub(super) persona: Persona,
}

/// Writes rows into every legacy table through the legacy repositories, with the values that
/// are easiest to mangle (non-ASCII and combining text, nested JSON, reals that need every
/// digit, nulls and timestamps), and checks that no legacy table stayed empty.
pub(super) async fn fill_legacy(repos: &Repositories) -> Legacy {
    let organization = repos
        .organizations
        .create(NewOrganization {
            name: "Café Zürich".into(),
            slug: "cafe".into(),
            metadata: json!({"tier": 2, "tags": ["a", "b"], "nested": {"x": null}}),
        })
        .await
        .expect("create an organization");
    let document = repos
        .documents
        .create(NewDocument {
            organization_id: organization.id,
            path: "notes/re\u{301}sume\u{301}.md".into(),
            title: "Résumé".into(),
            doc_type: "note".into(),
            content: "line one\nline two — ✓".into(),
            metadata: json!({"size": 1.5e300, "tiny": 5e-324}),
        })
        .await
        .expect("create a document");
    let mut items = Vec::new();
    for (content, score) in [("water boils at 100 °C", 0.1), ("ice melts at 0 °C", 0.3)] {
        let item = repos
            .knowledge
            .add(NewKnowledge {
                content: content.into(),
                source: "physics".into(),
                knowledge_type: "fact".into(),
                confidence_score: score,
                retention_score: 1.0 / 3.0,
                metadata: json!({"lang": "en"}),
            })
            .await
            .expect("add knowledge");
        items.push(item);
    }
    repos
        .knowledge
        .update_scores(
            items[0].id,
            ScoreUpdate {
                confidence_score: Some(0.1 + 0.2),
                retention_score: None,
            },
        )
        .await
        .expect("update scores");
    // A read that counts: access_count and last_accessed change.
    items[1] = repos
        .knowledge
        .get(items[1].id)
        .await
        .expect("read knowledge");
    repos
        .knowledge
        .relate(NewRelationship {
            source_id: items[0].id,
            target_id: items[1].id,
            relationship_type: "related_to".into(),
            strength: 0.7,
        })
        .await
        .expect("relate");
    let first = repos
        .tasks
        .submit(NewTask::new("collect the sources"))
        .await
        .expect("submit");
    let second = repos
        .tasks
        .submit(NewTask {
            depends_on: vec![first.id],
            parent_task_id: Some(first.id),
            created_by: Some("operator".into()),
            ..NewTask::new("summarise them")
        })
        .await
        .expect("submit a dependent task");
    let claimed = repos.tasks.claim_next("general").await.expect("claim");
    let first = repos
        .tasks
        .complete(claimed.id, json!({"sources": [1, 2, 3]}))
        .await
        .expect("complete");
    let persona = repos
        .personas
        .create(NewPersona {
            name: "Reviewer".into(),
            description: "reads carefully".into(),
            system_prompt: "You review.".into(),
            traits: json!({"tone": "dry"}),
            is_active: false,
        })
        .await
        .expect("create a persona");

    let counts = row_counts(repos.connection(), &LEGACY_TABLES)
        .await
        .expect("count rows");
    for table in &counts {
        assert!(
            table.rows.is_some_and(|n| n > 0),
            "fill_legacy writes no row into {}: extend it",
            table.name
        );
    }
    Legacy {
        organization,
        document,
        items: items.try_into().expect("two items"),
        tasks: [first, second],
        persona,
    }
}

/// Reads back what [`fill_legacy`] wrote (whole values, so nothing changed under the
/// repositories) and writes more through every legacy repository.
pub(super) async fn use_legacy(repos: &Repositories, filled: &Legacy) {
    let organization = repos
        .organizations
        .get(filled.organization.id)
        .await
        .expect("read the organization");
    assert_eq!(organization, filled.organization);
    let document = repos
        .documents
        .get(filled.document.id)
        .await
        .expect("read the document");
    assert_eq!(document, filled.document);
    let persona = repos
        .personas
        .get_by_name("Reviewer")
        .await
        .expect("read the persona");
    assert_eq!(persona, filled.persona);
    let task = repos
        .tasks
        .get(filled.tasks[0].id)
        .await
        .expect("read a task");
    assert_eq!(task, filled.tasks[0]);
    let dependencies = repos
        .tasks
        .dependencies(filled.tasks[1].id, Page::default())
        .await
        .expect("read dependencies");
    assert_eq!(dependencies, [filled.tasks[0].id]);
    let item = repos
        .knowledge
        .peek(filled.items[1].id)
        .await
        .expect("read knowledge");
    assert_eq!(item, filled.items[1]);

    let other = repos
        .organizations
        .create(NewOrganization {
            name: "Other".into(),
            slug: "other".into(),
            metadata: json!({}),
        })
        .await
        .expect("create another organization");
    repos
        .documents
        .create(NewDocument {
            organization_id: other.id,
            path: "readme.md".into(),
            title: "Readme".into(),
            doc_type: "note".into(),
            content: String::new(),
            metadata: json!({}),
        })
        .await
        .expect("create another document");
    let claimed = repos.tasks.claim_next("general").await.expect("claim");
    assert_eq!(claimed.id, filled.tasks[1].id, "its dependency completed");
    repos
        .personas
        .set_active(filled.persona.id, true)
        .await
        .expect("activate the persona");
    repos
        .knowledge
        .delete(filled.items[0].id)
        .await
        .expect("delete knowledge");
}

/// Writes rows into every enhanced table through the enhanced repositories (audited legacy
/// writes included), and checks that no enhanced table stayed empty.
pub(super) async fn fill_enhanced(db: &DatabaseConnection) {
    use crate::enhanced::{graph, hash_fixtures, tags, violations};

    let repos = EnhancedRepositories::from_connection(db.clone());
    let audited = repos.audited("operator").expect("an audited set");
    let org = audited
        .legacy
        .organizations
        .create(NewOrganization {
            name: "Audited".into(),
            slug: "audited".into(),
            metadata: json!({}),
        })
        .await
        .expect("an audited create");
    audited
        .legacy
        .organizations
        .delete(org.id)
        .await
        .expect("an audited delete");
    let hashes = &repos.file_hashes;
    hashes
        .record(hash_fixtures::observed(
            "src/lib.rs",
            1,
            Some(hash_fixtures::commit(1)),
        ))
        .await
        .expect("record a hash");
    repos
        .git_operations
        .record(hash_fixtures::operation(1, "main", &["src/lib.rs"]))
        .await
        .expect("record a git operation");
    repos
        .tags
        .define(tags::definition("reviewed", "process", "#00aa00"))
        .await
        .expect("define a tag");
    repos
        .tags
        .tag(tags::tagging("src/lib.rs", "reviewed", TagSource::Ai, 0.9))
        .await
        .expect("tag a file");
    repos
        .violations
        .record(violations::violation(
            "no-unwrap",
            Severity::Warning,
            "src/lib.rs",
            7,
        ))
        .await
        .expect("record a violation");
    let a = repos
        .graph
        .upsert_node(graph::node("file", "src/lib.rs"))
        .await;
    let b = repos
        .graph
        .upsert_node(graph::node("file", "src/main.rs"))
        .await;
    let (a, b) = (a.expect("a node"), b.expect("a node"));
    repos
        .graph
        .connect(graph::edge(b.id, a.id, "imports", 1.5))
        .await
        .expect("connect");
    repos
        .health_metrics
        .record(NewHealthMetric {
            component: "api".into(),
            metric: "latency_ms".into(),
            value: 12.5,
            labels: json!({"region": "eu"}),
            recorded_at: chrono::Utc::now(),
        })
        .await
        .expect("record a metric");
    let trail = memdb_enhanced_repository::AuditTrail::new("operator").expect("a trail");
    let memory = SeaOrmMemoryRepository::new(db.clone(), trail);
    memory
        .put(PutMemory::new(
            "app:memdb",
            "default_workflow",
            MemoryType::Procedural,
            json!({"steps": ["plan", "act"]}),
        ))
        .await
        .expect("put a memory entry");
    let index = SeaOrmDocumentIndexRepository::new(db.clone());
    let indexed = index
        .upsert(crate::enhanced::document_index::doc("docs/guide.md", 1))
        .await
        .expect("index a document")
        .into_document();
    index
        .set_embedding(indexed.id.into(), "mini", &[0.5, -0.25])
        .await
        .expect("store an embedding");

    super::fill_sessions::fill_sessions(db).await;
    super::fill_memories::fill_memories(db).await;

    let counts = row_counts(db, ENHANCED_TABLES).await.expect("count rows");
    for table in &counts {
        assert!(
            table.rows.is_some_and(|n| n > 0),
            "fill_enhanced writes no row into {}: extend it",
            table.name
        );
    }
}
