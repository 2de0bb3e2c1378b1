//! The listings of tiered memories: one statement builder ([`select`]) for every shape, so a
//! condition added to [`Listing`] (a metadata filter) applies to all of them.

use memdb_enhanced_entity::memories::{self, Column};
use memdb_repository::query::convert_all;
use memdb_repository::{RepoError, RepoResult};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};

use super::input::{self, next_cursor};
use super::{Order, Tier, TieredMemory, TieredPage, TieredPaging, TieredQuery};

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
        // Every composite index is led by the user or the tier. (A metadata filter, served by
        // its own index, will be a third way to narrow a search.)
        if user_id.is_none() && query.tier.is_none() {
            return Err(RepoError::invalid("query", "must name a user_id or a tier"));
        }
        Ok(Self {
            user_id,
            thread_id,
            tier: query.tier,
            order_by: OrderBy::UpdatedAt,
            paging: input::paging(query.paging)?,
        })
    }
}

/// The statement of `listing`: its conditions, the keyset condition after its cursor, its
/// order and limit.
///
/// Orders served by an index: a user's thread by `(user_id, thread_id, created_at, id)`, a
/// tier by `(tier, updated_at, id)` or `(user_id, tier, updated_at, id)`.
pub(super) fn select(listing: &Listing) -> Select<memories::Entity> {
    let mut select = memories::Entity::find();
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
    select.limit(listing.paging.limit)
}

/// The page `listing` reads.
pub(super) async fn page(db: &impl ConnectionTrait, listing: &Listing) -> RepoResult<TieredPage> {
    let rows = select(listing).all(db).await?;
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
