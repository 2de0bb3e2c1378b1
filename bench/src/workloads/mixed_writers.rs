//! 200 concurrent writers, each making mixed writes (documents create and update, knowledge
//! add, personas update, tasks submit) through memdb, beside the same statements each sent in
//! its own raw write transaction (`BEGIN IMMEDIATE` on SQLite, `BEGIN` on PostgreSQL). Rounds
//! run A-B-B-A; any failed call on either side fails the run, so a row means zero errors.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, ensure};
use memdb_repository::knowledge::NewKnowledge;
use memdb_repository::personas::PersonaUpdate;
use memdb_repository::taskmaster::NewTask;
use memdb_repository::{DocumentId, PersonaId, TaskId, content_hash, now};
use serde_json::json;
use tokio::task::JoinSet;
use uuid::Uuid;

use super::{Bench, DOCUMENT_COLUMNS, KNOWLEDGE_COLUMNS, PERSONA_COLUMNS, TASK_COLUMNS};
use crate::dataset::document;
use crate::raw::Param;
use crate::report::{Ratio, ResultRow};
use crate::runner::compare;
use crate::stats::Summary;

/// Concurrent writers.
const WRITERS: u64 = 200;

/// The kinds of write, taken in turn (each writer starting at a different one).
const KINDS: u64 = 5;

/// The mixed-writers workload.
///
/// # Errors
/// The first failing call's error (on either side).
pub(crate) async fn run(bench: &Bench) -> Result<Vec<ResultRow>> {
    let name = format!("mixed writes, {WRITERS} writers");
    eprintln!("  {name}");
    let per_writer = if bench.scale.iterations < 2_000 {
        10
    } else {
        50
    };
    let statements = Arc::new(Statements::new(bench));
    let (mut memdb, mut raw) = (Vec::new(), Vec::new());
    for (round, memdb_side) in [true, false, false, true].into_iter().enumerate() {
        let measured = round_of(bench, &statements, round as u64, per_writer, memdb_side).await?;
        if memdb_side {
            memdb.push(measured);
        } else {
            raw.push(measured);
        }
    }
    let merge = |rounds: Vec<(Vec<Duration>, Duration)>| {
        let wall = rounds.iter().map(|r| r.1).sum();
        Summary::over(rounds.into_iter().flat_map(|r| r.0).collect(), wall)
    };
    let sides = vec![
        ("memdb", merge(memdb)),
        ("raw write transactions", merge(raw)),
    ];
    Ok(compare(&name, bench.scale.rows, Ratio::Throughput, sides))
}

/// One round: every writer's latencies, and the round's wall time.
async fn round_of(
    bench: &Bench,
    statements: &Arc<Statements>,
    round: u64,
    per_writer: u64,
    memdb: bool,
) -> Result<(Vec<Duration>, Duration)> {
    let started = Instant::now();
    let mut writers = JoinSet::new();
    for writer in 0..WRITERS {
        let (bench, statements) = (bench.clone(), statements.clone());
        writers.spawn(async move {
            let mut latencies = Vec::with_capacity(per_writer as usize);
            for step in 0..per_writer {
                let write = Write::new(&bench, round, writer, step);
                let call = Instant::now();
                if memdb {
                    write.through_memdb(&bench).await?;
                } else {
                    write.raw(&bench, &statements).await?;
                }
                latencies.push(call.elapsed());
            }
            anyhow::Ok(latencies)
        });
    }
    let mut latencies = Vec::new();
    while let Some(joined) = writers.join_next().await {
        latencies.extend(joined.context("a writer panicked")??);
    }
    Ok((latencies, started.elapsed()))
}

/// One write: which kind, and the key it works on.
struct Write {
    kind: u64,
    /// A unique number for new rows' keys.
    serial: u64,
    /// A row of the data set, for updates.
    pick: usize,
}

impl Write {
    fn new(bench: &Bench, round: u64, writer: u64, step: u64) -> Self {
        let serial = (round * WRITERS + writer) * 1_000 + step;
        Self {
            kind: (writer + step) % KINDS,
            serial,
            pick: Bench::pick(
                serial,
                bench.data.documents.len().min(bench.data.personas.len()),
            ),
        }
    }

    fn document_path(&self) -> String {
        format!("mixed/{}.md", self.serial)
    }

    fn knowledge(&self) -> NewKnowledge {
        NewKnowledge {
            content: format!("mixed fact {}", self.serial),
            source: "mixed writers".to_owned(),
            knowledge_type: "fact".to_owned(),
            confidence_score: 0.5,
            retention_score: 0.5,
            metadata: json!({ "n": self.serial }),
        }
    }

