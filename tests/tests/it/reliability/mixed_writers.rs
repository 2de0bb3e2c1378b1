//! 200 concurrent callers x 50 mixed writes across every legacy repository, on the configured
//! backend: no call fails (a busy SQLite or a PostgreSQL lock wait must be absorbed, not
//! reported), and afterwards the database holds every acknowledged write and nothing else.
//!
//! Each caller writes its own rows (its organization, documents, knowledge, tasks of its own
//! agent type, personas), so its ledger is exact, while all of them contend for the same
//! tables, indexes, pool and — on SQLite — the one write lock.

use memdb_repository::documents::NewDocument;
use memdb_repository::knowledge::{NewKnowledge, NewRelationship};
use memdb_repository::organizations::NewOrganization;
use memdb_repository::personas::{NewPersona, PersonaUpdate};
use memdb_repository::taskmaster::NewTask;
use memdb_repository::{
    DocumentId, KnowledgeId, OrganizationId, PersonaId, RepoResult, Repositories, TaskId,
};
use memdb_tests::TestDb;
use serde_json::json;
use tokio::task::JoinSet;

use super::ledger::Ledger;

/// Concurrent callers.
const WRITERS: u64 = 200;
/// Repository writes per caller.
const WRITES: u64 = 50;

/// A small seeded generator (xorshift64*), so every run makes the same choices.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// One caller's state: what it created and may touch again, and its ledger.
struct Writer {
    n: u64,
    repos: Repositories,
    org: OrganizationId,
    documents: Vec<DocumentId>,
    knowledge: Vec<KnowledgeId>,
    ready: Vec<TaskId>,
    personas: Vec<PersonaId>,
    ledger: Ledger,
    written: u64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_mixed_writers_lose_nothing_and_invent_nothing() {
    let db = TestDb::new().await;
    let before = Ledger::read(db.conn()).await;
    assert_eq!(before.rows(), 0, "the test database starts empty");
    let repos = Repositories::from_connection(db.pool());
    let mut callers = JoinSet::new();
    for n in 0..WRITERS {
        let repos = repos.clone();
        callers.spawn(async move {
            let mut writer = Writer::start(n, repos).await?;
            let mut dice = Dice(0x9E37_79B9_7F4A_7C15 ^ (n + 1));
            while writer.written < WRITES {
                writer.step(&mut dice).await?;
            }
            RepoResult::Ok(writer.ledger)
        });
    }
    let mut acknowledged = Ledger::default();
    let mut errors = Vec::new();
    while let Some(joined) = callers.join_next().await {
        match joined.expect("a writer panicked") {
            Ok(ledger) => acknowledged.merge(ledger),
            Err(err) => errors.push(err),
        }
    }
    assert!(
        errors.is_empty(),
        "{} of {WRITERS} writers failed; first: {:?}",
        errors.len(),
        errors.first()
    );
    acknowledged.assert_matches(&Ledger::read(db.conn()).await);
}

impl Writer {
    /// Creates the caller's organization (its first write).
    async fn start(n: u64, repos: Repositories) -> RepoResult<Self> {
        let slug = format!("writer-{n}");
        let org = repos
            .organizations
            .create(NewOrganization {
                name: format!("Writer {n}"),
                slug: slug.clone(),
                metadata: json!({ "writer": n }),
            })
            .await?;
        let mut ledger = Ledger::default();
        ledger.organizations.insert(org.id.as_uuid(), slug);
        Ok(Self {
            n,
            repos,
            org: org.id,
            documents: Vec::new(),
            knowledge: Vec::new(),
            ready: Vec::new(),
            personas: Vec::new(),
            ledger,
            written: 1,
        })
    }

    fn agent(&self) -> String {
        format!("mixed-{}", self.n)
    }

