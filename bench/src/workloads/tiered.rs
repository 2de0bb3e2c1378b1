//! Seed 004's query table over the data set's tiered memories (`dataset_tiered`): metadata
//! filters evaluated in the database beside the seed's fallback (the user's rows loaded and
//! filtered in the application), a thread, a tier by update time and a cluster lookup. Each
//! twin sends the statement memdb builds (its compiled filter included), rendered by
//! sea-query, through the raw pool.

use std::sync::Arc;

use anyhow::{Result, ensure};
use memdb_enhanced_entity::{memories, memory_clusters};
use memdb_enhanced_repository::filters::{CompareOp, JsonColumn, KeyPath, MetadataFilter, Scalar};
use memdb_enhanced_repository::metadata_condition;
use memdb_enhanced_repository::tiered::{
    ClusterKey, MEMORY_HOT_KEYS, Tier, TieredPaging, TieredQuery,
};
use memdb_repository::sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};
use memdb_repository::sea_orm::{QueryOrder as _, QuerySelect as _};
use serde_json::json;

use super::Bench;
use super::twins::{Case, Expect, memdb, raw};
use crate::args::Scale;
use crate::dataset_tiered::{CATEGORIES, TOPICS, USER, tag, thread, threads, topic};
use crate::raw::Param;
use crate::rendered::{backend, render};
use crate::report::ResultRow;
use crate::runner::{Side, latency, op};

/// Memories a search page holds.
const PAGE: u64 = 100;

/// Memories a thread page holds: a whole thread.
const THREAD_PAGE: u64 = crate::dataset_tiered::PER_THREAD;

/// The filters measured, by name, for call `i`.
type FilterOf = fn(u64) -> MetadataFilter;

/// The metadata filters: containment on a hot key (an index on both backends), a typed filter
/// led by a hot key, and a containment no SQLite index serves (a nested object and an array
/// element), read over every memory of the user.
const FILTERS: [(&str, FilterOf); 3] = [
    ("tiered.search containment on a hot key {topic}", |i| {
        MetadataFilter::Contains(json!({ "topic": topic(i % TOPICS) }))
    }),
    (
        "tiered.search typed filter topic = t and priority >= 3",
        |i| {
            MetadataFilter::And(vec![
                compare("topic", CompareOp::Eq, Scalar::String(topic(i % TOPICS))),
                compare("priority", CompareOp::Gte, Scalar::Number(3.into())),
            ])
        },
    ),
    (
        "tiered.search containment without an index {source: {kind}, tags: [t]}",
        |i| {
            let kind = ["chat", "email", "document"][(i % 3) as usize];
            MetadataFilter::Contains(json!({ "source": { "kind": kind }, "tags": [tag(i % 10)] }))
        },
    ),
];

fn compare(key: &str, op: CompareOp, value: Scalar) -> MetadataFilter {
    MetadataFilter::Compare {
        path: KeyPath::new([key]),
        op,
        value,
    }
}

/// The tiered-memory workloads `selects` picks; none when the data set holds no memories.
///
/// # Errors
/// The first failing call's error.
pub(crate) async fn run(bench: &Bench, selects: impl Fn(&str) -> bool) -> Result<Vec<ResultRow>> {
    let memories = bench.data.tiered;
    if memories == 0 {
        return Ok(Vec::new());
    }
    // The fallback loads every memory of the user each call: fewer, shorter batches keep a
    // run over 100,000 memories within its budget.
    let filter_scale = Scale {
        iterations: bench.scale.iterations / 10,
        batch: (bench.scale.batch / 10).max(1),
        ..bench.scale
    };
    let mut out = Vec::new();
    for (name, filter) in FILTERS {
        if selects(name) {
            let sides = filter_sides(bench, filter);
            out.extend(latency(name, memories, &filter_scale, &sides).await?);
        }
    }
    for (name, sides) in listings(bench, memories)? {
        if selects(name) {
            out.extend(latency(name, memories, &bench.scale, &sides).await?);
        }
    }
    Ok(out)
}

