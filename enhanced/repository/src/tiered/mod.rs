//! Tiered memories (seed 004): a user's memories in three tiers, optionally in a thread, with
//! an importance, JSON metadata and the threads they relate to; and the clusters they form.
//!
//! ## Listings
//! Every listing is a keyset page ([`TieredPaging`]): at most `limit` memories after a
//! [`TieredCursor`] (the last memory of the page before), newest or oldest first, each served
//! by one of seed 004's composite indexes in its order:
//! - [`TieredMemoryRepository::thread`]: a user's thread by `created_at`
//!   (`idx_memories_user_thread`);
//! - [`TieredMemoryRepository::by_tier`]: a tier by `updated_at`, of one user
//!   (`idx_memories_user_tier_updated`) or of everyone (`idx_memories_tier_updated`), the shape
//!   policies walk;
//! - [`TieredMemoryRepository::search`]: any of user, thread and tier by `updated_at` (see
//!   [`TieredQuery`]).
//!
//! ## Clusters
//! A memory whose metadata has string values at the top-level keys `topic` and `category`
//! belongs to the cluster `(user_id, topic, category)`. Every write of memories keeps
//! `memory_count` of the clusters it touches exact in its own transaction: an add creates the
//! cluster or counts one more (`INSERT .. ON CONFLICT .. DO UPDATE`, atomic on every backend),
//! a delete counts one less, an update that changes the topic or category moves the count, a
//! bulk add counts each cluster once with one statement. A cluster whose last memory went
//! stays, with its summary, at count 0. [`TieredMemoryRepository::recount_clusters`] recounts
//! from the memories in SQL (for rows written behind memdb's back).
//!
//! ## Metadata filters
//! [`TieredQuery::filter`] is where a [`MetadataFilter`](crate::filters::MetadataFilter) joins the other conditions: the
//! statement is built in one function (`query::select`), and the filter is one more condition
//! of its `WHERE` ([`metadata_condition`](crate::filters::metadata_condition) on
//! `memories.metadata`, with [`MEMORY_HOT_KEYS`] written as their SQLite indexes'
//! expressions). Rows are never filtered in Rust.

// mockall's generated expectations take `&Option<&str>` for the optional user arguments.
#![cfg_attr(
    feature = "mock",
    allow(
        clippy::ref_option_ref,
        reason = "mockall's generated code for Option<&str> arguments"
    )
)]

pub(crate) mod clusters;
mod input;
mod paging;
mod query;
mod sea_orm;

pub(crate) use self::input::cluster_of;

pub use self::paging::{Order, TieredCursor, TieredPage, TieredPaging, TieredQuery};
pub use self::query::MEMORY_HOT_KEYS;
pub use self::sea_orm::SeaOrmTieredMemoryRepository;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use memdb_repository::{RepoError, RepoResult};
use serde::{Deserialize, Serialize};

use crate::ids::{MemoryClusterId, TieredMemoryId};

memdb_repository::db_enum! {
    /// How long a memory is meant to be kept, and how it is summarized.
    pub enum Tier: "tier" {
        /// Recent, detailed memories.
        ShortTerm => "short_term",
        /// Memories kept for a while.
        MidTerm => "mid_term",
        /// Memories kept for good.
        LongTerm => "long_term",
    }
}

impl Tier {
    /// The tier's height: 0 for `short_term`, 2 for `long_term`.
    #[must_use]
    pub fn rank(self) -> u8 {
        match self {
            Self::ShortTerm => 0,
            Self::MidTerm => 1,
            Self::LongTerm => 2,
        }
    }

    /// The tier named `value` (`short_term`, `mid_term` or `long_term`), as input.
    ///
    /// # Errors
    /// `Validation` of `tier` for any other string.
    pub fn parse(value: &str) -> RepoResult<Self> {
        value.parse().map_err(|_| {
            RepoError::invalid(
                "tier",
                format!(
                    "must be one of {}, got {:?}",
                    Self::VALUES.join(", "),
                    value.chars().take(40).collect::<String>()
                ),
            )
        })
    }
}

/// A stored tiered memory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TieredMemory {
    /// Its id.
    pub id: TieredMemoryId,
    /// The user it belongs to.
    pub user_id: String,
    /// The thread it belongs to, if any.
    pub thread_id: Option<String>,
    /// The text.
    pub content: String,
    /// Its tier.
    pub tier: Tier,
    /// How important it is, 0 to 1.
    pub importance: f64,
    /// A JSON object of the caller's; `topic` and `category` strings place it in a cluster.
    pub metadata: serde_json::Value,
    /// Ids of other threads it relates to.
    pub related_threads: Vec<String>,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
}

