//! The edges of the accepted input ranges, on every backend: the largest page offset lists
//! without error, and JSON nested as deep as the repositories accept is read back intact while
//! one level more is refused before anything is written.

use memdb_repository::OrganizationRepository;
use memdb_repository::documents::DocumentFilter;
use memdb_repository::knowledge::KnowledgeQuery;
use memdb_repository::organizations::NewOrganization;
use memdb_repository::personas::PersonaFilter;
use memdb_repository::{
    DocumentRepository, KnowledgeRepository, Page, PersonaRepository, RepoError,
    SeaOrmDocumentRepository, SeaOrmKnowledgeRepository, SeaOrmPersonaRepository,
};
use memdb_tests::TestDb;
use serde_json::{Value, json};

#[tokio::test]
async fn the_largest_offset_lists_nothing_on_every_backend() {
    let db = TestDb::new().await;
    let docs = SeaOrmDocumentRepository::new(db.pool());
    let orgs = memdb_repository::SeaOrmOrganizationRepository::new(db.pool());
    let org = crate::fixtures::acme(&orgs).await;
    let far = Page::new(10, Page::MAX_OFFSET).unwrap();
    assert!(orgs.list(far).await.unwrap().is_empty());
    let listed = docs.list(org.id, DocumentFilter::default(), far).await;
    assert!(listed.unwrap().is_empty());
    assert!(docs.search(None, "a", far).await.unwrap().is_empty());
    let knowledge = SeaOrmKnowledgeRepository::new(db.pool());
    let found = knowledge.search(KnowledgeQuery::default(), far).await;
    assert!(found.unwrap().is_empty());
    let personas = SeaOrmPersonaRepository::new(db.pool());
    let listed = personas.list(PersonaFilter::default(), far).await;
    assert!(listed.unwrap().is_empty());
    assert!(matches!(
        Page::new(10, u64::MAX),
        Err(RepoError::Validation {
            field: "offset",
            ..
        })
    ));
}

/// An object holding `depth` arrays and objects nested inside one another.
fn nested(depth: usize) -> Value {
    let mut value = json!("bottom");
    for level in 1..depth {
        value = if level % 2 == 0 {
            json!({ "k": value })
        } else {
            json!([value])
        };
    }
    json!({ "deep": value })
}

#[tokio::test]
async fn json_nesting_is_limited_to_what_reads_back() {
    let db = TestDb::new().await;
    let orgs = memdb_repository::SeaOrmOrganizationRepository::new(db.pool());
    let org = |slug: &str, depth: usize| NewOrganization {
        name: slug.into(),
        slug: slug.into(),
        metadata: nested(depth),
    };
    // serde_json, which parses every stored value back, allows 127 levels.
    let deepest = orgs.create(org("deep", 127)).await.unwrap();
    assert_eq!(deepest.metadata, nested(127));
    let listed = orgs.list(Page::default()).await.unwrap();
    assert_eq!(listed, [deepest]);
    // One level more would be stored and then fail every read of the row.
    let refused = orgs.create(org("deeper", 128)).await;
    assert!(
        matches!(
            refused,
            Err(RepoError::Validation {
                field: "metadata",
                ..
            })
        ),
        "{refused:?}"
    );
    assert_eq!(orgs.list(Page::default()).await.unwrap().len(), 1);
}
