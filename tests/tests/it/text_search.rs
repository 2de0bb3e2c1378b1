//! Case-insensitive text search on both backends. The database lowercases both the column and
//! the pattern with its own `LOWER`: ASCII only on SQLite, all of Unicode on PostgreSQL. A needle
//! in the stored case must match everywhere, whatever letters it holds.

use memdb_repository::documents::NewDocument;
use memdb_repository::knowledge::{KnowledgeQuery, NewKnowledge};
use memdb_repository::{
    DocumentRepository, KnowledgeRepository, Page, SeaOrmDocumentRepository,
    SeaOrmKnowledgeRepository,
};
use memdb_tests::TestDb;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::json;

/// Whether the database's `LOWER` folds non-ASCII letters: never on SQLite; on PostgreSQL when
/// the database's `LC_CTYPE` is a UTF-8 locale (the usual setting, `C.UTF-8` included).
async fn folds_unicode(db: &TestDb) -> bool {
    let sql = "SELECT CASE WHEN LOWER('É') = 'é' THEN 1 ELSE 0 END AS folds";
    let row = db
        .conn()
        .query_one_raw(Statement::from_string(db.backend(), sql))
        .await
        .unwrap()
        .expect("one row");
    let folds = row.try_get::<i32>("", "folds").unwrap() == 1;
    assert!(
        !folds || db.backend() == DbBackend::Postgres,
        "SQLite folds ASCII only"
    );
    folds
}

#[tokio::test]
async fn document_search_folds_case_like_the_database() {
    let db = TestDb::new().await;
    let repo = SeaOrmDocumentRepository::new(db.pool());
    let orgs = memdb_repository::SeaOrmOrganizationRepository::new(db.pool());
    let org = crate::fixtures::acme(&orgs).await;
    let doc = |path: &str, title: &str, content: &str| NewDocument {
        organization_id: org.id,
        path: path.into(),
        title: title.into(),
        doc_type: "markdown".into(),
        content: content.into(),
        metadata: json!({}),
    };
    let title = repo
        .create(doc("fr/ecole.md", "École Été", "plain ascii body"))
        .await
        .unwrap();
    let content = repo
        .create(doc("de/strasse.md", "Street", "Die Straße in ÜBERLINGEN"))
        .await
        .unwrap();
    repo.create(doc("en/other.md", "Other", "nothing here"))
        .await
        .unwrap();
    let paths = async |query: &str| -> Vec<String> {
        let found = repo.search(Some(org.id), query, Page::default()).await;
        found.unwrap().into_iter().map(|d| d.path).collect()
    };

    // The stored case, non-ASCII letters included, matches on every backend.
    assert_eq!(paths("École").await, [title.path.as_str()]);
    assert_eq!(paths("Été").await, [title.path.as_str()]);
    assert_eq!(paths("Straße in Ü").await, [content.path.as_str()]);
    // ASCII letters match in any case on every backend.
    assert_eq!(paths("COLE").await, [title.path.as_str()]);
    assert_eq!(paths("die STRA").await, [content.path.as_str()]);
    assert_eq!(paths("uberlingen").await, Vec::<String>::new());
    // Non-ASCII letters in another case: only PostgreSQL (under a UTF-8 locale) folds them.
    let folded = paths("école été").await;
    let folded_body = paths("überlingen").await;
    if folds_unicode(&db).await {
        assert_eq!(folded, [title.path.as_str()]);
        assert_eq!(folded_body, [content.path.as_str()]);
    } else {
        assert!(folded.is_empty(), "{folded:?}");
        assert!(folded_body.is_empty(), "{folded_body:?}");
    }
}

#[tokio::test]
async fn knowledge_search_folds_case_like_the_database() {
    let db = TestDb::new().await;
    let repo = SeaOrmKnowledgeRepository::new(db.pool());
    let add = async |content: &str| {
        let input = NewKnowledge {
            content: content.into(),
            source: "notes".into(),
            knowledge_type: "fact".into(),
            confidence_score: 0.5,
            retention_score: 0.5,
            metadata: json!({}),
        };
        repo.add(input).await.unwrap()
    };
    let cafe = add("Le Café Ünïcode").await;
    add("Plain ASCII").await;
    let contents = async |text: &str| -> Vec<String> {
        let query = KnowledgeQuery {
            text: Some(text.into()),
            knowledge_type: None,
        };
        let found = repo.search(query, Page::default()).await.unwrap();
        found.into_iter().map(|k| k.content).collect()
    };

    assert_eq!(contents("Café Ünï").await, [cafe.content.as_str()]);
    assert_eq!(contents("LE CAF").await, [cafe.content.as_str()]);
    let folded = contents("CAFÉ üNÏ").await;
    if folds_unicode(&db).await {
        assert_eq!(folded, [cafe.content.as_str()]);
    } else {
        assert!(folded.is_empty(), "{folded:?}");
    }
}
