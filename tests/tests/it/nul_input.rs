//! NUL characters in text and JSON inputs. PostgreSQL refuses them (text columns cannot hold
//! `\0`, `jsonb` cannot hold `\u0000`) while SQLite stores them, so every repository rejects
//! them before the database with a `Validation` naming the field, on every backend, and writes
//! nothing.

use memdb_entity::{documents, knowledge_items, knowledge_relationships, organizations, personas};
use memdb_repository::OrganizationRepository;
use memdb_repository::documents::{DocumentFilter, NewDocument};
use memdb_repository::knowledge::{KnowledgeQuery, NeighbourQuery, NewKnowledge, NewRelationship};
use memdb_repository::organizations::{NewOrganization, OrganizationUpdate};
use memdb_repository::personas::{NewPersona, PersonaUpdate};
use memdb_repository::{
    DocumentRepository, KnowledgeRepository, Page, PersonaRepository, RepoError,
    SeaOrmDocumentRepository, SeaOrmKnowledgeRepository, SeaOrmPersonaRepository,
};
use memdb_tests::TestDb;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

/// Text with a NUL in the middle, surrounded by what would otherwise be valid.
const NUL: &str = "ok\0ok";

/// JSON objects with a NUL in a string value, a key, and deep down.
fn nul_objects() -> [Value; 3] {
    [
        json!({"k": "a\0b"}),
        json!({"k\0": 1}),
        json!({"a": [1, {"b": ["fine", {"c\u{0}d": null}]}]}),
    ]
}

/// Makes one field of a valid input hold [`NUL`].
type Spoiler<T> = fn(&mut T);