/// Input of [`TieredMemoryRepository::add`] and [`TieredMemoryRepository::add_many`].
#[derive(Clone, Debug, PartialEq)]
pub struct NewTieredMemory {
    /// 1 to [`TIERED_USER_ID`](crate::limits::TIERED_USER_ID) characters, not blank, no NUL.
    pub user_id: String,
    /// 1 to [`TIERED_THREAD_ID`](crate::limits::TIERED_THREAD_ID) characters, not blank, no NUL.
    pub thread_id: Option<String>,
    /// 1 to [`TIERED_CONTENT`](crate::limits::TIERED_CONTENT) characters, not blank, no NUL.
    pub content: String,
    /// The tier.
    pub tier: Tier,
    /// Finite, 0 to 1.
    pub importance: f64,
    /// A JSON object without NUL, nested at most 127 deep, at most
    /// [`TIERED_METADATA_BYTES`](crate::limits::TIERED_METADATA_BYTES) as compact JSON; string
    /// `topic` and `category` values (1 to [`TIERED_CLUSTER_KEY`](crate::limits::TIERED_CLUSTER_KEY)
    /// characters) place the memory in a cluster.
    pub metadata: serde_json::Value,
    /// At most [`TIERED_RELATED_THREADS`](crate::limits::TIERED_RELATED_THREADS) thread ids.
    pub related_threads: Vec<String>,
}

impl NewTieredMemory {
    /// A memory of `user_id` in no thread, of importance 0.5, with empty metadata and no
    /// related threads.
    #[must_use]
    pub fn new(user_id: impl Into<String>, content: impl Into<String>, tier: Tier) -> Self {
        Self {
            user_id: user_id.into(),
            thread_id: None,
            content: content.into(),
            tier,
            importance: 0.5,
            metadata: serde_json::json!({}),
            related_threads: Vec::new(),
        }
    }
}

/// Input of [`TieredMemoryRepository::update`]: the fields to change (as checked for
/// [`NewTieredMemory`]); `None` keeps a field.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TieredMemoryUpdate {
    /// New content.
    pub content: Option<String>,
    /// New tier.
    pub tier: Option<Tier>,
    /// New importance.
    pub importance: Option<f64>,
    /// New metadata (replaces the old object as a whole).
    pub metadata: Option<serde_json::Value>,
    /// New related threads.
    pub related_threads: Option<Vec<String>>,
}

/// How many memories of a user are in each tier.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierCounts {
    /// Memories in [`Tier::ShortTerm`].
    pub short_term: u64,
    /// Memories in [`Tier::MidTerm`].
    pub mid_term: u64,
    /// Memories in [`Tier::LongTerm`].
    pub long_term: u64,
}

impl TierCounts {
    /// The count of `tier`.
    #[must_use]
    pub fn get(&self, tier: Tier) -> u64 {
        match tier {
            Tier::ShortTerm => self.short_term,
            Tier::MidTerm => self.mid_term,
            Tier::LongTerm => self.long_term,
        }
    }

    /// Every tier's memories together.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.short_term + self.mid_term + self.long_term
    }
}

/// A topic and category: what names a cluster within a user's, and where a page of clusters
/// ends.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ClusterKey {
    /// The metadata's `topic`.
    pub topic: String,
    /// The metadata's `category`.
    pub category: String,
}

impl ClusterKey {
    /// The key of `topic` and `category`.
    #[must_use]
    pub fn new(topic: impl Into<String>, category: impl Into<String>) -> Self {
        Self {
            topic: topic.into(),
            category: category.into(),
        }
    }
}

/// A user's memories of one topic and category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryCluster {
    /// Its id.
    pub id: MemoryClusterId,
    /// The user.
    pub user_id: String,
    /// The topic and category.
    #[serde(flatten)]
    pub key: ClusterKey,
    /// A summary of the cluster's memories, when one was set.
    pub summary: Option<String>,
    /// How many of the user's memories have this topic and category.
    pub memory_count: u64,
    /// When its first memory was added.
    pub created_at: DateTime<Utc>,
    /// When its count or summary last changed.
    pub updated_at: DateTime<Utc>,
}

/// One page of a user's clusters, by topic then category (bytewise).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterPage {
    /// The clusters.
    pub clusters: Vec<MemoryCluster>,
    /// Where to continue, when the page is full.
    pub next: Option<ClusterKey>,
}