/// memdb's search with `filter`, its statement on the raw pool, and the seed's fallback.
fn filter_sides(bench: &Bench, filter: FilterOf) -> Vec<Side> {
    let backend = backend(&bench.raw);
    let metadata = JsonColumn::new("memories", "metadata");
    // The statement of call `i`, as the repository builds it (filter first, then the user).
    let statement = move |i: u64| {
        let condition = metadata_condition(backend, metadata, &filter(i), &MEMORY_HOT_KEYS)?;
        let select = memories::Entity::find()
            .filter(condition)
            .filter(memories::Column::UserId.eq(USER))
            .order_by_desc(memories::Column::UpdatedAt)
            .order_by_desc(memories::Column::Id)
            .limit(PAGE);
        render(backend, &select)
    };
    let pool = bench.raw.clone();
    let rendered = Side {
        label: "raw (memdb's statement)",
        op: op(move |i| {
            let (pool, built) = (pool.clone(), statement(i));
            async move {
                let (sql, params) = built?;
                ensure!(
                    pool.fetch_count(&sql, &params).await? > 0,
                    "no memory matched"
                );
                Ok(())
            }
        }),
    };
    let pool = bench.raw.clone();
    let all_rows =
        pool.sql("SELECT * FROM memories WHERE user_id = $1 ORDER BY updated_at DESC, id DESC");
    let fallback = Side {
        label: "rows loaded, filtered in Rust",
        op: op(move |i| {
            let (pool, sql, filter) = (pool.clone(), all_rows.clone(), filter(i));
            async move {
                let documents = pool
                    .fetch_json(&sql, &[Param::Text(USER.to_owned())], "metadata")
                    .await?;
                let page = documents
                    .iter()
                    .filter(|metadata| filter.matches(metadata))
                    .take(PAGE as usize)
                    .count();
                ensure!(page > 0, "no memory matched");
                Ok(())
            }
        }),
    };
    let repo = Arc::clone(&bench.repos.tiered);
    let memdb = Side {
        label: "memdb",
        op: op(move |i| {
            let (repo, filter) = (repo.clone(), filter(i));
            async move {
                let query = TieredQuery::of_user(USER)
                    .with_filter(filter)
                    .with_paging(TieredPaging::first(PAGE));
                let page = repo.search(query).await?;
                ensure!(!page.memories.is_empty(), "no memory matched");
                Ok(())
            }
        }),
    };
    vec![memdb, rendered, fallback]
}

/// A thread, a tier by update time and a cluster lookup, each beside its statement.
fn listings(bench: &Bench, memories: u64) -> Result<Vec<Case>> {
    let backend = backend(&bench.raw);
    let threads = threads(memories);
    let tier = |i: u64| [Tier::ShortTerm, Tier::MidTerm, Tier::LongTerm][(i % 3) as usize];
    let cluster =
        |i: u64| ClusterKey::new(topic(i % TOPICS), format!("category{}", i % CATEGORIES));
    let thread_of = move |i: u64| thread(Bench::pick(i, threads as usize) as u64);
    let thread_sql = render(
        backend,
        &memories::Entity::find()
            .filter(memories::Column::UserId.eq(USER))
            .filter(memories::Column::ThreadId.eq("$thread"))
            .order_by_desc(memories::Column::CreatedAt)
            .order_by_desc(memories::Column::Id)
            .limit(THREAD_PAGE),
    )?;
    let tier_sql = render(
        backend,
        &memories::Entity::find()
            .filter(memories::Column::Tier.eq("$tier"))
            .order_by_desc(memories::Column::UpdatedAt)
            .order_by_desc(memories::Column::Id)
            .limit(PAGE),
    )?;
    let cluster_sql = render(
        backend,
        &memory_clusters::Entity::find()
            .filter(memory_clusters::Column::UserId.eq(USER))
            .filter(memory_clusters::Column::Topic.eq("$topic"))
            .filter(memory_clusters::Column::Category.eq("$category"))
            .limit(1),
    )?;
    Ok(vec![
        (
            "tiered.thread page of 20 (user + thread)",
            vec![
                memdb(bench, Expect::Some, move |r, i| async move {
                    let thread = thread_of(i);
                    let page = r
                        .tiered
                        .thread(USER, &thread, TieredPaging::first(THREAD_PAGE));
                    Ok(page.await?.memories.len())
                }),
                rendered(bench, Expect::Some, thread_sql, move |i| {
                    vec![("$thread", thread_of(i))]
                }),
            ],
        ),
        (
            "tiered.by_tier newest page of 100 (tier + updated)",
            vec![
                memdb(bench, Expect::Some, move |r, i| async move {
                    let page = r.tiered.by_tier(None, tier(i), TieredPaging::first(PAGE));
                    Ok(page.await?.memories.len())
                }),
                rendered(bench, Expect::Some, tier_sql, move |i| {
                    vec![("$tier", tier(i).as_str().to_owned())]
                }),
            ],
        ),
        (
            "tiered.cluster lookup",
            vec![
                memdb(bench, Expect::Any, move |r, i| async move {
                    Ok(usize::from(
                        r.tiered.cluster(USER, cluster(i)).await?.is_some(),
                    ))
                }),
                rendered(bench, Expect::Any, cluster_sql, move |i| {
                    let key = cluster(i);
                    vec![("$topic", key.topic), ("$category", key.category)]
                }),
            ],
        ),
    ])
}

/// A raw side sending a rendered statement whose text parameters named in `values` (bound as
/// placeholders when rendered) take the call's values.
fn rendered(
    bench: &Bench,
    expect: Expect,
    (sql, params): (String, Vec<Param>),
    values: impl Fn(u64) -> Vec<(&'static str, String)> + Send + Sync + 'static,
) -> Side {
    raw(bench, "raw (memdb's statement)", expect, &sql, move |i| {
        let values = values(i);
        params
            .iter()
            .map(|param| match param {
                Param::Text(name) => values
                    .iter()
                    .find(|(placeholder, _)| placeholder == name)
                    .map_or_else(|| param.clone(), |(_, value)| Param::Text(value.clone())),
                other => other.clone(),
            })
            .collect()
    })
}