    /// One write chosen by `dice` among those the caller's rows allow.
    async fn step(&mut self, dice: &mut Dice) -> RepoResult<()> {
        let i = self.written;
        match dice.below(11) {
            0 | 1 => self.create_document(i).await?,
            2 if !self.documents.is_empty() => {
                let id = self.documents[dice.below(self.documents.len() as u64) as usize];
                let content = format!("revised by {} at {i}", self.n);
                self.repos
                    .documents
                    .update_content(id, content.clone())
                    .await?;
                self.ledger.documents.insert(id.as_uuid(), content);
            }
            3 if !self.documents.is_empty() => {
                let id = self
                    .documents
                    .swap_remove(dice.below(self.documents.len() as u64) as usize);
                self.repos.documents.delete(id).await?;
                self.ledger.documents.remove(&id.as_uuid());
            }
            4 => self.add_knowledge(i).await?,
            5 if self.knowledge.len() >= 2 => {
                let len = self.knowledge.len() as u64;
                let source = self.knowledge[dice.below(len) as usize];
                let target = self.knowledge[dice.below(len) as usize];
                let kind = format!("step-{i}");
                if source == target {
                    self.record_access(source).await?;
                } else {
                    self.repos
                        .knowledge
                        .relate(NewRelationship {
                            source_id: source,
                            target_id: target,
                            relationship_type: kind.clone(),
                            strength: 0.5,
                        })
                        .await?;
                    self.ledger
                        .relationships
                        .insert((source.as_uuid(), target.as_uuid(), kind));
                }
            }
            6 if !self.knowledge.is_empty() => {
                let id = self.knowledge[dice.below(self.knowledge.len() as u64) as usize];
                self.record_access(id).await?;
            }
            7 => {
                let mut task = NewTask::new(format!("job {i} of writer {}", self.n));
                task.agent_type = self.agent();
                let task = self.repos.tasks.submit(task).await?;
                self.ready.push(task.id);
                self.ledger.tasks.insert(task.id.as_uuid(), "ready");
            }
            8 if !self.ready.is_empty() => {
                // Claim and complete count as two writes.
                let claimed = self.repos.tasks.claim_next(&self.agent()).await?;
                self.written += 1;
                self.repos
                    .tasks
                    .complete(claimed.id, json!({ "at": i }))
                    .await?;
                self.ready.retain(|id| *id != claimed.id);
                self.ledger.tasks.insert(claimed.id.as_uuid(), "completed");
            }
            9 => self.create_persona(i).await?,
            10 if !self.personas.is_empty() => {
                let id = self.personas[dice.below(self.personas.len() as u64) as usize];
                let description = format!("updated at {i}");
                let persona = self
                    .repos
                    .personas
                    .update(
                        id,
                        PersonaUpdate {
                            description: Some(description.clone()),
                            ..PersonaUpdate::default()
                        },
                    )
                    .await?;
                let version = i32::try_from(persona.version).unwrap();
                self.ledger
                    .personas
                    .insert(id.as_uuid(), (version, description));
            }
            // The chosen write needs rows this caller does not have yet: a unit of work that
            // writes a document and a knowledge item together instead.
            _ => self.document_and_knowledge_together(i).await?,
        }
        self.written += 1;
        Ok(())
    }

    fn new_document(&self, i: u64) -> NewDocument {
        NewDocument {
            organization_id: self.org,
            path: format!("docs/{i}.md"),
            title: format!("Document {i}"),
            doc_type: "note".to_owned(),
            content: format!("written by {} at {i}", self.n),
            metadata: json!({ "i": i }),
        }
    }

    fn new_knowledge(&self, i: u64) -> NewKnowledge {
        NewKnowledge {
            content: format!("fact {i} of writer {}", self.n),
            source: format!("writer {}", self.n),
            knowledge_type: "fact".to_owned(),
            confidence_score: 0.5,
            retention_score: 0.5,
            metadata: json!({}),
        }
    }

    async fn create_document(&mut self, i: u64) -> RepoResult<()> {
        let doc = self.repos.documents.create(self.new_document(i)).await?;
        self.documents.push(doc.id);
        self.ledger.documents.insert(doc.id.as_uuid(), doc.content);
        Ok(())
    }

    async fn add_knowledge(&mut self, i: u64) -> RepoResult<()> {
        let item = self.repos.knowledge.add(self.new_knowledge(i)).await?;
        self.knowledge.push(item.id);
        self.ledger.knowledge.insert(item.id.as_uuid(), 0);
        Ok(())
    }

    /// `knowledge.get` writes: it records the access.
    async fn record_access(&mut self, id: KnowledgeId) -> RepoResult<()> {
        let item = self.repos.knowledge.get(id).await?;
        let count = self.ledger.knowledge.entry(id.as_uuid()).or_default();
        *count += 1;
        assert_eq!(item.access_count, u64::try_from(*count).unwrap());
        Ok(())
    }

    async fn create_persona(&mut self, i: u64) -> RepoResult<()> {
        let persona = self
            .repos
            .personas
            .create(NewPersona {
                name: format!("persona {i} of writer {}", self.n),
                description: String::new(),
                system_prompt: "help".to_owned(),
                traits: json!({}),
                is_active: true,
            })
            .await?;
        self.personas.push(persona.id);
        self.ledger.personas.insert(
            persona.id.as_uuid(),
            (i32::try_from(persona.version).unwrap(), String::new()),
        );
        Ok(())
    }

    async fn document_and_knowledge_together(&mut self, i: u64) -> RepoResult<()> {
        let (document, knowledge) = (self.new_document(i), self.new_knowledge(i));
        let (doc, item) = self
            .repos
            .transaction(|tx| async move {
                let doc = tx.documents.create(document).await?;
                let item = tx.knowledge.add(knowledge).await?;
                Ok((doc, item))
            })
            .await?;
        self.documents.push(doc.id);
        self.ledger.documents.insert(doc.id.as_uuid(), doc.content);
        self.knowledge.push(item.id);
        self.ledger.knowledge.insert(item.id.as_uuid(), 0);
        Ok(())
    }
}
