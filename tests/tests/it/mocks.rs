//! How a sibling service unit-tests its own code against the `mock` feature's repositories.
//! (The SeaORM implementations are tested against real databases elsewhere.)

use std::sync::Arc;

use chrono::Utc;
use memdb_repository::documents::Document;
use memdb_repository::knowledge::KnowledgeItem;
use memdb_repository::organizations::{NewOrganization, Organization};
use memdb_repository::personas::Persona;
use memdb_repository::taskmaster::{NewTask, Task, TaskStatus};
use memdb_repository::{
    ConflictKind, DocumentId, DocumentRepository, KnowledgeId, KnowledgeRepository,
    MockDocumentRepository, MockKnowledgeRepository, MockOrganizationRepository,
    MockPersonaRepository, MockTaskRepository, OrganizationId, OrganizationRepository, PersonaId,
    PersonaRepository, RepoError, RepoResult, TaskId, TaskRepository,
};
use mockall::predicate::eq;
use serde_json::json;

/// The sibling service's code under test: runs one queued task with a persona's system prompt
/// and the best-retained knowledge as context, and files the answer as a document.
struct Worker {
    tasks: Arc<dyn TaskRepository>,
    personas: Arc<dyn PersonaRepository>,
    knowledge: Arc<dyn KnowledgeRepository>,
    documents: Arc<dyn DocumentRepository>,
    organization: OrganizationId,
}

impl Worker {
    async fn run_one(&self, agent_type: &str) -> RepoResult<Option<TaskId>> {
        let task = match self.tasks.claim_next(agent_type).await {
            Ok(task) => task,
            Err(RepoError::QueueEmpty { .. }) => return Ok(None),
            Err(other) => return Err(other),
        };
        let system = match self.personas.get_by_name(agent_type).await {
            Ok(persona) => persona.system_prompt,
            Err(RepoError::NotFound { .. }) => "You are a helpful assistant.".to_owned(),
            Err(other) => return Err(other),
        };
        let context: Vec<String> = self
            .knowledge
            .top_by_retention(3, None)
            .await?
            .into_iter()
            .map(|k| k.content)
            .collect();
        let answer = format!("{system} | {} | {}", context.join(";"), task.prompt);
        let path = format!("answers/{}.md", task.id);
        let document = self
            .documents
            .create(memdb_repository::documents::NewDocument {
                organization_id: self.organization,
                path,
                title: format!("Answer to {}", task.id),
                doc_type: "answer".into(),
                content: answer,
                metadata: json!({}),
            })
            .await?;
        self.tasks
            .complete(task.id, json!({ "document": document.id.to_string() }))
            .await?;
        Ok(Some(task.id))
    }
}

fn running_task(prompt: &str) -> Task {
    let now = Utc::now();
    let new = NewTask::new(prompt);
    Task {
        id: TaskId::new(),
        prompt: new.prompt,
        agent_type: new.agent_type,
        priority: new.priority,
        status: TaskStatus::Running,
        input_data: new.input_data,
        result_data: None,
        error_message: None,
        retry_count: 0,
        max_retries: new.max_retries,
        max_execution_timeout_seconds: new.max_execution_timeout_seconds,
        submitted_at: now,
        started_at: Some(now),
        completed_at: None,
        last_updated_at: now,
        lease_expires_at: None,
        created_by: None,
        parent_task_id: None,
    }
}

