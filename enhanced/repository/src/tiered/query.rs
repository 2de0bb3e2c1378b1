//! The listings of tiered memories: one statement builder ([`select`]) for every shape, so a
//! condition added to [`Listing`] (a metadata filter) applies to all of them.

use memdb_enhanced_entity::memories::{self, Column};
use memdb_repository::query::convert_all;
use memdb_repository::{RepoError, RepoResult};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Select,
};

use super::input::{self, next_cursor};
use super::{Order, Tier, TieredMemory, TieredPage, TieredPaging, TieredQuery};
use crate::filters::{JsonColumn, MetadataFilter, metadata_condition};

/// The metadata keys a filter on memories reads through an index on SQLite: exactly the keys
/// the migration `m20261123_000011_create_tiered_memories` indexes there
/// (`idx_memories_metadata_topic`, `idx_memories_metadata_category`, on
/// `json_extract(metadata, '$.<key>')`). Change both together; a test checks they agree.
/// PostgreSQL's GIN index serves every key.
pub const MEMORY_HOT_KEYS: [&str; 2] = ["topic", "category"];

/// The column a filter on memories applies to.
const METADATA: JsonColumn = JsonColumn::new("memories", "metadata");

impl TieredQuery {
    /// A search of `user_id`'s memories (the first page, any thread and tier, no filter).
    #[must_use]
    pub fn of_user(user_id: impl Into<String>) -> Self {
        Self {
            user_id: Some(user_id.into()),
            ..Self::default()
        }
    }

    /// A search of every user's memories in `tier` (the first page, no filter).
    #[must_use]
    pub fn in_tier(tier: Tier) -> Self {
        Self {
            tier: Some(tier),
            ..Self::default()
        }
    }

    /// Only the memories of the user's thread `thread_id`.
    #[must_use]
    pub fn with_thread(self, thread_id: impl Into<String>) -> Self {
        Self {
            thread_id: Some(thread_id.into()),
            ..self
        }
    }

    /// Only the memories in `tier`.
    #[must_use]
    pub fn with_tier(self, tier: Tier) -> Self {
        Self {
            tier: Some(tier),
            ..self
        }
    }

    /// Only the memories whose metadata matches `filter`.
    #[must_use]
    pub fn with_filter(self, filter: MetadataFilter) -> Self {
        Self {
            filter: Some(filter),
            ..self
        }
    }

    /// The page `paging` asks for.
    #[must_use]
    pub fn with_paging(self, paging: TieredPaging) -> Self {
        Self { paging, ..self }
    }
}

/// The time a listing orders by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum OrderBy {
    /// `created_at`: a thread, as its memories were added.
    CreatedAt,
    /// `updated_at`: everything else.
    UpdatedAt,
}

/// A checked listing: its conditions, order and page.
#[derive(Clone, Debug)]
pub(super) struct Listing {
    pub(super) user_id: Option<String>,
    pub(super) thread_id: Option<String>,
    pub(super) tier: Option<Tier>,
    /// Checked by [`MetadataFilter::validate`].
    pub(super) filter: Option<MetadataFilter>,
    pub(super) order_by: OrderBy,
    pub(super) paging: TieredPaging,
}

impl Listing {
    /// `query` checked (see [`TieredQuery`]).
    pub(super) fn search(query: &TieredQuery) -> RepoResult<Self> {
        let user_id = query.user_id.as_deref().map(input::user_id).transpose()?;
        let thread_id = query
            .thread_id
            .as_deref()
            .map(|thread| input::thread_id("thread_id", thread))
            .transpose()?;
        if thread_id.is_some() && user_id.is_none() {
            return Err(RepoError::invalid(
                "thread_id",
                "needs a user_id: threads are a user's",
            ));
        }
        // Every composite index is led by the user or the tier. A metadata filter only goes
        // beside them: most filters have no index on SQLite.
        if user_id.is_none() && query.tier.is_none() {
            return Err(RepoError::invalid("query", "must name a user_id or a tier"));
        }
        if let Some(filter) = &query.filter {
            filter.validate()?;
        }
        Ok(Self {
            user_id,
            thread_id,
            tier: query.tier,
            filter: query.filter.clone(),
            order_by: OrderBy::UpdatedAt,
            paging: input::paging(query.paging)?,
        })
    }
}

/// The statement of `listing`: its conditions, the keyset condition after its cursor, its
/// order and limit.
///
/// Orders served by an index: a user's thread by `(user_id, thread_id, created_at, id)`, a
/// tier by `(tier, updated_at, id)` or `(user_id, tier, updated_at, id)`. A filter is one
/// more condition, for `backend`.
///
/// # Errors
/// `Validation` of the filter (checked already by [`Listing::search`]); `Db` on MySQL.
pub(super) fn select(
    backend: DbBackend,
    listing: &Listing,
) -> RepoResult<Select<memories::Entity>> {
    let mut select = memories::Entity::find();
    if let Some(filter) = &listing.filter {
        select = select.filter(metadata_condition(
            backend,
            METADATA,
            filter,
            &MEMORY_HOT_KEYS,
        )?);
    }
    if let Some(user_id) = &listing.user_id {
        select = select.filter(Column::UserId.eq(user_id.as_str()));
    }
    if let Some(thread_id) = &listing.thread_id {
        select = select.filter(Column::ThreadId.eq(thread_id.as_str()));
    }
    if let Some(tier) = listing.tier {
        select = select.filter(Column::Tier.eq(tier.as_str()));
    }
    let at = match listing.order_by {
        OrderBy::CreatedAt => Column::CreatedAt,
        OrderBy::UpdatedAt => Column::UpdatedAt,
    };
    let newest_first = listing.paging.order == Order::NewestFirst;
    if let Some(after) = listing.paging.after {
        let key = Expr::tuple([Expr::col(at), Expr::col(Column::Id)]);
        let cursor = Expr::tuple([
            Expr::val(after.at.fixed_offset()),
            Expr::val(after.id.as_uuid()),
        ]);
        select = select.filter(if newest_first {
            key.lt(cursor)
        } else {
            key.gt(cursor)
        });
    }
    let select = if newest_first {
        select.order_by_desc(at).order_by_desc(Column::Id)
    } else {
        select.order_by_asc(at).order_by_asc(Column::Id)
    };
    Ok(select.limit(listing.paging.limit))
}

/// The page `listing` reads.
pub(super) async fn page(db: &impl ConnectionTrait, listing: &Listing) -> RepoResult<TieredPage> {
    let rows = select(db.get_database_backend(), listing)?.all(db).await?;
    let memories: Vec<TieredMemory> = convert_all(rows)?;
    let last = memories.last().map(|last| {
        let at = match listing.order_by {
            OrderBy::CreatedAt => last.created_at,
            OrderBy::UpdatedAt => last.updated_at,
        };
        (at, last.id)
    });
    let next = next_cursor(listing.paging.limit, last, memories.len());
    Ok(TieredPage { memories, next })
}
