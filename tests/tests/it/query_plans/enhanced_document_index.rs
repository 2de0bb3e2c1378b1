//! Every [`DocumentIndexRepository`](memdb_enhanced_repository::DocumentIndexRepository)
//! statement, the nearest-neighbour scan's batches (a first and a later one) included, for the
//! plan check.

use memdb_enhanced_repository::EnhancedRepositories;
use memdb_enhanced_repository::MetadataFilter;
use memdb_enhanced_repository::document_index::{DocumentKey, NearestOptions, SyncStatus};

use super::recorder::Recorder;
use crate::enhanced::document_index::doc;

pub(super) async fn document_index(repos: &EnhancedRepositories, rec: &Recorder) {
    let index = &repos.document_index;
    rec.call("document_index.upsert inserting");
    let a = index.upsert(doc("a.md", 1)).await.unwrap().into_document();
    let b = index.upsert(doc("b.md", 1)).await.unwrap().into_document();
    index.upsert(doc("c.md", 1)).await.unwrap();
    rec.call("document_index.upsert unchanged");
    index.upsert(doc("a.md", 1)).await.unwrap();
    rec.call("document_index.upsert making stale");
    index.upsert(doc("a.md", 2)).await.unwrap();
    rec.call("document_index.get");
    index.get(a.id).await.unwrap();
    rec.call("document_index.get_by_path");
    index.get_by_path("b.md").await.unwrap();
    rec.call("document_index.set_embedding by id");
    index
        .set_embedding(a.id.into(), "m", &[1.0, 0.0])
        .await
        .unwrap();
    rec.call("document_index.set_embedding by path");
    index
        .set_embedding(DocumentKey::Path("b.md".into()), "m", &[0.0, 1.0])
        .await
        .unwrap();
    rec.call("document_index.set_embedding of another dimension");
    index
        .set_embedding(a.id.into(), "m", &[1.0])
        .await
        .unwrap_err();
    rec.call("document_index.mark_failed by id");
    index.mark_failed(b.id.into()).await.unwrap();
    rec.call("document_index.mark_failed by path");
    index
        .mark_failed(DocumentKey::Path("c.md".into()))
        .await
        .unwrap();
    rec.call("document_index.by_status");
    let first = index.by_status(SyncStatus::Synced, None, 1).await.unwrap();
    rec.call("document_index.by_status, a later page");
    index
        .by_status(SyncStatus::Synced, first.next, 1)
        .await
        .unwrap();
    rec.call("document_index.nearest");
    let options = NearestOptions::default().batch_size(1).unwrap();
    let found = index.nearest("m", &[1.0, 1.0], 2, options).await.unwrap();
    assert_eq!(found.len(), 2);
    rec.call("document_index.nearest with a metadata pre-filter");
    let options = NearestOptions::default()
        .batch_size(1)
        .unwrap()
        .with_filter(MetadataFilter::contains(serde_json::json!({"lang": "en"})));
    index.nearest("m", &[1.0, 1.0], 2, options).await.unwrap();
    rec.call("document_index.delete");
    index.delete(a.id).await.unwrap();
}
