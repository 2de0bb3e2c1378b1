//! Nearest neighbours against a brute-force computation in the test: a few hundred random
//! vectors from a seeded generator, batches smaller than the table so the keyset paging is
//! walked, ties broken by id, and the queries that are refused.

use std::sync::Arc;

use memdb_enhanced_repository::document_index::{
    DocumentIndexRepository, NearestOptions, Neighbour,
};
use memdb_enhanced_repository::limits::NEAREST_K;
use memdb_enhanced_repository::{DocumentIndexId, EnhancedRepositories};
use memdb_tests::TestDb;

use super::document_index::doc;
use super::support::invalid_field;

pub(super) const DIMS: usize = 24;
const ROWS: usize = 300;

/// A small seeded generator (SplitMix64): the same vectors on every run.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A component in -1..1.
    fn component(&mut self) -> f32 {
        // 24 random bits, exactly representable.
        #[allow(clippy::cast_precision_loss, reason = "24 bits fit an f32 exactly")]
        let unit = (self.next() >> 40) as f32 / (1u64 << 24) as f32;
        unit * 2.0 - 1.0
    }

    pub(super) fn vector(&mut self) -> Vec<f32> {
        (0..DIMS).map(|_| self.component()).collect()
    }
}

/// Cosine similarity computed here, independently of the repository, in f64.
pub(super) fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let dot: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| f64::from(*x) * f64::from(*y))
        .sum();
    let norm = |v: &[f32]| v.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
    dot / (norm(a) * norm(b))
}

/// The `k` best of `rows` for `query` by brute force: highest similarity, then smallest id.
pub(super) fn brute_force(
    rows: &[(DocumentIndexId, Vec<f32>)],
    query: &[f32],
    k: usize,
) -> Vec<(DocumentIndexId, f64)> {
    let mut scored: Vec<(DocumentIndexId, f64)> =
        rows.iter().map(|(id, v)| (*id, cosine(query, v))).collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scored.truncate(k);
    scored
}

async fn indexed(
    repo: &Arc<dyn DocumentIndexRepository>,
    rng: &mut Rng,
) -> Vec<(DocumentIndexId, Vec<f32>)> {
    let mut rows = Vec::new();
    for i in 0..ROWS {
        let id = repo
            .upsert(doc(&format!("n/{i}.md"), i as u64))
            .await
            .unwrap()
            .into_document()
            .id;
        let vector = rng.vector();
        repo.set_embedding(id.into(), "m24", &vector).await.unwrap();
        rows.push((id, vector));
    }
    rows
}

pub(super) fn summary(found: &[Neighbour]) -> Vec<(DocumentIndexId, f64)> {
    found
        .iter()
        .map(|n| (n.document.id, n.similarity))
        .collect()
}

#[tokio::test]
async fn nearest_matches_brute_force_in_any_batch_size() {
    let db = TestDb::new().await;
    let repo = EnhancedRepositories::from_connection(db.pool()).document_index;
    let mut rng = Rng(0x5eed);
    let rows = indexed(&repo, &mut rng).await;
    // A row of another model and one without an embedding are never candidates.
    let other = repo
        .upsert(doc("other.md", 1))
        .await
        .unwrap()
        .into_document();
    repo.set_embedding(other.id.into(), "m3", &[1.0, 0.0, 0.0])
        .await
        .unwrap();
    repo.upsert(doc("bare.md", 1)).await.unwrap();

    for (round, (k, batch)) in [
        (1, 7),
        (5, 64),
        (10, 512),
        (50, 1),
        (ROWS, 100),
        (NEAREST_K, 299),
    ]
    .into_iter()
    .enumerate()
    {
        let query = rng.vector();
        let options = NearestOptions::default().batch_size(batch).unwrap();
        let found = repo.nearest("m24", &query, k, options).await.unwrap();
        let expected = brute_force(&rows, &query, k);
        assert_eq!(found.len(), expected.len(), "round {round}");
        for ((id, score), (want_id, want)) in summary(&found).into_iter().zip(expected) {
            assert_eq!(id, want_id, "round {round}");
            assert!(
                (score - want).abs() < 1e-9,
                "round {round}: {score} vs {want}"
            );
        }
        assert!(found.iter().all(|n| n.document.embedding.is_none()));
    }

    // Asked for, the vectors come along, bit for bit.
    let query = rows[17].1.clone();
    let options = NearestOptions::default().with_vectors();
    let found = repo.nearest("m24", &query, 3, options).await.unwrap();
    assert_eq!(found[0].document.id, rows[17].0);
    assert!((found[0].similarity - 1.0).abs() < 1e-9);
    let embedding = found[0].document.embedding.as_ref().unwrap();
    assert_eq!(embedding.model, "m24");
    assert_eq!(embedding.vector, rows[17].1);

    // A model nothing was embedded with has no neighbours.
    assert!(
        repo.nearest("unknown", &query, 3, NearestOptions::default())
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn equal_scores_are_ordered_by_id() {
    let db = TestDb::new().await;
    let repo = EnhancedRepositories::from_connection(db.pool()).document_index;
    let mut ids = Vec::new();
    for (i, scale) in (0..9).zip([1.0_f32, 2.0, 3.0].into_iter().cycle()) {
        let id = repo
            .upsert(doc(&format!("t/{i}.md"), i))
            .await
            .unwrap()
            .into_document()
            .id;
        // Parallel vectors of different lengths: all exactly as similar to the query.
        repo.set_embedding(id.into(), "m2", &[scale, scale])
            .await
            .unwrap();
        ids.push(id);
    }
    ids.sort();
    for batch in [1, 2, 4, 100] {
        let options = NearestOptions::default().batch_size(batch).unwrap();
        let found = repo.nearest("m2", &[3.0, 3.0], 4, options).await.unwrap();
        let found: Vec<DocumentIndexId> = found.iter().map(|n| n.document.id).collect();
        assert_eq!(found, ids[..4], "batch {batch}");
    }
}

#[tokio::test]
async fn bad_queries_are_refused() {
    let db = TestDb::new().await;
    let repo = EnhancedRepositories::from_connection(db.pool()).document_index;
    let id = repo
        .upsert(doc("q.md", 1))
        .await
        .unwrap()
        .into_document()
        .id;
    repo.set_embedding(id.into(), "m3", &[1.0, 2.0, 3.0])
        .await
        .unwrap();
    let options = NearestOptions::default();
    let cases: [(&str, Vec<f32>, usize, &str); 9] = [
        ("m3", vec![1.0, 2.0], 1, "query"),
        ("m3", vec![1.0, 2.0, 3.0, 4.0], 1, "query"),
        ("m3", vec![1.0, f32::NAN, 3.0], 1, "query"),
        ("m3", vec![1.0, f32::NEG_INFINITY, 3.0], 1, "query"),
        ("m3", vec![0.0, -0.0, 0.0], 1, "query"),
        ("m3", vec![], 1, "query"),
        ("m3", vec![1.0, 2.0, 3.0], 0, "k"),
        ("m3", vec![1.0, 2.0, 3.0], NEAREST_K + 1, "k"),
        (" ", vec![1.0, 2.0, 3.0], 1, "model"),
    ];
    for (model, query, k, field) in cases {
        assert_eq!(
            invalid_field(repo.nearest(model, &query, k, options.clone()).await),
            field,
            "{model:?} {query:?} {k}"
        );
    }
    for rows in [0, 4097] {
        assert_eq!(
            invalid_field(NearestOptions::default().batch_size(rows)),
            "batch_size"
        );
    }
}
