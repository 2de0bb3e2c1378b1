//! Tiered memories searched by metadata, planned as at scale (seed 004's 10,000 memories of 2 users, every
//! topic and category rare, statistics gathered on both backends): a selective filter is read
//! through its index — on PostgreSQL the GIN index `idx_memories_metadata_gin` for containment,
//! with and without a user; on SQLite the expression indexes of the hot keys `topic` and
//! `category` — and a broad filter beside seed 004's shapes leaves them on their composite
//! indexes (a user's thread on `idx_memories_user_thread`, a tier by age on
//! `idx_memories_tier_updated`).

use memdb_enhanced_repository::EnhancedRepositories;
use memdb_enhanced_repository::filters::MetadataFilter;
use memdb_enhanced_repository::tiered::{NewTieredMemory, Tier, TieredQuery};
use memdb_tests::TestDb;
use sea_orm::{ConnectionTrait, DbBackend};
use serde_json::json;

use super::recorder::Recorder;

const MEMORIES: usize = 10_000;

async fn crowd(repos: &EnhancedRepositories) {
    for chunk in (0..MEMORIES).collect::<Vec<_>>().chunks(1000) {
        let memories = chunk
            .iter()
            .map(|&i| NewTieredMemory {
                thread_id: Some(format!("t{}", i % 10)),
                metadata: json!({
                    "topic": format!("topic{i}"),
                    "category": format!("cat{i}"),
                    "kind": "note",
                    "n": i,
                }),
                ..NewTieredMemory::new(format!("u{}", i % 2), "content", Tier::ALL[(i / 3) % 3])
            })
            .collect();
        repos.tiered.add_many(memories).await.unwrap();
    }
}

/// Searches whose plan must name the index, by backend.
fn searches(backend: DbBackend) -> Vec<(TieredQuery, &'static str)> {
    let user = TieredQuery::of_user("u1");
    let tier = TieredQuery::in_tier(Tier::MidTerm);
    let broad = match backend {
        DbBackend::Postgres => MetadataFilter::contains(json!({"kind": "note"})),
        _ => MetadataFilter::gte("n", 0),
    };
    let mut searches = vec![
        (
            user.clone().with_thread("t3").with_filter(broad.clone()),
            "idx_memories_user_thread",
        ),
        (tier.clone().with_filter(broad), "idx_memories_tier_updated"),
    ];
    let topic = MetadataFilter::contains(json!({"topic": "topic7"}));
    let category = MetadataFilter::contains(json!({"category": "cat7"}));
    match backend {
        DbBackend::Postgres => searches.extend([
            (
                user.clone().with_filter(topic.clone()),
                "idx_memories_metadata_gin",
            ),
            (tier.clone().with_filter(topic), "idx_memories_metadata_gin"),
            (
                tier.clone().with_filter(category),
                "idx_memories_metadata_gin",
            ),
        ]),
        _ => searches.extend([
            (
                user.clone().with_filter(topic.clone()),
                "idx_memories_metadata_topic",
            ),
            (
                tier.clone()
                    .with_filter(MetadataFilter::eq("topic", "topic7")),
                "idx_memories_metadata_topic",
            ),
            (
                tier.clone().with_filter(topic),
                "idx_memories_metadata_topic",
            ),
            (
                user.clone()
                    .with_filter(MetadataFilter::eq("category", "cat7")),
                "idx_memories_metadata_category",
            ),
            (tier.with_filter(category), "idx_memories_metadata_category"),
        ]),
    }
    searches
}

#[tokio::test]
async fn metadata_searches_use_the_gin_the_hot_key_and_the_composite_indexes() {
    let db = TestDb::new().await;
    let backend = db.backend();
    crowd(&EnhancedRepositories::from_connection(db.pool())).await;
    db.conn().execute_unprepared("ANALYZE").await.unwrap();
    let (recording, rec) = Recorder::attach(db.conn());
    let repos = EnhancedRepositories::from_connection(recording);
    let searches = searches(backend);
    for (i, (query, _)) in searches.iter().enumerate() {
        rec.call(&format!("search {i}"));
        repos.tiered.search(query.clone()).await.unwrap();
    }
    let statements = rec.statements();
    for (i, (query, index)) in searches.iter().enumerate() {
        let call = format!("search {i}");
        let recorded = statements
            .iter()
            .find(|r| r.call == call && r.statement.sql.starts_with("SELECT"))
            .unwrap();
        let plan = super::explain(db.conn(), &recorded.statement).await;
        let shown = format!("{query:?}\n{}\n{}", recorded.statement.sql, plan.join("\n"));
        assert!(
            plan.iter().any(|line| line.contains(index)),
            "not {index}: {shown}"
        );
        assert!(
            super::full_scans(backend, &recorded.statement.sql, &plan).is_empty(),
            "{shown}"
        );
    }
    drop(db);
}