/// The field a validation error blames; any other outcome fails the test.
fn field<T: std::fmt::Debug>(result: Result<T, RepoError>) -> &'static str {
    match result {
        Err(RepoError::Validation { field, .. }) => field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// Rows in every table the three repositories write.
async fn row_counts(db: &DatabaseConnection) -> [u64; 5] {
    [
        organizations::Entity::find().count(db).await.unwrap(),
        documents::Entity::find().count(db).await.unwrap(),
        knowledge_items::Entity::find().count(db).await.unwrap(),
        knowledge_relationships::Entity::find()
            .count(db)
            .await
            .unwrap(),
        personas::Entity::find().count(db).await.unwrap(),
    ]
}

#[tokio::test]
async fn documents_and_organizations_refuse_nul() {
    let db = TestDb::new().await;
    let repo = SeaOrmDocumentRepository::new(db.pool());
    let orgs = memdb_repository::SeaOrmOrganizationRepository::new(db.pool());
    let org = |name: &str, slug: &str, metadata: Value| NewOrganization {
        name: name.into(),
        slug: slug.into(),
        metadata,
    };
    assert_eq!(field(orgs.create(org(NUL, "a", json!({}))).await), "name");
    assert_eq!(field(orgs.create(org("A", NUL, json!({}))).await), "slug");
    for metadata in nul_objects() {
        let result = orgs.create(org("A", "a", metadata)).await;
        assert_eq!(field(result), "metadata");
    }
    assert_eq!(row_counts(db.conn()).await, [0; 5]);

    let acme = orgs
        .create(org("Acme", "acme", json!({"k": "v"})))
        .await
        .unwrap();
    let rename = OrganizationUpdate {
        name: Some(NUL.into()),
        metadata: None,
    };
    assert_eq!(field(orgs.update(acme.id, rename).await), "name");
    for metadata in nul_objects() {
        let update = OrganizationUpdate {
            name: None,
            metadata: Some(metadata),
        };
        assert_eq!(field(orgs.update(acme.id, update).await), "metadata");
    }
    assert_eq!(orgs.get(acme.id).await.unwrap(), acme);
    assert_eq!(field(orgs.get_by_slug(NUL).await), "slug");

    let valid = || NewDocument {
        organization_id: acme.id,
        path: "docs/a.md".into(),
        title: "A".into(),
        doc_type: "markdown".into(),
        content: "body".into(),
        metadata: json!({}),
    };
    let spoilers: [(&str, Spoiler<NewDocument>); 4] = [
        ("path", |d| d.path = NUL.into()),
        ("title", |d| d.title = NUL.into()),
        ("doc_type", |d| d.doc_type = NUL.into()),
        ("content", |d| d.content = NUL.into()),
    ];
    for (name, spoil) in spoilers {
        let mut input = valid();
        spoil(&mut input);
        assert_eq!(field(repo.create(input).await), name);
    }
    for metadata in nul_objects() {
        let input = NewDocument {
            metadata,
            ..valid()
        };
        assert_eq!(field(repo.create(input).await), "metadata");
    }
    assert_eq!(row_counts(db.conn()).await, [1, 0, 0, 0, 0]);

    let doc = repo.create(valid()).await.unwrap();
    let result = repo.update_content(doc.id, NUL.into()).await;
    assert_eq!(field(result), "content");
    assert_eq!(repo.get(doc.id).await.unwrap(), doc);
    assert_eq!(field(repo.get_by_path(acme.id, NUL).await), "path");
    assert_eq!(
        field(repo.search(None, NUL, Page::default()).await),
        "query"
    );
    let filter = DocumentFilter {
        doc_type: Some(NUL.into()),
    };
    let result = repo.list(acme.id, filter, Page::default()).await;
    assert_eq!(field(result), "doc_type");
    assert_eq!(row_counts(db.conn()).await, [1, 1, 0, 0, 0]);
}

#[tokio::test]
async fn knowledge_refuses_nul() {
    let db = TestDb::new().await;
    let repo = SeaOrmKnowledgeRepository::new(db.pool());
    let valid = || NewKnowledge {
        content: "Rust has no null".into(),
        source: "notes".into(),
        knowledge_type: "fact".into(),
        confidence_score: 0.5,
        retention_score: 0.5,
        metadata: json!({}),
    };
    let spoilers: [(&str, Spoiler<NewKnowledge>); 3] = [
        ("content", |k| k.content = NUL.into()),
        ("source", |k| k.source = NUL.into()),
        ("knowledge_type", |k| k.knowledge_type = NUL.into()),
    ];
    for (name, spoil) in spoilers {
        let mut input = valid();
        spoil(&mut input);
        assert_eq!(field(repo.add(input).await), name);
    }
    for metadata in nul_objects() {
        let input = NewKnowledge {
            metadata,
            ..valid()
        };
        assert_eq!(field(repo.add(input).await), "metadata");
    }
    assert_eq!(row_counts(db.conn()).await, [0; 5]);

    let a = repo.add(valid()).await.unwrap();
    let b = repo.add(valid()).await.unwrap();
    let edge = NewRelationship {
        source_id: a.id,
        target_id: b.id,
        relationship_type: NUL.into(),
        strength: 0.5,
    };
    assert_eq!(field(repo.relate(edge).await), "relationship_type");
    assert_eq!(row_counts(db.conn()).await, [0, 0, 2, 0, 0]);

    let text = KnowledgeQuery {
        text: Some(NUL.into()),
        knowledge_type: None,
    };
    assert_eq!(field(repo.search(text, Page::default()).await), "text");
    let of_type = KnowledgeQuery {
        text: None,
        knowledge_type: Some(NUL.into()),
    };
    let result = repo.search(of_type, Page::default()).await;
    assert_eq!(field(result), "knowledge_type");
    let result = repo.top_by_retention(10, Some(NUL.into())).await;
    assert_eq!(field(result), "knowledge_type");
    let query = NeighbourQuery {
        relationship_type: Some(NUL.into()),
        ..NeighbourQuery::default()
    };
    assert_eq!(
        field(repo.neighbours(a.id, query, Page::default()).await),
        "relationship_type"
    );
}

#[tokio::test]
async fn personas_refuse_nul() {
    let db = TestDb::new().await;
    let repo = SeaOrmPersonaRepository::new(db.pool());
    let valid = || NewPersona {
        name: "helper".into(),
        description: "helps".into(),
        system_prompt: "You help.".into(),
        traits: json!({}),
        is_active: true,
    };
    let spoilers: [(&str, Spoiler<NewPersona>); 3] = [
        ("name", |p| p.name = NUL.into()),
        ("description", |p| p.description = NUL.into()),
        ("system_prompt", |p| p.system_prompt = NUL.into()),
    ];
    for (name, spoil) in spoilers {
        let mut input = valid();
        spoil(&mut input);
        assert_eq!(field(repo.create(input).await), name);
    }
    for traits in nul_objects() {
        let input = NewPersona { traits, ..valid() };
        assert_eq!(field(repo.create(input).await), "traits");
    }
    assert_eq!(row_counts(db.conn()).await, [0; 5]);

    let helper = repo.create(valid()).await.unwrap();
    let updates: [(&str, Spoiler<PersonaUpdate>); 3] = [
        ("name", |u| u.name = Some(NUL.into())),
        ("description", |u| u.description = Some(NUL.into())),
        ("system_prompt", |u| u.system_prompt = Some(NUL.into())),
    ];
    for (name, set) in updates {
        let mut update = PersonaUpdate::default();
        set(&mut update);
        assert_eq!(field(repo.update(helper.id, update).await), name);
    }
    for traits in nul_objects() {
        let update = PersonaUpdate {
            traits: Some(traits),
            ..PersonaUpdate::default()
        };
        assert_eq!(field(repo.update(helper.id, update).await), "traits");
    }
    assert_eq!(repo.get(helper.id).await.unwrap(), helper);
    assert_eq!(field(repo.get_by_name(NUL).await), "name");
    assert_eq!(row_counts(db.conn()).await, [0, 0, 0, 0, 1]);
}

#[tokio::test]
async fn tasks_refuse_nul() {
    use memdb_entity::tasks;
    use memdb_repository::taskmaster::NewTask;
    use memdb_repository::{SeaOrmTaskRepository, TaskRepository};

    let db = TestDb::new().await;
    let repo = SeaOrmTaskRepository::new(db.pool());
    let spoilers: [(&str, Spoiler<NewTask>); 3] = [
        ("prompt", |t| t.prompt = NUL.into()),
        ("created_by", |t| t.created_by = Some(NUL.into())),
        ("input_data", |t| t.input_data = json!({"k": "a\0b"})),
    ];
    for (expected, spoil) in spoilers {
        let mut input = NewTask::new("task");
        spoil(&mut input);
        assert_eq!(field(repo.submit(input).await), expected);
    }
    assert_eq!(tasks::Entity::find().count(db.conn()).await.unwrap(), 0);

    let task = repo.submit(NewTask::new("task")).await.unwrap();
    repo.claim_next("general").await.unwrap();
    for result in nul_objects() {
        assert_eq!(field(repo.complete(task.id, result).await), "result");
    }
    assert_eq!(field(repo.fail(task.id, NUL).await), "error");
    let running = repo.get(task.id).await.unwrap();
    assert_eq!((running.retry_count, running.result_data), (0, None));

    drop(db);
}
