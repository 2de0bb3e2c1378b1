//! Inputs an adversarial caller sends: JSON nested far deeper than any parser allows alongside
//! another bad field, look-alike names in different Unicode forms, invisible names, and negative
//! zero. None may crash the caller's process, and each backend gives the same answer.

use memdb_repository::documents::NewDocument;
use memdb_repository::knowledge::NewKnowledge;
use memdb_repository::organizations::{NewOrganization, OrganizationUpdate};
use memdb_repository::personas::{NewPersona, PersonaUpdate};
use memdb_repository::taskmaster::NewTask;
use memdb_repository::{ConflictKind, OrganizationId, RepoError, Repositories};
use memdb_tests::TestDb;
use serde_json::{Value, json};

/// Arrays nested `depth` deep, built without recursion. Dropping it recursively would overflow
/// a test thread's stack, so it must only ever be handed to a repository.
fn abyss(depth: usize) -> Value {
    let mut value = Value::Null;
    for _ in 0..depth {
        value = Value::Array(vec![value]);
    }
    value
}

/// An object holding [`abyss`] (not built with `json!`, which would copy it recursively).
fn abyss_object() -> Value {
    Value::Object(std::iter::once(("deep".to_owned(), abyss(100_000))).collect())
}

fn is_invalid<T: std::fmt::Debug>(result: &Result<T, RepoError>) -> bool {
    matches!(result, Err(RepoError::Validation { .. }))
}

#[tokio::test]
async fn json_deeper_than_any_parser_never_crashes_a_call_that_fails_elsewhere() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());
    let org = repos
        .organizations
        .create(NewOrganization {
            name: "Acme".into(),
            slug: "acme".into(),
            metadata: json!({}),
        })
        .await
        .unwrap();
    let created = repos
        .organizations
        .create(NewOrganization {
            name: String::new(),
            slug: "deep".into(),
            metadata: abyss_object(),
        })
        .await;
    assert!(is_invalid(&created), "{created:?}");
    let updated = repos
        .organizations
        .update(
            org.id,
            OrganizationUpdate {
                name: Some(String::new()),
                metadata: Some(abyss_object()),
            },
        )
        .await;
    assert!(is_invalid(&updated), "{updated:?}");
    let document = repos
        .documents
        .create(NewDocument {
            organization_id: org.id,
            path: "a.md".into(),
            title: String::new(),
            doc_type: "note".into(),
            content: String::new(),
            metadata: abyss_object(),
        })
        .await;
    assert!(is_invalid(&document), "{document:?}");
    let knowledge = repos
        .knowledge
        .add(NewKnowledge {
            content: "c".into(),
            source: "s".into(),
            knowledge_type: "fact".into(),
            confidence_score: f64::NAN,
            retention_score: 0.5,
            metadata: abyss_object(),
        })
        .await;
    assert!(is_invalid(&knowledge), "{knowledge:?}");
    let task = repos
        .tasks
        .submit(NewTask {
            input_data: abyss(100_000),
            ..NewTask::new("")
        })
        .await;
    assert!(is_invalid(&task), "{task:?}");
    let persona = |name: &str, traits: Value| NewPersona {
        name: name.into(),
        description: String::new(),
        system_prompt: "You help.".into(),
        traits,
        is_active: true,
    };
    let created = repos.personas.create(persona("", abyss_object())).await;
    assert!(is_invalid(&created), "{created:?}");
    let kept = repos.personas.create(persona("kept", json!({}))).await;
    let update = PersonaUpdate {
        name: Some(String::new()),
        traits: Some(abyss_object()),
        ..PersonaUpdate::default()
    };
    let updated = repos.personas.update(kept.unwrap().id, update).await;
    assert!(is_invalid(&updated), "{updated:?}");
}

