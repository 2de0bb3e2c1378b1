//! The metadata filters' index-served shapes, on the scratch table of the filter tests: on
//! PostgreSQL containment, `eq` and `in` use the GIN `jsonb_path_ops` index; on SQLite
//! equality, `in` and containment on a declared hot key use the expression index on
//! `json_extract(metadata, '$.topic')`, even though the condition names the column qualified.
//! (A range on a hot key can use it too, when the planner finds that cheaper than reading the
//! rows in the order asked for.) Other SQLite filters read every row they are given: callers put them beside an indexed
//! condition (a user, a thread), never alone on a large table.

use memdb_enhanced_repository::filters::MetadataFilter;
use sea_orm::DbBackend;
use serde_json::json;

use super::{explain, full_scans};
use crate::enhanced::filters::FilterDocs;

#[tokio::test]
async fn filters_on_hot_keys_and_containment_are_index_served() {
    let docs = (0..50)
        .map(|i| json!({"topic": format!("t{}", i % 5), "n": i, "tags": [format!("g{}", i % 3)]}))
        .collect();
    let t = FilterDocs::new(docs).await;
    let backend = t.db().backend();
    let mut served = vec![
        MetadataFilter::eq("topic", "t1"),
        MetadataFilter::contains(json!({"topic": "t1"})),
        MetadataFilter::one_of("topic", ["t1", "t2"]),
        MetadataFilter::eq("topic", "t1") & MetadataFilter::gt("n", 10),
    ];
    let index = match backend {
        DbBackend::Postgres => {
            served.extend([
                MetadataFilter::contains(json!({"tags": ["g1"], "n": 4})),
                MetadataFilter::eq("n", 7),
                MetadataFilter::one_of("n", [1, 2]),
            ]);
            "filter_docs_metadata"
        }
        _ => "filter_docs_topic",
    };
    for filter in served {
        assert!(
            !t.query(&filter).await.unwrap().is_empty(),
            "{}",
            filter.to_json()
        );
        let statement = t.statement(&filter).unwrap();
        let plan = explain(t.db().conn(), &statement).await;
        let shown = format!(
            "{}\n{}\n{}",
            filter.to_json(),
            statement.sql,
            plan.join("\n")
        );
        assert!(plan.iter().any(|line| line.contains(index)), "{shown}");
        assert!(
            full_scans(backend, &statement.sql, &plan).is_empty(),
            "{shown}"
        );
    }
}
