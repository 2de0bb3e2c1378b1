//! Names and file paths: stored (normalised) and found again by what the caller typed, or
//! refused with a `Validation` of the field, or — when an earlier case stored the same
//! normalised value — a `Duplicate` conflict.

use std::collections::HashSet;
use std::sync::Mutex;

use memdb_repository::documents::NewDocument;
use memdb_repository::personas::NewPersona;
use memdb_repository::{ConflictKind, RepoError, Repositories, limits, validate};
use memdb_tests::TestDb;
use proptest::prelude::*;
use serde_json::json;

use super::{CASES, check, hostile_string};
use crate::fixtures::acme;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_persona_name_is_stored_and_found_or_refused_with_a_typed_error() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());
    let taken = Mutex::new(HashSet::new());
    check(CASES, hostile_string(limits::PERSONA_NAME), |name| {
        let (repos, taken) = (&repos, &taken);
        async move {
            let outcome = repos
                .personas
                .create(NewPersona {
                    name: name.clone(),
                    description: String::new(),
                    system_prompt: "help".to_owned(),
                    traits: json!({}),
                    is_active: true,
                })
                .await;
            match outcome {
                Ok(persona) => {
                    prop_assert!(taken.lock().unwrap().insert(persona.name.clone()));
                    let found = repos.personas.get_by_name(&name).await;
                    prop_assert_eq!(found.map(|p| p.id).ok(), Some(persona.id));
                }
                Err(RepoError::Validation { field: "name", .. }) => {
                    prop_assert!(validate::name("name", &name, limits::PERSONA_NAME).is_err());
                }
                Err(RepoError::Conflict {
                    kind: ConflictKind::Duplicate,
                    ..
                }) => {
                    let stored = validate::name("name", &name, limits::PERSONA_NAME).unwrap();
                    prop_assert!(taken.lock().unwrap().contains(&stored));
                }
                Err(other) => prop_assert!(false, "untyped or wrong error: {other:?}"),
            }
            Ok(())
        }
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_document_path_is_stored_and_found_or_refused_with_a_typed_error() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());
    let org = acme(repos.organizations.as_ref()).await.id;
    let taken = Mutex::new(HashSet::new());
    check(CASES, hostile_string(limits::DOCUMENT_PATH), |path| {
        let (repos, taken) = (&repos, &taken);
        async move {
            let outcome = repos
                .documents
                .create(NewDocument {
                    organization_id: org,
                    path: path.clone(),
                    title: "t".to_owned(),
                    doc_type: "note".to_owned(),
                    content: String::new(),
                    metadata: json!({}),
                })
                .await;
            match outcome {
                Ok(doc) => {
                    prop_assert!(taken.lock().unwrap().insert(doc.path.clone()));
                    let found = repos.documents.get_by_path(org, &path).await;
                    prop_assert_eq!(found.map(|d| d.id).ok(), Some(doc.id));
                }
                Err(RepoError::Validation { field: "path", .. }) => {
                    prop_assert!(validate::key("path", &path, limits::DOCUMENT_PATH).is_err());
                }
                Err(RepoError::Conflict {
                    kind: ConflictKind::Duplicate,
                    ..
                }) => {
                    let stored = validate::key("path", &path, limits::DOCUMENT_PATH).unwrap();
                    prop_assert!(taken.lock().unwrap().contains(&stored));
                }
                Err(other) => prop_assert!(false, "untyped or wrong error: {other:?}"),
            }
            Ok(())
        }
    });
}