#[tokio::test]
async fn names_and_paths_are_one_in_every_unicode_form() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());
    let (composed, decomposed) = ("caf\u{e9}", "cafe\u{301}");
    let persona = |name: &str| NewPersona {
        name: name.into(),
        description: String::new(),
        system_prompt: "You help.".into(),
        traits: json!({}),
        is_active: true,
    };
    let stored = repos.personas.create(persona(decomposed)).await.unwrap();
    assert_eq!(stored.name, composed);
    let twin = repos.personas.create(persona(composed)).await;
    assert_eq!(
        twin.unwrap_err().conflict_kind(),
        Some(ConflictKind::Duplicate)
    );
    assert_eq!(
        repos.personas.get_by_name(decomposed).await.unwrap().id,
        stored.id
    );

    let org = |name: &str, slug: &str| NewOrganization {
        name: name.into(),
        slug: slug.into(),
        metadata: json!({}),
    };
    let acme = repos
        .organizations
        .create(org(composed, "a"))
        .await
        .unwrap();
    let twin = repos.organizations.create(org(decomposed, "b")).await;
    assert_eq!(
        twin.unwrap_err().conflict_kind(),
        Some(ConflictKind::Duplicate)
    );

    let doc = |organization_id: OrganizationId, path: &str| NewDocument {
        organization_id,
        path: path.into(),
        title: "t".into(),
        doc_type: "note".into(),
        content: String::new(),
        metadata: json!({}),
    };
    let path = format!("notes/{decomposed}.md");
    let stored = repos.documents.create(doc(acme.id, &path)).await.unwrap();
    assert_eq!(stored.path, format!("notes/{composed}.md"));
    let found = repos.documents.get_by_path(acme.id, &path).await.unwrap();
    assert_eq!(found.id, stored.id);
    let twin = repos
        .documents
        .create(doc(acme.id, &format!("notes/{composed}.md")))
        .await;
    assert_eq!(
        twin.unwrap_err().conflict_kind(),
        Some(ConflictKind::Duplicate)
    );
}

#[tokio::test]
async fn names_without_a_visible_character_are_refused() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());
    for invisible in [
        "\u{200B}",
        " \u{200B}\u{FEFF} ",
        "\u{2060}\u{200D}",
        "\u{00AD}",
    ] {
        let persona = repos
            .personas
            .create(NewPersona {
                name: invisible.into(),
                description: String::new(),
                system_prompt: "You help.".into(),
                traits: json!({}),
                is_active: true,
            })
            .await;
        assert!(
            matches!(persona, Err(RepoError::Validation { field: "name", .. })),
            "{invisible:?}: {persona:?}"
        );
        let org = repos
            .organizations
            .create(NewOrganization {
                name: invisible.into(),
                slug: "x".into(),
                metadata: json!({}),
            })
            .await;
        assert!(
            matches!(org, Err(RepoError::Validation { field: "name", .. })),
            "{invisible:?}: {org:?}"
        );
    }
    // A visible character among invisible ones is a name.
    let org = repos
        .organizations
        .create(NewOrganization {
            name: "\u{200B}A".into(),
            slug: "a".into(),
            metadata: json!({}),
        })
        .await;
    assert!(org.is_ok(), "{org:?}");
}

/// Whether `value` is a JSON number equal to zero with its sign bit set.
fn negative_zero(value: &Value) -> bool {
    value
        .as_f64()
        .is_some_and(|f| f == 0.0 && f.is_sign_negative())
}

#[tokio::test]
async fn negative_zero_comes_back_as_zero_on_every_backend() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());
    let item = repos
        .knowledge
        .add(NewKnowledge {
            content: "zero".into(),
            source: "s".into(),
            knowledge_type: "fact".into(),
            confidence_score: -0.0,
            retention_score: -0.0,
            metadata: json!({"x": -0.0, "list": [-0.0, {"y": -0.0}]}),
        })
        .await
        .unwrap();
    let read = repos.knowledge.peek(item.id).await.unwrap();
    for item in [&item, &read] {
        assert!(item.confidence_score.is_sign_positive(), "{item:?}");
        assert!(item.retention_score.is_sign_positive(), "{item:?}");
        assert_eq!(item.metadata, json!({"x": 0.0, "list": [0.0, {"y": 0.0}]}));
        assert!(!negative_zero(&item.metadata["x"]), "{item:?}");
        assert!(!negative_zero(&item.metadata["list"][1]["y"]), "{item:?}");
    }
    let task = repos
        .tasks
        .submit(NewTask {
            input_data: json!(-0.0),
            ..NewTask::new("zero")
        })
        .await
        .unwrap();
    let read = repos.tasks.get(task.id).await.unwrap();
    assert!(!negative_zero(&read.input_data), "{read:?}");
    assert_eq!(read.input_data, json!(0.0));
}
