//! Pages of tiered memories: which page to read ([`TieredPaging`]), where one ends
//! ([`TieredCursor`]), and the general query ([`TieredQuery`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Tier, TieredMemory};
use crate::filters::MetadataFilter;
use crate::ids::TieredMemoryId;

/// Which end of a listing comes first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Order {
    /// Latest time first (the default).
    #[default]
    NewestFirst,
    /// Earliest time first (what age-based policies walk).
    OldestFirst,
}

/// Where a page of memories ends: the time the listing orders by (`created_at` for a
/// thread, `updated_at` otherwise) and the id of its last memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TieredCursor {
    /// The last memory's ordering time.
    pub at: DateTime<Utc>,
    /// The last memory's id (orders memories of the same time).
    pub id: TieredMemoryId,
}

/// Which page of a listing to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TieredPaging {
    /// Start after this memory; `None`: from the start.
    pub after: Option<TieredCursor>,
    /// 1 to [`TIERED_PAGE`](crate::limits::TIERED_PAGE) memories.
    pub limit: u64,
    /// Newest or oldest first.
    pub order: Order,
}

impl TieredPaging {
    /// The first `limit` memories, newest first.
    #[must_use]
    pub fn first(limit: u64) -> Self {
        Self {
            after: None,
            limit,
            order: Order::NewestFirst,
        }
    }

    /// The same listing in `order`.
    #[must_use]
    pub fn ordered(self, order: Order) -> Self {
        Self { order, ..self }
    }

    /// The page after `cursor` (`None`: the first page) of the same listing.
    #[must_use]
    pub fn after(self, cursor: Option<TieredCursor>) -> Self {
        Self {
            after: cursor,
            ..self
        }
    }
}

impl Default for TieredPaging {
    /// The first 100 memories, newest first.
    fn default() -> Self {
        Self::first(100)
    }
}

/// One page of memories.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TieredPage {
    /// The memories, in the listing's order.
    pub memories: Vec<TieredMemory>,
    /// Where to continue, when the page is full.
    pub next: Option<TieredCursor>,
}

/// Input of [`TieredMemoryRepository::search`](super::TieredMemoryRepository::search): memories matching every condition given, by
/// `updated_at` in `paging.order`.
///
/// At least a user or a tier is required (the composite indexes are led by one of them); a
/// thread needs its user. With a tier the page is read in index order; without one, one
/// user's (or thread's) matching memories are sorted to give it. A metadata filter is one more
/// condition beside them, never a search on its own: on PostgreSQL the GIN index serves
/// containment and `eq`/`in`, on SQLite the expression indexes of [`MEMORY_HOT_KEYS`](super::MEMORY_HOT_KEYS) serve
/// equality, `in` and containment on those keys; other filters are evaluated on the rows the
/// user, thread or tier select. Build one with [`TieredQuery::of_user`] /
/// [`TieredQuery::in_tier`] and the methods after them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TieredQuery {
    /// Only this user's memories.
    pub user_id: Option<String>,
    /// Only this thread's memories (needs `user_id`).
    pub thread_id: Option<String>,
    /// Only memories in this tier.
    pub tier: Option<Tier>,
    /// Only memories whose metadata matches this filter, evaluated in the database beside the
    /// other conditions (see [`MEMORY_HOT_KEYS`](super::MEMORY_HOT_KEYS)).
    pub filter: Option<MetadataFilter>,
    /// Which page.
    pub paging: TieredPaging,
}
