//! Length limits, from one table: every bounded input at its limit in multi-byte characters is
//! stored on each backend, one character more is a `Validation` naming the field; and every
//! `VARCHAR(n)` column of the migrated schema has the limit `memdb_repository::limits` gives it.

use std::collections::BTreeSet;

use memdb_migration::LEGACY_TABLES;
use memdb_repository::documents::NewDocument;
use memdb_repository::knowledge::{NewKnowledge, NewRelationship};
use memdb_repository::limits::{self, VARCHAR_COLUMNS};
use memdb_repository::organizations::NewOrganization;
use memdb_repository::personas::NewPersona;
use memdb_repository::taskmaster::NewTask;
use memdb_repository::{Page, RepoError, RepoResult, Repositories};
use memdb_tests::TestDb;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde_json::json;

/// Every bounded text input: (the field `Validation` names, its limit, whether only ASCII
/// labels are allowed).
const BOUNDED: &[(&str, usize, bool)] = &[
    ("organization name", limits::ORGANIZATION_NAME, false),
    ("slug", limits::ORGANIZATION_SLUG, true),
    ("path", limits::DOCUMENT_PATH, false),
    ("title", limits::DOCUMENT_TITLE, false),
    ("doc_type", limits::LABEL, true),
    ("content", limits::KNOWLEDGE_CONTENT, false),
    ("source", limits::KNOWLEDGE_SOURCE, false),
    ("knowledge_type", limits::LABEL, true),
    ("relationship_type", limits::LABEL, true),
    ("prompt", limits::TASK_PROMPT, false),
    ("agent_type", limits::LABEL, true),
    ("created_by", limits::TASK_CREATED_BY, false),
    ("error", limits::TASK_ERROR, false),
    ("persona name", limits::PERSONA_NAME, false),
    ("description", limits::PERSONA_DESCRIPTION, false),
    ("system_prompt", limits::PERSONA_SYSTEM_PROMPT, false),
    ("query", limits::SEARCH_TEXT, false),
];

/// `chars` characters: two-, three- and four-byte ones in turn, or lowercase ASCII letters.
fn text_of(chars: usize, ascii: bool) -> String {
    let alphabet: &[char] = if ascii {
        &['a', 'b', 'c']
    } else {
        &['é', '€', '𝄞']
    };
    (0..chars).map(|i| alphabet[i % alphabet.len()]).collect()
}

/// Stores `value` in the input named `field`, every other input valid.
async fn store(repos: &Repositories, field: &str, value: String) -> RepoResult<()> {
    let unique = uuid::Uuid::now_v7().simple().to_string();
    let pick = |name: &str, default: String| {
        if field == name {
            value.clone()
        } else {
            default
        }
    };
    match field {
        "organization name" | "slug" => {
            let input = NewOrganization {
                name: pick("organization name", unique.clone()),
                slug: pick("slug", unique.clone()),
                metadata: json!({}),
            };
            repos.organizations.create(input).await.map(drop)
        }
        "path" | "title" | "doc_type" => {
            let org = repos
                .organizations
                .create(NewOrganization {
                    name: unique.clone(),
                    slug: unique.clone(),
                    metadata: json!({}),
                })
                .await?;
            let input = NewDocument {
                organization_id: org.id,
                path: pick("path", unique.clone()),
                title: pick("title", "t".into()),
                doc_type: pick("doc_type", "note".into()),
                content: String::new(),
                metadata: json!({}),
            };
            repos.documents.create(input).await.map(drop)
        }
        "content" | "source" | "knowledge_type" | "relationship_type" => {
            let item = |content: String| NewKnowledge {
                content,
                source: pick("source", "s".into()),
                knowledge_type: pick("knowledge_type", "fact".into()),
                confidence_score: 0.5,
                retention_score: 0.5,
                metadata: json!({}),
            };
            let a = repos
                .knowledge
                .add(item(pick("content", "a".into())))
                .await?;
            if field != "relationship_type" {
                return Ok(());
            }
            let b = repos.knowledge.add(item("b".into())).await?;
            let edge = NewRelationship {
                source_id: a.id,
                target_id: b.id,
                relationship_type: value,
                strength: 0.5,
            };
            repos.knowledge.relate(edge).await.map(drop)
        }
        "prompt" | "agent_type" | "created_by" | "error" => {
            let input = NewTask {
                agent_type: pick("agent_type", unique.clone()),
                created_by: Some(pick("created_by", "me".into())),
                ..NewTask::new(pick("prompt", "p".into()))
            };
            let task = repos.tasks.submit(input).await?;
            if field != "error" {
                return Ok(());
            }
            repos.tasks.claim_next(&task.agent_type).await?;
            repos.tasks.fail(task.id, &value).await.map(drop)
        }
        "persona name" | "description" | "system_prompt" => {
            let input = NewPersona {
                name: pick("persona name", unique.clone()),
                description: pick("description", String::new()),
                system_prompt: pick("system_prompt", "You help.".into()),
                traits: json!({}),
                is_active: true,
            };
            repos.personas.create(input).await.map(drop)
        }
        "query" => repos
            .documents
            .search(None, &value, Page::default())
            .await
            .map(drop),
        other => panic!("no input named {other}"),
    }
}

/// The field name a `Validation` carries for each input of [`BOUNDED`].
fn reported_field(field: &str) -> &str {
    match field {
        "organization name" | "persona name" => "name",
        other => other,
    }
}

#[tokio::test]
async fn every_bounded_field_takes_its_limit_and_refuses_one_more() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());
    for &(field, max, ascii) in BOUNDED {
        let at_limit = store(&repos, field, text_of(max, ascii)).await;
        assert!(at_limit.is_ok(), "{field} at {max}: {at_limit:?}");
        match store(&repos, field, text_of(max + 1, ascii)).await {
            Err(RepoError::Validation { field: named, .. }) => {
                assert_eq!(named, reported_field(field), "{field} at {}", max + 1);
            }
            other => panic!("{field} at {} characters: {other:?}", max + 1),
        }
    }
}

/// `(table, column, length)` of every `VARCHAR(n)` column of `tables`.
pub(crate) async fn varchar_columns(
    db: &DatabaseConnection,
    tables: &[&str],
) -> BTreeSet<(String, String, usize)> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT table_name::text AS t, column_name::text AS c, \
             character_maximum_length::text AS n FROM information_schema.columns \
             WHERE table_schema = current_schema() AND data_type = 'character varying'"
        }
        _ => {
            "SELECT m.name AS t, p.name AS c, \
             substr(p.type, instr(p.type, '(') + 1, length(p.type) - instr(p.type, '(') - 1) AS n \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND lower(p.type) LIKE 'varchar(%'"
        }
    };
    db.query_all_raw(Statement::from_string(backend, sql))
        .await
        .unwrap()
        .iter()
        .filter_map(|row| {
            let table: String = row.try_get("", "t").unwrap();
            // The tracking table's unbounded `version` is not ours to limit.
            if !tables.contains(&table.as_str()) {
                return None;
            }
            let column: String = row.try_get("", "c").unwrap();
            let length: String = row.try_get("", "n").unwrap();
            Some((table, column, length.parse().unwrap()))
        })
        .collect()
}

#[tokio::test]
async fn varchar_columns_have_the_limits_the_repositories_enforce() {
    let db = TestDb::new().await;
    let declared: BTreeSet<(String, String, usize)> = VARCHAR_COLUMNS
        .iter()
        .map(|(t, c, n)| ((*t).to_owned(), (*c).to_owned(), *n))
        .collect();
    assert_eq!(varchar_columns(db.conn(), &LEGACY_TABLES).await, declared);
}