    async fn through_memdb(&self, bench: &Bench) -> Result<()> {
        let repos = &bench.repos.legacy;
        match self.kind {
            0 => {
                let mut doc = document(bench.data.organization, 11, self.serial);
                doc.path = self.document_path();
                repos.documents.create(doc).await?;
            }
            1 => {
                let id = DocumentId::from(bench.data.documents[self.pick]);
                repos
                    .documents
                    .update_content(id, format!("revision {}", self.serial))
                    .await?;
            }
            2 => {
                repos.knowledge.add(self.knowledge()).await?;
            }
            3 => {
                let id = PersonaId::from(bench.data.personas[self.pick]);
                let update = PersonaUpdate {
                    description: Some(format!("revision {}", self.serial)),
                    ..PersonaUpdate::default()
                };
                repos.personas.update(id, update).await?;
            }
            _ => {
                let task = NewTask {
                    agent_type: "bench-mixed".to_owned(),
                    ..NewTask::new(format!("mixed job {}", self.serial))
                };
                repos.tasks.submit(task).await?;
            }
        }
        Ok(())
    }

    async fn raw(&self, bench: &Bench, statements: &Statements) -> Result<()> {
        let at = now();
        let (sql, params) = match self.kind {
            0 => {
                let doc = document(bench.data.organization, 11, self.serial);
                let params = vec![
                    Param::Uuid(DocumentId::new().as_uuid()),
                    Param::Uuid(bench.data.organization.as_uuid()),
                    Param::Text(self.document_path()),
                    Param::Text(doc.title),
                    Param::Text(doc.doc_type),
                    Param::Text(content_hash(&doc.content)),
                    Param::Int(doc.content.len() as i64),
                    Param::Text(doc.content),
                    Param::Json(doc.metadata),
                    Param::Time(at),
                    Param::Time(at),
                ];
                (&statements.create_document, params)
            }
            1 => {
                let content = format!("revision {}", self.serial);
                let params = vec![
                    Param::Text(content_hash(&content)),
                    Param::Int(content.len() as i64),
                    Param::Text(content),
                    Param::Time(at),
                    Param::Uuid(bench.data.documents[self.pick]),
                ];
                (&statements.update_document, params)
            }
            2 => {
                let item = self.knowledge();
                let params = vec![
                    Param::Uuid(Uuid::now_v7()),
                    Param::Text(item.content),
                    Param::Text(item.source),
                    Param::Text(item.knowledge_type),
                    Param::Json(item.metadata),
                    Param::Time(at),
                    Param::Time(at),
                ];
                (&statements.add_knowledge, params)
            }
            3 => {
                let params = vec![
                    Param::Text(format!("revision {}", self.serial)),
                    Param::Time(at),
                    Param::Uuid(bench.data.personas[self.pick]),
                ];
                (&statements.update_persona, params)
            }
            _ => {
                let params = vec![
                    Param::Uuid(TaskId::new().as_uuid()),
                    Param::Text(format!("mixed job {}", self.serial)),
                    Param::Json(json!({})),
                    Param::Time(at),
                    Param::Time(at),
                ];
                (&statements.submit_task, params)
            }
        };
        let rows = bench.raw.write_transaction(sql, &params).await?;
        ensure!(rows == 1, "a raw write touched {rows} rows");
        Ok(())
    }
}

/// The raw twins of memdb's statements, in the backend's placeholders.
struct Statements {
    create_document: String,
    update_document: String,
    add_knowledge: String,
    update_persona: String,
    submit_task: String,
}

impl Statements {
    fn new(bench: &Bench) -> Self {
        let sql = |s: &str| bench.raw.sql(s);
        Self {
            create_document: sql(&format!(
                "INSERT INTO documents (id, organization_id, path, title, doc_type, content_hash, \
                 size_bytes, content, metadata, created_at, updated_at) VALUES ($1, $2, $3, $4, \
                 $5, $6, $7, $8, $9, $10, $11) RETURNING {DOCUMENT_COLUMNS}"
            )),
            update_document: sql(&format!(
                "UPDATE documents SET content_hash = $1, size_bytes = $2, content = $3, \
                 updated_at = $4 WHERE id = $5 RETURNING {DOCUMENT_COLUMNS}"
            )),
            add_knowledge: sql(&format!(
                "INSERT INTO knowledge_items (id, content, source, knowledge_type, \
                 confidence_score, retention_score, access_count, last_accessed, metadata, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, 0.5, 0.5, 0, NULL, $5, $6, $7) \
                 RETURNING {KNOWLEDGE_COLUMNS}"
            )),
            update_persona: sql(&format!(
                "UPDATE personas SET description = $1, updated_at = $2, version = version + 1 \
                 WHERE id = $3 RETURNING {PERSONA_COLUMNS}"
            )),
            submit_task: sql(&format!(
                "INSERT INTO tasks ({TASK_COLUMNS}) VALUES ($1, $2, 'bench-mixed', 5, 'ready', \
                 $3, NULL, NULL, 0, 3, 3600, $4, NULL, NULL, $5, NULL, NULL, NULL) \
                 RETURNING {TASK_COLUMNS}"
            )),
        }
    }
}
