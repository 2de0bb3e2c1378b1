//! The document index story on a real database: upserts that insert, change nothing, update
//! and make stale; embeddings stored and read back bit for bit; the syncer's work list in
//! keyset pages; failures, deletes, and a model's dimension fixed by its first embedding.

use memdb_enhanced_repository::document_index::{
    DocumentIndexRepository, DocumentKey, IndexDocument, SyncStatus, Upserted,
};
use memdb_enhanced_repository::{DocumentIndexId, EnhancedRepositories, RepoError};
use memdb_tests::TestDb;
use serde_json::json;

use super::support::invalid_field;

/// The `n`th content hash (64 hex digits).
pub(crate) fn hash(n: u64) -> String {
    format!("{n:064x}")
}

/// A document at `path` with content hash `hash(n)`.
pub(crate) fn doc(path: &str, n: u64) -> IndexDocument {
    IndexDocument {
        file_path: path.into(),
        title: format!("Title of {path}"),
        document_type: Some("markdown".into()),
        content_hash: hash(n),
        chunk_count: 3,
        metadata: json!({"lang": "en", "tags": ["a", "b"]}),
    }
}

fn repo(db: &TestDb) -> std::sync::Arc<dyn DocumentIndexRepository> {
    EnhancedRepositories::from_connection(db.pool()).document_index
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[tokio::test]
async fn upserts_insert_keep_update_and_make_stale() {
    let db = TestDb::new().await;
    let repo = repo(&db);

    let Upserted::Inserted(first) = repo.upsert(doc("docs/a.md", 1)).await.unwrap() else {
        panic!("a new path is inserted");
    };
    assert_eq!(first.sync_status, SyncStatus::Pending);
    assert_eq!(first.content_hash, hash(1));
    assert_eq!(first.embedding, None);
    assert_eq!(first.metadata, json!({"lang": "en", "tags": ["a", "b"]}));
    assert_eq!(repo.get(first.id).await.unwrap(), first);
    assert_eq!(repo.get_by_path("docs/a.md").await.unwrap(), first);

    // The same again: nothing written, not even the time.
    let Upserted::Unchanged(same) = repo.upsert(doc("docs/a.md", 1)).await.unwrap() else {
        panic!("an identical upsert changes nothing");
    };
    assert_eq!(same, first);

    // Synced, then a new title with the same hash: updated, still synced.
    repo.set_embedding(first.id.into(), "mini", &[1.0, 2.0])
        .await
        .unwrap();
    let mut retitled = doc("docs/a.md", 1);
    retitled.title = "  A new title ".into();
    retitled.document_type = None;
    let Upserted::Updated(updated) = repo.upsert(retitled).await.unwrap() else {
        panic!("a new title updates");
    };
    assert_eq!(updated.id, first.id);
    assert_eq!(updated.title, "A new title");
    assert_eq!(updated.document_type, None);
    assert_eq!(updated.sync_status, SyncStatus::Synced);
    assert!(updated.updated_at >= first.updated_at);

    // Another hash: stale, the old embedding kept until replaced.
    let Upserted::MadeStale(stale) = repo.upsert(doc("docs/a.md", 2)).await.unwrap() else {
        panic!("a new content hash makes the row stale");
    };
    assert_eq!(stale.sync_status, SyncStatus::Stale);
    assert_eq!(stale.content_hash, hash(2));
    assert_eq!(stale.embedding.as_ref().unwrap().vector, vec![1.0, 2.0]);
    assert_eq!(stale.created_at, first.created_at);

    // Stale with the same hash again and new metadata: updated, still stale.
    let mut more = doc("docs/a.md", 2);
    more.metadata = json!({"lang": "de"});
    let Upserted::Updated(still) = repo.upsert(more).await.unwrap() else {
        panic!("new metadata updates");
    };
    assert_eq!(still.sync_status, SyncStatus::Stale);
    assert_eq!(still.metadata, json!({"lang": "de"}));

    // Upper-case digests are one with lower-case ones.
    let upper = IndexDocument {
        content_hash: hash(2).to_uppercase(),
        metadata: json!({"lang": "de"}),
        ..doc("docs/a.md", 2)
    };
    assert!(matches!(
        repo.upsert(upper).await.unwrap(),
        Upserted::Unchanged(_)
    ));
}

#[tokio::test]
async fn embeddings_round_trip_bit_for_bit() {
    let db = TestDb::new().await;
    let repo = repo(&db);
    let id = repo
        .upsert(doc("e.md", 1))
        .await
        .unwrap()
        .into_document()
        .id;
    let vector = [
        -0.0,
        0.0,
        1.0e-45,                 // the smallest subnormal
        f32::MIN_POSITIVE / 3.0, // another subnormal
        -f32::MAX,
        f32::MAX,
        std::f32::consts::PI,
        -1.5e-38,
    ];
    let synced = repo
        .set_embedding(DocumentKey::Path("e.md".into()), "model-x", &vector)
        .await
        .unwrap();
    assert_eq!(synced.sync_status, SyncStatus::Synced);
    assert!(synced.last_synced_at.is_some());
    let read = repo.get(id).await.unwrap().embedding.unwrap();
    assert_eq!(read.model, "model-x");
    assert_eq!(read.dims(), vector.len());
    assert_eq!(bits(&read.vector), bits(&vector));
    assert_eq!(bits(&synced.embedding.unwrap().vector), bits(&vector));

    // Replacing it with another vector of the same model.
    let next = [1.0; 8];
    repo.set_embedding(id.into(), "model-x", &next)
        .await
        .unwrap();
    let read = repo.get_by_path("e.md").await.unwrap().embedding.unwrap();
    assert_eq!(bits(&read.vector), bits(&next));
}

#[tokio::test]
async fn a_models_dimension_is_fixed_by_its_first_embedding() {
    let db = TestDb::new().await;
    let repo = repo(&db);
    let a = repo.upsert(doc("a.md", 1)).await.unwrap().into_document();
    let b = repo.upsert(doc("b.md", 1)).await.unwrap().into_document();
    repo.set_embedding(a.id.into(), "m", &[1.0, 0.0, 0.0])
        .await
        .unwrap();
    let refused = repo.set_embedding(b.id.into(), "m", &[1.0, 0.0]).await;
    assert_eq!(invalid_field(refused), "embedding");
    // Nothing written: b is still pending without an embedding.
    let b_now = repo.get(b.id).await.unwrap();
    assert_eq!(
        (b_now.sync_status, b_now.embedding),
        (SyncStatus::Pending, None)
    );
    // Another model has its own dimension.
    repo.set_embedding(b.id.into(), "other", &[1.0, 0.0])
        .await
        .unwrap();
    // Once no row keeps an embedding of `m`, its dimension is free again.
    repo.delete(a.id).await.unwrap();
    repo.set_embedding(b.id.into(), "m", &[1.0; 5])
        .await
        .unwrap();
}

#[tokio::test]
async fn failures_deletes_and_the_work_list() {
    let db = TestDb::new().await;
    let repo = repo(&db);
    let mut ids = Vec::new();
    for i in 0..7 {
        let d = repo.upsert(doc(&format!("w/{i}.md"), i)).await.unwrap();
        ids.push(d.into_document().id);
    }
    let failed = repo
        .mark_failed(DocumentKey::Path("w/3.md".into()))
        .await
        .unwrap();
    assert_eq!(failed.sync_status, SyncStatus::Failed);
    repo.set_embedding(ids[5].into(), "m", &[0.5])
        .await
        .unwrap();
    // A failure keeps the embedding it had.
    let kept = repo.mark_failed(ids[5].into()).await.unwrap();
    assert_eq!(kept.embedding.unwrap().vector, vec![0.5]);

    // Pending: 0, 1, 2, 4, 6 in id order, in pages of 2.
    let mut listed = Vec::new();
    let mut after = None;
    loop {
        let page = repo.by_status(SyncStatus::Pending, after, 2).await.unwrap();
        assert!(page.documents.len() <= 2);
        listed.extend(page.documents.iter().map(|d| d.id));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(listed, vec![ids[0], ids[1], ids[2], ids[4], ids[6]]);
    let failed: Vec<DocumentIndexId> = repo
        .by_status(SyncStatus::Failed, None, 10)
        .await
        .unwrap()
        .documents
        .iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(failed, vec![ids[3], ids[5]]);
    assert_eq!(
        invalid_field(repo.by_status(SyncStatus::Stale, None, 0).await),
        "limit"
    );

    repo.delete(ids[0]).await.unwrap();
    assert!(matches!(
        repo.get(ids[0]).await,
        Err(RepoError::NotFound { .. })
    ));
    assert!(matches!(
        repo.delete(ids[0]).await,
        Err(RepoError::NotFound { .. })
    ));
    for missing in [
        repo.mark_failed(ids[0].into()).await,
        repo.mark_failed(DocumentKey::Path("nowhere.md".into()))
            .await,
        repo.set_embedding(DocumentIndexId::new().into(), "m", &[1.0])
            .await,
        repo.get_by_path("nowhere.md").await,
    ] {
        assert!(
            matches!(missing, Err(RepoError::NotFound { .. })),
            "{missing:?}"
        );
    }
}
