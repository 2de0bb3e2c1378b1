//! Bulk writes of documents and knowledge (`create_many`, `add_many`, `relate_many`): larger
//! than one statement, all or nothing, every input checked first, errors naming the input.
//! Tasks in bulk are in `bulk_tasks.rs`.

use memdb_entity::{documents, knowledge_items, knowledge_relationships};
use memdb_repository::documents::NewDocument;
use memdb_repository::knowledge::{Direction, NeighbourQuery, NewKnowledge, NewRelationship};
use memdb_repository::{
    ConflictKind, KnowledgeId, OrganizationId, Page, RepoError, RepoResult, Repositories,
};
use memdb_tests::TestDb;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use serde_json::json;

use crate::fixtures::acme;

pub(crate) fn document(organization: OrganizationId, i: usize) -> NewDocument {
    NewDocument {
        organization_id: organization,
        path: format!("docs/{i:05}.md"),
        title: format!("Document {i}"),
        doc_type: "markdown".into(),
        content: format!("the content of document {i}, é and 🦀"),
        // Varied JSON: what comes back must be what the database gives back.
        metadata: json!({ "n": i, "half": f64::from(u32::try_from(i).unwrap()) / 2.0, "tags": ["a", i % 7], "nested": {"x": null} }),
    }
}

fn item(i: usize) -> NewKnowledge {
    NewKnowledge {
        content: format!("fact {i}"),
        source: "bulk".into(),
        knowledge_type: "fact".into(),
        confidence_score: f64::from(u32::try_from(i % 100).unwrap()) / 100.0,
        retention_score: 0.5,
        metadata: json!({}),
    }
}

fn edge(source: KnowledgeId, target: KnowledgeId, relationship_type: &str) -> NewRelationship {
    NewRelationship {
        source_id: source,
        target_id: target,
        relationship_type: relationship_type.into(),
        strength: 0.5,
    }
}

pub(crate) async fn count<E>(db: &DatabaseConnection) -> u64
where
    E: EntityTrait,
    E::Model: Sync,
{
    E::find().count(db).await.unwrap()
}

/// The field and reason of a validation error; any other outcome fails the test.
pub(crate) fn invalid<T: std::fmt::Debug>(result: RepoResult<T>) -> (&'static str, String) {
    match result {
        Err(RepoError::Validation { field, reason }) => (field, reason),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// The message of a `Duplicate` conflict; any other outcome fails the test.
pub(crate) fn duplicate<T: std::fmt::Debug>(result: RepoResult<T>) -> String {
    match result {
        Err(RepoError::Conflict {
            kind: ConflictKind::Duplicate,
            message,
        }) => message,
        other => panic!("expected a duplicate conflict, got {other:?}"),
    }
}

#[tokio::test]
async fn thousands_of_documents_in_one_call_are_stored_as_returned() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());
    let org = acme(repos.organizations.as_ref()).await.id;
    // 5 000 rows of 11 columns: several INSERT statements on every backend.
    let inputs: Vec<NewDocument> = (0..5000).map(|i| document(org, i)).collect();
    let created = repos.documents.create_many(inputs.clone()).await.unwrap();

    assert_eq!(count::<documents::Entity>(db.conn()).await, 5000);
    assert_eq!(created.len(), 5000);
    for (input, document) in inputs.iter().zip(&created) {
        assert_eq!(
            (&document.path, &document.content),
            (&input.path, &input.content)
        );
    }
    for i in [0, 1, 999, 1000, 1001, 2500, 4998, 4999] {
        assert_eq!(
            repos.documents.get(created[i].id).await.unwrap(),
            created[i]
        );
    }
    let by_path = repos
        .documents
        .get_by_path(org, "docs/03000.md")
        .await
        .unwrap();
    assert_eq!(by_path, created[3000]);
}

#[tokio::test]
async fn a_bad_document_in_the_middle_is_named_and_nothing_is_written() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());
    let org = acme(repos.organizations.as_ref()).await.id;
    let mut inputs: Vec<NewDocument> = (0..3000).map(|i| document(org, i)).collect();
    inputs[2042].title = " \u{200B} ".into();
    let (field, reason) = invalid(repos.documents.create_many(inputs.clone()).await);
    assert_eq!(field, "title");
    assert!(reason.starts_with("input 2042: "), "{reason}");

    inputs[2042].title = "fixed".into();
    inputs[1500].organization_id = OrganizationId::new();
    let (field, reason) = invalid(repos.documents.create_many(inputs).await);
    assert_eq!(field, "organization_id");
    assert!(reason.starts_with("input 1500: "), "{reason}");
    assert_eq!(count::<documents::Entity>(db.conn()).await, 0);
}

#[tokio::test]
async fn duplicate_paths_in_the_batch_or_stored_conflict_and_nothing_is_written() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());
    let org = acme(repos.organizations.as_ref()).await.id;
    let docs = &repos.documents;

    let mut inputs: Vec<NewDocument> = (0..2000).map(|i| document(org, i)).collect();
    inputs[1700].path = inputs[12].path.clone();
    let message = duplicate(docs.create_many(inputs.clone()).await);
    assert!(message.starts_with("input 1700: input 12 "), "{message}");
    assert_eq!(count::<documents::Entity>(db.conn()).await, 0);

    // A path stored before: the chunks inserted before the failing one are rolled back too.
    let stored = docs.create(document(org, 1_000_000)).await.unwrap();
    inputs[1700] = document(org, 1700);
    inputs[1800].path.clone_from(&stored.path);
    let message = duplicate(docs.create_many(inputs.clone()).await);
    assert!(message.starts_with("input 1800: "), "{message}");
    assert!(message.contains(&stored.path), "{message}");
    assert_eq!(count::<documents::Entity>(db.conn()).await, 1);

    // The same path in another organization is no duplicate.
    inputs[1800] = document(org, 1800);
    let other = repos
        .organizations
        .create(memdb_repository::organizations::NewOrganization {
            name: "Other".into(),
            slug: "other".into(),
            metadata: json!({}),
        })
        .await
        .unwrap();
    inputs[5].organization_id = other.id;
    inputs[5].path = inputs[6].path.clone();
    assert_eq!(docs.create_many(inputs).await.unwrap().len(), 2000);
}