fn persona(system_prompt: &str) -> Persona {
    Persona {
        id: PersonaId::new(),
        name: "general".into(),
        description: String::new(),
        system_prompt: system_prompt.into(),
        traits: json!({}),
        is_active: true,
        version: 1,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

fn knowledge(content: &str) -> KnowledgeItem {
    KnowledgeItem {
        id: KnowledgeId::new(),
        content: content.into(),
        source: "test".into(),
        knowledge_type: "fact".into(),
        confidence_score: 1.0,
        retention_score: 1.0,
        access_count: 0,
        last_accessed: None,
        metadata: json!({}),
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

fn worker(
    tasks: MockTaskRepository,
    personas: MockPersonaRepository,
    knowledge: MockKnowledgeRepository,
    documents: MockDocumentRepository,
) -> Worker {
    Worker {
        tasks: Arc::new(tasks),
        personas: Arc::new(personas),
        knowledge: Arc::new(knowledge),
        documents: Arc::new(documents),
        organization: OrganizationId::new(),
    }
}

#[tokio::test]
async fn worker_answers_a_claimed_task_with_persona_and_knowledge() {
    let task = running_task("what is memdb?");
    let task_id = task.id;
    let mut tasks = MockTaskRepository::new();
    tasks
        .expect_claim_next()
        .with(eq("general"))
        .times(1)
        .return_once(move |_| Ok(task));
    let mut personas = MockPersonaRepository::new();
    personas
        .expect_get_by_name()
        .with(eq("general"))
        .return_once(|_| Ok(persona("Be brief.")));
    let mut knowledge_repo = MockKnowledgeRepository::new();
    knowledge_repo
        .expect_top_by_retention()
        .with(eq(3), eq(None))
        .return_once(|_, _| Ok(vec![knowledge("memdb stores agent data")]));
    let mut documents = MockDocumentRepository::new();
    let document_id = DocumentId::new();
    documents
        .expect_create()
        .withf(|new| new.content == "Be brief. | memdb stores agent data | what is memdb?")
        .return_once(move |new| {
            Ok(Document {
                id: document_id,
                organization_id: new.organization_id,
                path: new.path,
                title: new.title,
                doc_type: new.doc_type,
                content_hash: memdb_repository::content_hash(&new.content),
                size_bytes: new.content.len() as u64,
                content: new.content,
                metadata: new.metadata,
                created_at: Utc::now(),
                updated_at: Utc::now(),
            })
        });
    tasks
        .expect_complete()
        .withf(move |id, result| *id == task_id && result["document"] == document_id.to_string())
        .times(1)
        .returning(|_, _| Ok(running_task("done")));

    let ran = worker(tasks, personas, knowledge_repo, documents)
        .run_one("general")
        .await;
    assert_eq!(ran.unwrap(), Some(task_id));
}

#[tokio::test]
async fn worker_idles_on_an_empty_queue_without_touching_other_repositories() {
    let mut tasks = MockTaskRepository::new();
    tasks.expect_claim_next().returning(|agent| {
        Err(RepoError::QueueEmpty {
            agent_type: agent.to_owned(),
        })
    });
    // No expectations on the others: any call to them fails the test.
    let ran = worker(
        tasks,
        MockPersonaRepository::new(),
        MockKnowledgeRepository::new(),
        MockDocumentRepository::new(),
    )
    .run_one("general")
    .await;
    assert_eq!(ran.unwrap(), None);
}

#[tokio::test]
async fn worker_passes_database_errors_on() {
    let mut tasks = MockTaskRepository::new();
    tasks.expect_claim_next().returning(|_| {
        Err(RepoError::conflict(
            ConflictKind::WrongState,
            "task was claimed concurrently",
        ))
    });
    let ran = worker(
        tasks,
        MockPersonaRepository::new(),
        MockKnowledgeRepository::new(),
        MockDocumentRepository::new(),
    )
    .run_one("general")
    .await;
    assert!(matches!(
        ran,
        Err(RepoError::Conflict {
            kind: ConflictKind::WrongState,
            ..
        })
    ));
}

/// More of the sibling service: makes sure its tenant exists, creating it on first start.
async fn ensure_tenant(
    organizations: &dyn OrganizationRepository,
    slug: &str,
) -> RepoResult<OrganizationId> {
    match organizations.get_by_slug(slug).await {
        Ok(organization) => Ok(organization.id),
        Err(RepoError::NotFound { .. }) => {
            let input = NewOrganization {
                name: slug.to_uppercase(),
                slug: slug.to_owned(),
                metadata: json!({}),
            };
            Ok(organizations.create(input).await?.id)
        }
        Err(other) => Err(other),
    }
}

#[tokio::test]
async fn the_tenant_is_created_once_when_missing() {
    let id = OrganizationId::new();
    let mut organizations = MockOrganizationRepository::new();
    organizations
        .expect_get_by_slug()
        .with(eq("acme"))
        .times(1)
        .returning(|slug| Err(RepoError::not_found("organization", slug)));
    organizations
        .expect_create()
        .withf(|input| input.slug == "acme" && input.name == "ACME")
        .times(1)
        .returning(move |input| {
            Ok(Organization {
                id,
                name: input.name,
                slug: input.slug,
                metadata: input.metadata,
                created_at: Utc::now(),
                updated_at: Utc::now(),
            })
        });
    assert_eq!(ensure_tenant(&organizations, "acme").await.unwrap(), id);
}
