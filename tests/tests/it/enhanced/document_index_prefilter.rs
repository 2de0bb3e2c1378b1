//! Nearest neighbours with a metadata pre-filter: only the documents the filter matches are
//! candidates (the database excludes the others), the result equals brute force over those
//! documents, and an invalid filter is refused before anything is read.

use memdb_enhanced_repository::EnhancedRepositories;
use memdb_enhanced_repository::MetadataFilter;
use memdb_enhanced_repository::document_index::NearestOptions;
use memdb_tests::TestDb;
use serde_json::json;

use super::document_index::doc;
use super::document_index_nearest::{Rng, brute_force, summary};
use super::support::invalid_field;

/// Which documents (by number and language) a filter should keep.
type Keep = Box<dyn Fn(u64, &str) -> bool>;

#[tokio::test]
async fn a_prefilter_limits_the_candidates_to_the_matching_documents() {
    let db = TestDb::new().await;
    let repo = EnhancedRepositories::from_connection(db.pool()).document_index;
    let mut rng = Rng(0xf11e);
    let mut rows = Vec::new();
    for i in 0..120_u64 {
        let mut input = doc(&format!("p/{i}.md"), i);
        let lang = ["en", "de", "fr"][usize::try_from(i % 3).unwrap()];
        input.metadata = json!({"lang": lang, "n": i, "tags": if i % 2 == 0 { json!(["even"]) } else { json!([]) }});
        let id = repo.upsert(input).await.unwrap().into_document().id;
        let vector = rng.vector();
        repo.set_embedding(id.into(), "m24", &vector).await.unwrap();
        rows.push((id, i, lang, vector));
    }

    let filters: Vec<(MetadataFilter, Keep)> = vec![
        (
            MetadataFilter::contains(json!({"lang": "de"})),
            Box::new(|_, lang| lang == "de"),
        ),
        (
            MetadataFilter::contains(json!({"tags": ["even"]})) & MetadataFilter::gte("n", 60),
            Box::new(|i, _| i % 2 == 0 && i >= 60),
        ),
        (
            !MetadataFilter::one_of("lang", ["en", "fr"]),
            Box::new(|_, lang| lang == "de"),
        ),
        (MetadataFilter::gt("n", 1000), Box::new(|_, _| false)),
    ];
    for (round, (filter, keep)) in filters.into_iter().enumerate() {
        let query = rng.vector();
        let matching: Vec<_> = rows
            .iter()
            .filter(|(_, i, lang, _)| keep(*i, lang))
            .map(|(id, _, _, v)| (*id, v.clone()))
            .collect();
        let options = NearestOptions::default()
            .batch_size(16)
            .unwrap()
            .with_filter(filter);
        let found = repo.nearest("m24", &query, 10, options).await.unwrap();
        let expected = brute_force(&matching, &query, 10);
        assert_eq!(found.len(), expected.len(), "round {round}");
        for ((id, score), (want_id, want)) in summary(&found).into_iter().zip(expected) {
            assert_eq!(id, want_id, "round {round}");
            assert!((score - want).abs() < 1e-9, "round {round}");
        }
    }
}

#[tokio::test]
async fn an_invalid_prefilter_is_refused() {
    let db = TestDb::new().await;
    let repo = EnhancedRepositories::from_connection(db.pool()).document_index;
    let id = repo
        .upsert(doc("one.md", 1))
        .await
        .unwrap()
        .into_document()
        .id;
    repo.set_embedding(id.into(), "m2", &[1.0, 0.0])
        .await
        .unwrap();
    for filter in [
        MetadataFilter::eq("a'; DROP TABLE document_index; --", "x"),
        MetadataFilter::contains(json!(["not", "an", "object"])),
    ] {
        let options = NearestOptions::default().with_filter(filter);
        let result = repo.nearest("m2", &[1.0, 0.0], 1, options).await;
        assert_eq!(invalid_field(result), "filter");
    }
}
