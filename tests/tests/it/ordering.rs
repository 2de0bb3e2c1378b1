//! Listings order text by code point on every backend, whatever the PostgreSQL database's
//! collation (the test databases there use a linguistic ICU collation on purpose).

use memdb_repository::documents::{DocumentFilter, NewDocument};
use memdb_repository::knowledge::{NeighbourQuery, NewKnowledge, NewRelationship};
use memdb_repository::organizations::NewOrganization;
use memdb_repository::personas::{NewPersona, PersonaFilter};
use memdb_repository::{Page, Repositories};
use memdb_tests::TestDb;
use serde_json::json;

/// In code point order; a linguistic collation would put `_x` first and ignore case.
const NAMES: [&str; 4] = ["Bob", "Zed", "_x", "alice"];

fn shuffled() -> [&'static str; 4] {
    [NAMES[3], NAMES[0], NAMES[2], NAMES[1]]
}

#[tokio::test]
async fn names_paths_and_types_sort_by_code_point() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());

    for name in shuffled() {
        let input = NewOrganization {
            name: name.into(),
            slug: name.to_ascii_lowercase().replace('_', "u"),
            metadata: json!({}),
        };
        repos.organizations.create(input).await.unwrap();
        let persona = NewPersona {
            name: name.into(),
            description: String::new(),
            system_prompt: "prompt".into(),
            traits: json!({}),
            is_active: true,
        };
        repos.personas.create(persona).await.unwrap();
    }
    let organizations = repos.organizations.list(Page::default()).await;
    let names: Vec<String> = organizations.unwrap().into_iter().map(|o| o.name).collect();
    assert_eq!(names, NAMES);
    let personas = repos
        .personas
        .list(PersonaFilter::default(), Page::default());
    let names: Vec<String> = personas
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, NAMES);

    let org = repos.organizations.get_by_slug("bob").await.unwrap();
    for path in shuffled() {
        let doc = NewDocument {
            organization_id: org.id,
            path: path.into(),
            title: path.into(),
            doc_type: "note".into(),
            content: "text".into(),
            metadata: json!({}),
        };
        repos.documents.create(doc).await.unwrap();
    }
    let listed = repos
        .documents
        .list(org.id, DocumentFilter::default(), Page::default())
        .await
        .unwrap();
    let paths: Vec<String> = listed.into_iter().map(|d| d.path).collect();
    assert_eq!(paths, NAMES);

    let item = |content: &str| NewKnowledge {
        content: content.into(),
        source: "ordering".into(),
        knowledge_type: "fact".into(),
        confidence_score: 0.5,
        retention_score: 0.5,
        metadata: json!({}),
    };
    let from = repos.knowledge.add(item("from")).await.unwrap().id;
    let to = repos.knowledge.add(item("to")).await.unwrap().id;
    // Code point order; ICU ignores the punctuation at first and would tie or reorder them.
    let types = ["a-b", "a_b", "ab"];
    for relationship_type in [types[2], types[0], types[1]] {
        let edge = NewRelationship {
            source_id: from,
            target_id: to,
            relationship_type: relationship_type.into(),
            strength: 0.5,
        };
        repos.knowledge.relate(edge).await.unwrap();
    }
    let neighbours = repos
        .knowledge
        .neighbours(from, NeighbourQuery::default(), Page::default())
        .await
        .unwrap();
    let listed: Vec<String> = neighbours
        .into_iter()
        .map(|n| n.relationship_type)
        .collect();
    assert_eq!(listed, types);

    drop(db);
}
