//! The statements of the policies, each served by an index (see the query-plan test):
//! memory entries by `(memory_type, updated_at)`, a user's count by `(user_id, ...)`, a user's
//! memories of one tier by `(user_id, tier, updated_at)`, a tier's old memories by
//! `(tier, updated_at)`.

use chrono::{DateTime, FixedOffset};
use memdb_enhanced_entity::{memories, memory_entries};
use memdb_repository::{RepoResult, stored_enum};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use uuid::Uuid;

use super::config::{PolicyConfig, cutoff};
use super::{Rule, Tier};
use crate::memory::MemoryType;
use crate::tiered::cluster_of;

/// Entries whose current version is live at `live_at`, episodic, and written before `cutoff`.
fn ttl_matches(
    cutoff: DateTime<FixedOffset>,
    live_at: DateTime<FixedOffset>,
) -> Select<memory_entries::Entity> {
    use memory_entries::Column;
    memory_entries::Entity::find()
        .filter(Column::MemoryType.eq(MemoryType::Episodic))
        .filter(Column::UpdatedAt.lt(cutoff))
        .filter(Column::IsDeleted.eq(false))
        .filter(
            Column::ExpiresAt
                .is_null()
                .or(Column::ExpiresAt.gt(live_at)),
        )
        .filter(Expr::cust(crate::memory::LATEST))
}

/// How many entries the TTL soft-deletes.
pub(super) async fn ttl_count(
    db: &impl ConnectionTrait,
    cutoff: DateTime<FixedOffset>,
    live_at: DateTime<FixedOffset>,
) -> RepoResult<u64> {
    Ok(ttl_matches(cutoff, live_at).count(db).await?)
}

/// Up to `limit` entries the TTL soft-deletes, as (namespace, key).
pub(super) async fn ttl_batch(
    db: &impl ConnectionTrait,
    cutoff: DateTime<FixedOffset>,
    live_at: DateTime<FixedOffset>,
    limit: u64,
) -> RepoResult<Vec<(String, String)>> {
    use memory_entries::Column;
    Ok(ttl_matches(cutoff, live_at)
        .select_only()
        .column(Column::Namespace)
        .column(Column::Key)
        .order_by_asc(Column::UpdatedAt)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?)
}

/// The users holding more than `max` memories with how many they hold, by user id; `limit`
/// users at most.
pub(super) async fn users_over(
    db: &impl ConnectionTrait,
    max: u64,
    limit: Option<u64>,
) -> RepoResult<Vec<(String, u64)>> {
    use memories::Column;
    let max = i64::try_from(max).unwrap_or(i64::MAX);
    let rows: Vec<(String, i64)> = memories::Entity::find()
        .select_only()
        .column(Column::UserId)
        .column_as(Expr::col(Column::Id).count(), "n")
        .group_by(Column::UserId)
        .having(Expr::col(Column::Id).count().gt(max))
        .order_by_asc(Column::UserId)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(user, n)| (user, u64::try_from(n).unwrap_or(0)))
        .collect())
}

/// A memory the trim deletes, with what the other rules and the clusters need of it.
#[derive(Clone, Debug)]
pub(super) struct Victim {
    pub(super) id: Uuid,
    pub(super) tier: Tier,
    pub(super) importance: f64,
    pub(super) updated_at: DateTime<FixedOffset>,
    /// Its cluster's (topic, category), when it has one.
    pub(super) cluster: Option<(String, String)>,
}

/// The first `count` memories of `user` in trim order: lowest tier, importance, `updated_at`,
/// id first. One statement per tier; each sorts one user's memories of one tier.
pub(super) async fn victims(
    db: &impl ConnectionTrait,
    user: &str,
    count: u64,
) -> RepoResult<Vec<Victim>> {
    use memories::Column;
    let mut found = Vec::new();
    for &tier in Tier::ALL {
        let left = count - u64::try_from(found.len()).unwrap_or(count);
        if left == 0 {
            break;
        }
        let rows: Vec<(Uuid, String, f64, DateTime<FixedOffset>, serde_json::Value)> =
            memories::Entity::find()
                .select_only()
                .columns([
                    Column::Id,
                    Column::Tier,
                    Column::Importance,
                    Column::UpdatedAt,
                    Column::Metadata,
                ])
                .filter(Column::UserId.eq(user))
                .filter(Column::Tier.eq(tier))
                .order_by_asc(Column::Importance)
                .order_by_asc(Column::UpdatedAt)
                .order_by_asc(Column::Id)
                .limit(left)
                .into_tuple()
                .all(db)
                .await?;
        for (id, tier, importance, updated_at, metadata) in rows {
            found.push(Victim {
                id,
                tier: stored_enum("memory tier", &tier)?,
                importance,
                updated_at,
                cluster: cluster_of(&metadata).map(|key| (key.topic, key.category)),
            });
        }
    }
    Ok(found)
}

/// Deletes the memories `ids`.
pub(super) async fn delete_memories(db: &impl ConnectionTrait, ids: Vec<Uuid>) -> RepoResult<u64> {
    Ok(memories::Entity::delete_many()
        .filter(memories::Column::Id.is_in(ids))
        .exec(db)
        .await?
        .rows_affected)
}

/// The memories the tier move `rule` from `from` to `to` applies to at `as_of`; `None` when
/// `config` turns that rule off. The same decision as [`PolicyConfig::tier_target`].
pub(super) fn move_filter(
    config: &PolicyConfig,
    (rule, from, to): (Rule, Tier, Tier),
    as_of: DateTime<FixedOffset>,
) -> Option<Condition> {
    use memories::Column;
    let (days, importance) = match rule {
        Rule::Promote => {
            let long = config.promote_to_long_term_importance;
            let importance = if to == Tier::LongTerm {
                Condition::all().add(Column::Importance.gte(long))
            } else {
                Condition::all()
                    .add(Column::Importance.gte(config.promote_to_mid_term_importance))
                    .add(Column::Importance.lt(long))
            };
            (config.promote_after_days?, importance)
        }
        _ => (
            config.demote_after_days?,
            Condition::all().add(Column::Importance.lt(config.demote_below_importance)),
        ),
    };
    Some(
        Condition::all()
            .add(Column::Tier.eq(from))
            .add(Column::UpdatedAt.lt(cutoff(as_of, days)))
            .add(importance),
    )
}

/// How many memories `filter` matches.
pub(super) async fn move_count(db: &impl ConnectionTrait, filter: Condition) -> RepoResult<u64> {
    Ok(memories::Entity::find().filter(filter).count(db).await?)
}

/// Moves up to `limit` memories `filter` matches to tier `to`; returns how many.
pub(super) async fn move_batch(
    db: &impl ConnectionTrait,
    filter: Condition,
    to: Tier,
    limit: u64,
) -> RepoResult<u64> {
    use memories::Column;
    let ids = Query::select()
        .column(Column::Id)
        .from(memories::Entity)
        .cond_where(filter)
        .limit(limit)
        .to_owned();
    Ok(memories::Entity::update_many()
        .col_expr(Column::Tier, Expr::val(to))
        .filter(Column::Id.in_subquery(ids))
        .exec(db)
        .await?
        .rows_affected)
}