/// Tiered memories and their clusters (see the [module docs](self)).
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait TieredMemoryRepository: Send + Sync {
    /// Adds a memory, and counts it in its cluster.
    ///
    /// # Errors
    /// `Validation` for a bad field (see [`NewTieredMemory`]).
    async fn add(&self, input: NewTieredMemory) -> RepoResult<TieredMemory>;

    /// Adds every memory of `inputs` in one transaction (multi-row inserts, one count
    /// statement per cluster touched); returns them in input order. Every input is checked
    /// before anything is written; on any error nothing is.
    ///
    /// # Errors
    /// `Validation` as for [`add`](Self::add), its reason naming the input (`input 3: ...`).
    async fn add_many(&self, inputs: Vec<NewTieredMemory>) -> RepoResult<Vec<TieredMemory>>;

    /// The memory `id`.
    ///
    /// # Errors
    /// `NotFound` when there is none.
    async fn get(&self, id: TieredMemoryId) -> RepoResult<TieredMemory>;

    /// Changes the fields `update` names, sets `updated_at`, and moves the memory's count when
    /// its cluster changes.
    ///
    /// # Errors
    /// `Validation` for a bad field or an update that names none; `NotFound` for an unknown
    /// memory.
    async fn update(
        &self,
        id: TieredMemoryId,
        update: TieredMemoryUpdate,
    ) -> RepoResult<TieredMemory>;

    /// Deletes the memory, and counts it out of its cluster.
    ///
    /// # Errors
    /// `NotFound` for an unknown memory.
    async fn delete(&self, id: TieredMemoryId) -> RepoResult<()>;

    /// A page of the memories of `user_id`'s thread `thread_id`, by `created_at`.
    ///
    /// # Errors
    /// `Validation` for a bad user, thread or paging.
    async fn thread(
        &self,
        user_id: &str,
        thread_id: &str,
        paging: TieredPaging,
    ) -> RepoResult<TieredPage>;

    /// A page of the memories in `tier`, of `user_id` or of every user, by `updated_at`.
    ///
    /// # Errors
    /// `Validation` for a bad user or paging.
    async fn by_tier<'a>(
        &self,
        user_id: Option<&'a str>,
        tier: Tier,
        paging: TieredPaging,
    ) -> RepoResult<TieredPage>;

    /// A page of the memories matching `query` (see [`TieredQuery`]).
    ///
    /// # Errors
    /// `Validation` for a bad user, thread or paging, a thread without a user, or a query
    /// with neither user nor tier.
    async fn search(&self, query: TieredQuery) -> RepoResult<TieredPage>;

    /// How many memories `user_id` has in each tier.
    ///
    /// # Errors
    /// `Validation` for a bad user.
    async fn tier_counts(&self, user_id: &str) -> RepoResult<TierCounts>;

    /// A page of `user_id`'s clusters by topic then category, after `after`, `limit` (1 to
    /// [`TIERED_PAGE`](crate::limits::TIERED_PAGE)) at most.
    ///
    /// # Errors
    /// `Validation` for a bad user, cursor or limit.
    async fn clusters(
        &self,
        user_id: &str,
        after: Option<ClusterKey>,
        limit: u64,
    ) -> RepoResult<ClusterPage>;

    /// `user_id`'s cluster of `key`, if it exists.
    ///
    /// # Errors
    /// `Validation` for a bad user or key.
    async fn cluster(&self, user_id: &str, key: ClusterKey) -> RepoResult<Option<MemoryCluster>>;

    /// Sets (or, with `None`, clears) the summary of `user_id`'s cluster of `key`.
    ///
    /// # Errors
    /// `Validation` for a bad user, key or summary (at most
    /// [`TIERED_CLUSTER_SUMMARY`](crate::limits::TIERED_CLUSTER_SUMMARY) characters, no NUL);
    /// `NotFound` for a cluster that does not exist.
    async fn set_cluster_summary(
        &self,
        user_id: &str,
        key: ClusterKey,
        summary: Option<String>,
    ) -> RepoResult<MemoryCluster>;

    /// Recounts the clusters of `user_id` (`None`: of every user) from the memories, in SQL,
    /// in one transaction, and creates the clusters memories name that are missing; returns
    /// how many clusters changed or were created.
    ///
    /// # Errors
    /// `Validation` for a bad user.
    async fn recount_clusters<'a>(&self, user_id: Option<&'a str>) -> RepoResult<u64>;
}