#[tokio::test]
async fn empty_batches_touch_no_database() {
    let db = TestDb::new().await;
    // A closed pool: any statement, or any transaction, would fail.
    let closed = memdb_repository::connect(db.url()).await.unwrap();
    closed.close_by_ref().await.unwrap();
    let repos = Repositories::from_connection(closed);
    assert!(
        repos
            .documents
            .create_many(Vec::new())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        repos
            .knowledge
            .add_many(Vec::new())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        repos
            .knowledge
            .relate_many(Vec::new())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        repos
            .tasks
            .submit_many(Vec::new())
            .await
            .unwrap()
            .is_empty()
    );
    // The pool is really unusable: a batch of one fails.
    assert!(repos.knowledge.add_many(vec![item(0)]).await.is_err());
}

#[tokio::test]
async fn twenty_thousand_small_rows_in_one_call() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());
    let added = repos
        .knowledge
        .add_many((0..20_000).map(item).collect())
        .await
        .unwrap();
    assert_eq!(count::<knowledge_items::Entity>(db.conn()).await, 20_000);
    for i in [0, 999, 1000, 12_345, 19_999] {
        assert_eq!(repos.knowledge.peek(added[i].id).await.unwrap(), added[i]);
        assert_eq!(added[i].content, format!("fact {i}"));
    }

    let mut bad: Vec<NewKnowledge> = (0..5000).map(item).collect();
    bad[4321].confidence_score = f64::NAN;
    let (field, reason) = invalid(repos.knowledge.add_many(bad).await);
    assert_eq!(field, "confidence_score");
    assert!(reason.starts_with("input 4321: "), "{reason}");
    assert_eq!(count::<knowledge_items::Entity>(db.conn()).await, 20_000);
}

#[tokio::test]
async fn relationships_in_bulk() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());
    let k = &repos.knowledge;
    let ids: Vec<KnowledgeId> = k
        .add_many((0..3000).map(item).collect())
        .await
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    // A chain through every item, and a star around the first: more than one statement.
    let mut edges: Vec<NewRelationship> =
        ids.windows(2).map(|w| edge(w[0], w[1], "next")).collect();
    edges.extend(ids[1..].iter().map(|id| edge(ids[0], *id, "hub")));
    let related = k.relate_many(edges.clone()).await.unwrap();
    assert_eq!(related.len(), 2999 * 2);
    assert_eq!(related[0].source_id, ids[0]);
    assert_eq!(
        count::<knowledge_relationships::Entity>(db.conn()).await,
        5998
    );
    let around_middle = NeighbourQuery {
        relationship_type: Some("next".into()),
        direction: Direction::Both,
    };
    let neighbours = k
        .neighbours(ids[1500], around_middle, Page::default())
        .await;
    let mut found: Vec<KnowledgeId> = neighbours.unwrap().iter().map(|n| n.item.id).collect();
    found.sort_unstable();
    assert_eq!(found, vec![ids[1499], ids[1501]]);

    // Refused batches write nothing.
    let mut again: Vec<NewRelationship> =
        ids.windows(2).map(|w| edge(w[0], w[1], "again")).collect();
    again[2100] = again[7].clone();
    let message = duplicate(k.relate_many(again.clone()).await);
    assert!(message.starts_with("input 2100: input 7 "), "{message}");
    again[2100] = edges[5].clone();
    let message = duplicate(k.relate_many(again.clone()).await);
    assert!(message.starts_with("input 2100: "), "{message}");
    again[2100] = edge(ids[5], KnowledgeId::new(), "again");
    let (field, reason) = invalid(k.relate_many(again.clone()).await);
    assert_eq!(field, "reference");
    assert!(reason.starts_with("input 2100: "), "{reason}");
    again[2100] = edge(ids[5], ids[5], "again");
    let (field, reason) = invalid(k.relate_many(again).await);
    assert_eq!(field, "target_id");
    assert!(reason.starts_with("input 2100: "), "{reason}");
    assert_eq!(
        count::<knowledge_relationships::Entity>(db.conn()).await,
        5998
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_batches_of_the_same_paths_store_one_of_them() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());
    let org = acme(repos.organizations.as_ref()).await.id;
    for round in 0..5 {
        let batch: Vec<NewDocument> = (0..1500)
            .map(|i| document(org, round * 10_000 + i))
            .collect();
        // Disjoint apart from their last row: both calls write, one of them must lose.
        let mut other: Vec<NewDocument> = (0..1500)
            .map(|i| document(org, round * 10_000 + 5000 + i))
            .collect();
        other[1499] = batch[1499].clone();
        let (a, b) = (repos.documents.clone(), repos.documents.clone());
        let (first, second) = tokio::join!(
            tokio::spawn(async move { a.create_many(batch).await }),
            tokio::spawn(async move { b.create_many(other).await }),
        );
        let outcomes = [first.unwrap(), second.unwrap()];
        assert_eq!(
            outcomes.iter().filter(|o| o.is_ok()).count(),
            1,
            "{outcomes:?}"
        );
        let lost = outcomes.into_iter().find(Result::is_err).unwrap();
        assert!(duplicate(lost).starts_with("input 1499: "));
        let stored = count::<documents::Entity>(db.conn()).await;
        assert_eq!(stored, 1500 * (round as u64 + 1));
    }
}
