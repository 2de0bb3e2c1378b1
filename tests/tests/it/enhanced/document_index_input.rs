//! Hostile input to the document index: every refusal is typed, names the field and writes
//! nothing; concurrent upserts of one path and concurrent first embeddings of one model from
//! real concurrent callers; the status column holds exactly the Rust enum's values.

use std::sync::Arc;

use memdb_enhanced_entity::document_index;
use memdb_enhanced_repository::document_index::{
    DocumentIndexRepository, DocumentKey, IndexDocument, NearestOptions, SyncStatus, Upserted,
};
use memdb_enhanced_repository::limits::{
    DOCUMENT_TITLE, EMBEDDING_DIMS, EMBEDDING_MODEL, FILE_PATH,
};
use memdb_enhanced_repository::{EnhancedRepositories, RepoError};
use memdb_tests::TestDb;
use memdb_tests::checks::assert_check_allows_exactly;
use sea_orm::sea_query::Expr;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

use super::document_index::{doc, hash};
use super::support::{invalid_field, nested_object};

const CALLERS: usize = 16;

async fn rows(db: &TestDb) -> u64 {
    document_index::Entity::find()
        .count(db.conn())
        .await
        .unwrap()
}

#[tokio::test]
async fn bad_documents_are_refused_field_by_field_and_write_nothing() {
    let db = TestDb::new().await;
    let repo = EnhancedRepositories::from_connection(db.pool()).document_index;
    let with = |f: &dyn Fn(&mut IndexDocument)| {
        let mut d = doc("ok.md", 1);
        f(&mut d);
        d
    };
    let cases: Vec<(IndexDocument, &str)> = vec![
        (with(&|d| d.file_path = " ".into()), "file_path"),
        (with(&|d| d.file_path = "a\0b".into()), "file_path"),
        (
            with(&|d| d.file_path = "p".repeat(FILE_PATH + 1)),
            "file_path",
        ),
        (with(&|d| d.file_path = "€".repeat(700)), "file_path"),
        (with(&|d| d.title = "\u{200b}".into()), "title"),
        (with(&|d| d.title = "t".repeat(DOCUMENT_TITLE + 1)), "title"),
        (
            with(&|d| d.document_type = Some("Markdown".into())),
            "document_type",
        ),
        (
            with(&|d| d.document_type = Some("x'; DROP TABLE document_index; --".into())),
            "document_type",
        ),
        (with(&|d| d.content_hash = "abc".into()), "content_hash"),
        (with(&|d| d.content_hash = "g".repeat(64)), "content_hash"),
        (
            with(&|d| d.content_hash = format!("{}'", &hash(1)[1..])),
            "content_hash",
        ),
        (with(&|d| d.chunk_count = u32::MAX), "chunk_count"),
        (with(&|d| d.metadata = json!([1, 2])), "metadata"),
        (with(&|d| d.metadata = json!({"k": "nul\0"})), "metadata"),
        (with(&|d| d.metadata = nested_object(200)), "metadata"),
    ];
    for (input, field) in cases {
        assert_eq!(invalid_field(repo.upsert(input).await), field);
    }
    assert_eq!(rows(&db).await, 0);
    // Quotes and SQL in values are data.
    let odd = IndexDocument {
        file_path: "it's \"here\"; --".into(),
        title: "Robert'); DROP TABLE document_index;--".into(),
        ..doc("", 1)
    };
    let stored = repo.upsert(odd.clone()).await.unwrap().into_document();
    assert_eq!(stored.file_path, odd.file_path);
    assert_eq!(
        repo.get_by_path(&odd.file_path).await.unwrap().title,
        odd.title
    );
}

#[tokio::test]
async fn bad_embeddings_are_refused_and_write_nothing() {
    let db = TestDb::new().await;
    let repo = EnhancedRepositories::from_connection(db.pool()).document_index;
    let id = repo
        .upsert(doc("e.md", 1))
        .await
        .unwrap()
        .into_document()
        .id;
    let long_model = "m".repeat(EMBEDDING_MODEL + 1);
    let cases: Vec<(&str, Vec<f32>, &str)> = vec![
        ("m", vec![], "embedding"),
        ("m", vec![1.0, f32::NAN], "embedding"),
        ("m", vec![f32::INFINITY, 1.0], "embedding"),
        ("m", vec![0.0; 4], "embedding"),
        ("m", vec![1.0; EMBEDDING_DIMS + 1], "embedding"),
        ("", vec![1.0], "model"),
        ("a\0b", vec![1.0], "model"),
        (&long_model, vec![1.0], "model"),
    ];
    for (model, vector, field) in cases {
        assert_eq!(
            invalid_field(repo.set_embedding(id.into(), model, &vector).await),
            field
        );
    }
    let bad_path = DocumentKey::Path("x\0".into());
    assert_eq!(
        invalid_field(repo.set_embedding(bad_path, "m", &[1.0]).await),
        "path"
    );
    let row = repo.get(id).await.unwrap();
    assert_eq!(
        (row.sync_status, row.embedding),
        (SyncStatus::Pending, None)
    );
    // The largest dimension is accepted.
    repo.set_embedding(id.into(), "big", &vec![0.25; EMBEDDING_DIMS])
        .await
        .unwrap();
}

