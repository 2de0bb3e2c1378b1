//! Search terms made of LIKE metacharacters (`%`, `_`), the escape character (`\`) and quotes
//! match literally: each case adds rows whose contents are drawn from the same few characters,
//! so a term that leaked as a wildcard would match rows that do not contain it, and the result
//! is compared with a literal substring search over every row added so far.

use std::collections::BTreeSet;
use std::sync::Mutex;

use memdb_repository::documents::NewDocument;
use memdb_repository::knowledge::{KnowledgeQuery, NewKnowledge};
use memdb_repository::{Page, RepoError, Repositories};
use memdb_tests::TestDb;
use proptest::prelude::*;
use serde_json::json;
use uuid::Uuid;

use super::{SEARCH_CASES, check};
use crate::fixtures::acme;

/// Lowercase letters only, so the case-insensitive matching of both backends agrees with a
/// plain `contains`.
const ALPHABET: [char; 8] = ['a', 'b', '%', '_', '\\', '\'', '"', ' '];

fn text(len: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(&ALPHABET[..]), len)
        .prop_map(|chars| chars.into_iter().collect())
}

/// Three row contents (never blank) and a search term.
fn case() -> impl Strategy<Value = (Vec<String>, String)> {
    (
        proptest::collection::vec(text(0..8).prop_map(|t| format!("{t}a")), 3),
        text(1..4),
    )
}

/// What a literal search finds among `rows`: the ids of those containing `term`.
fn literal(rows: &[(Uuid, String)], term: &str) -> BTreeSet<Uuid> {
    rows.iter()
        .filter(|(_, content)| content.contains(term))
        .map(|(id, _)| *id)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn knowledge_search_terms_match_literally() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());
    let rows = Mutex::new(Vec::new());
    check(SEARCH_CASES, case(), |(contents, term)| {
        let (repos, rows) = (&repos, &rows);
        async move {
            for content in contents {
                let item = repos
                    .knowledge
                    .add(NewKnowledge {
                        content: content.clone(),
                        source: "prop".to_owned(),
                        knowledge_type: "prop".to_owned(),
                        confidence_score: 0.5,
                        retention_score: 0.5,
                        metadata: json!({}),
                    })
                    .await
                    .unwrap();
                rows.lock().unwrap().push((item.id.as_uuid(), content));
            }
            let query = KnowledgeQuery {
                text: Some(term.clone()),
                knowledge_type: Some("prop".to_owned()),
            };
            let found = repos
                .knowledge
                .search(query, Page::new(1000, 0).unwrap())
                .await;
            if term.trim().is_empty() {
                prop_assert!(
                    matches!(found, Err(RepoError::Validation { .. })),
                    "{found:?}"
                );
                return Ok(());
            }
            let found: BTreeSet<Uuid> = found
                .map_err(|e| TestCaseError::fail(format!("{e:?}")))?
                .into_iter()
                .map(|item| item.id.as_uuid())
                .collect();
            prop_assert_eq!(found, literal(&rows.lock().unwrap(), &term));
            Ok(())
        }
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_search_terms_match_literally() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());
    let org = acme(repos.organizations.as_ref()).await.id;
    let rows = Mutex::new(Vec::new());
    check(SEARCH_CASES, case(), |(contents, term)| {
        let (repos, rows) = (&repos, &rows);
        async move {
            for content in contents {
                let n = rows.lock().unwrap().len();
                let doc = repos
                    .documents
                    .create(NewDocument {
                        organization_id: org,
                        path: format!("p/{n}"),
                        // Neither title nor path share a character with the alphabet.
                        title: "zz".to_owned(),
                        doc_type: "note".to_owned(),
                        content: content.clone(),
                        metadata: json!({}),
                    })
                    .await
                    .unwrap();
                rows.lock().unwrap().push((doc.id.as_uuid(), content));
            }
            let found = repos
                .documents
                .search(Some(org), &term, Page::new(1000, 0).unwrap())
                .await;
            if term.trim().is_empty() {
                prop_assert!(
                    matches!(found, Err(RepoError::Validation { .. })),
                    "{found:?}"
                );
                return Ok(());
            }
            let found: BTreeSet<Uuid> = found
                .map_err(|e| TestCaseError::fail(format!("{e:?}")))?
                .into_iter()
                .map(|doc| doc.id.as_uuid())
                .collect();
            prop_assert_eq!(found, literal(&rows.lock().unwrap(), &term));
            Ok(())
        }
    });
}