#[tokio::test]
async fn concurrent_upserts_of_one_path_never_fail() {
    let db = TestDb::new().await;
    let repo: Arc<dyn DocumentIndexRepository> =
        EnhancedRepositories::from_connection(db.pool()).document_index;
    // Half the callers bring content 1, half content 2, all at once.
    let tasks: Vec<_> = (0..CALLERS)
        .map(|i| {
            let repo = Arc::clone(&repo);
            tokio::spawn(async move { repo.upsert(doc("race.md", (i % 2) as u64 + 1)).await })
        })
        .collect();
    let mut inserted = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(Upserted::Inserted(_)) => inserted += 1,
            Ok(_) => {}
            Err(err) => panic!("an upsert failed: {err:?}"),
        }
    }
    assert_eq!(inserted, 1);
    assert_eq!(rows(&db).await, 1);
}

#[tokio::test]
async fn concurrent_first_embeddings_of_one_model_agree_on_its_dimension() {
    let db = TestDb::new().await;
    let repo: Arc<dyn DocumentIndexRepository> =
        EnhancedRepositories::from_connection(db.pool()).document_index;
    let mut ids = Vec::new();
    for i in 0..CALLERS {
        let d = repo.upsert(doc(&format!("d/{i}.md"), 1)).await.unwrap();
        ids.push(d.into_document().id);
    }
    // Each caller stores the first embedding of "fresh" for its own row, with dimension 2 or 3.
    let tasks: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let (repo, id) = (Arc::clone(&repo), *id);
            let vector = vec![1.0; 2 + i % 2];
            tokio::spawn(async move { repo.set_embedding(id.into(), "fresh", &vector).await })
        })
        .collect();
    let mut dims = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(row) => dims.push(row.embedding.unwrap().dims()),
            Err(RepoError::Validation {
                field: "embedding", ..
            }) => {}
            Err(err) => panic!("unexpected: {err:?}"),
        }
    }
    let stored = dims.len();
    dims.sort_unstable();
    dims.dedup();
    assert_eq!(dims.len(), 1, "stored dimensions {dims:?}");
    assert!(stored >= 1);
}

#[tokio::test]
async fn the_status_column_allows_exactly_the_sync_statuses() {
    let db = TestDb::new().await;
    let repo = EnhancedRepositories::from_connection(db.pool()).document_index;
    let id = repo
        .upsert(doc("s.md", 1))
        .await
        .unwrap()
        .into_document()
        .id;
    assert_check_allows_exactly(
        db.conn(),
        ("document_index", "sync_status"),
        ("id", id.as_uuid().into()),
        SyncStatus::VALUES,
    )
    .await;
}

#[tokio::test]
async fn a_vector_changed_behind_memdbs_back_is_reported_not_scored() {
    let db = TestDb::new().await;
    let repo = EnhancedRepositories::from_connection(db.pool()).document_index;
    let id = repo
        .upsert(doc("c.md", 1))
        .await
        .unwrap()
        .into_document()
        .id;
    repo.set_embedding(id.into(), "m", &[1.0, 1.0])
        .await
        .unwrap();
    // The right length for the CHECK constraint, but a NaN inside.
    let poisoned: Vec<u8> = [f32::NAN, 1.0]
        .iter()
        .flat_map(|x| x.to_le_bytes())
        .collect();
    document_index::Entity::update_many()
        .col_expr(document_index::Column::Embedding, Expr::val(poisoned))
        .exec(db.conn())
        .await
        .unwrap();
    let found = repo
        .nearest("m", &[1.0, 0.0], 1, NearestOptions::default())
        .await;
    assert!(matches!(found, Err(RepoError::Corrupt { .. })), "{found:?}");
}
