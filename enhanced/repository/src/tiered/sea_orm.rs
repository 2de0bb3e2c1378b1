//! [`TieredMemoryRepository`] on SeaORM.

use async_trait::async_trait;
use memdb_enhanced_entity::memories::{self, Column};
use memdb_repository::bulk::{check_each, insert_models};
use memdb_repository::query::get_by_id;
use memdb_repository::{
    Executor, RepoError, RepoResult, now, stored_enum, unit_of_work, utc, validate,
};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect,
};

use super::clusters::{self, Deltas};
use super::input::{self, cluster_of};
use super::query::{self, Listing, OrderBy};
use super::{
    ClusterKey, ClusterPage, MemoryCluster, NewTieredMemory, Tier, TierCounts, TieredMemory,
    TieredMemoryRepository, TieredMemoryUpdate, TieredPage, TieredPaging, TieredQuery,
};
use crate::ids::TieredMemoryId;
use crate::limits;

const ENTITY: &str = "tiered memory";

memdb_repository::sea_orm_repository! {
    /// [`TieredMemoryRepository`] on SeaORM.
    SeaOrmTieredMemoryRepository
}

impl TryFrom<memories::Model> for TieredMemory {
    type Error = RepoError;

    fn try_from(m: memories::Model) -> RepoResult<Self> {
        let related_threads = serde_json::from_value(m.related_threads.clone())
            .map_err(|_| RepoError::corrupt("memory related threads", m.related_threads))?;
        Ok(Self {
            id: m.id.into(),
            user_id: m.user_id,
            thread_id: m.thread_id,
            content: m.content,
            tier: stored_enum("tier", &m.tier)?,
            importance: m.importance,
            metadata: m.metadata,
            related_threads,
            created_at: utc(m.created_at),
            updated_at: utc(m.updated_at),
        })
    }
}

/// `deltas` with one memory of `user_id` in the cluster its `metadata` names, if any, counted
/// as `by`.
fn count(deltas: &mut Deltas, user_id: &str, metadata: &serde_json::Value, by: i64) {
    if let Some(key) = cluster_of(metadata) {
        *deltas.entry((user_id.to_owned(), key)).or_default() += by;
    }
}

#[async_trait]
impl<C: Executor> TieredMemoryRepository for SeaOrmTieredMemoryRepository<C> {
    async fn add(&self, input: NewTieredMemory) -> RepoResult<TieredMemory> {
        let mut added = self.add_many(vec![input]).await.map_err(|err| match err {
            // One input: no index to name.
            RepoError::Validation { field, reason } => RepoError::Validation {
                field,
                reason: reason.trim_start_matches("input 0: ").to_owned(),
            },
            other => other,
        })?;
        added
            .pop()
            .ok_or_else(|| RepoError::invalid("input", "was not written"))
    }

    async fn add_many(&self, inputs: Vec<NewTieredMemory>) -> RepoResult<Vec<TieredMemory>> {
        if inputs.is_empty() {
            return Ok(Vec::new());
        }
        let at = now();
        let rows = check_each(inputs, |input| input::new_row(input, at))?;
        let mut deltas = Deltas::new();
        for row in &rows {
            count(&mut deltas, &row.user_id, &row.metadata, 1);
        }
        let rows_ref = &rows;
        unit_of_work(&self.db, |tx| async move {
            insert_models::<memories::Entity>(&tx, rows_ref).await?;
            clusters::apply(&tx, deltas, at).await
        })
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn get(&self, id: TieredMemoryId) -> RepoResult<TieredMemory> {
        get_by_id::<memories::Entity, _>(&self.db, ENTITY, id).await
    }

    async fn update(
        &self,
        id: TieredMemoryId,
        update: TieredMemoryUpdate,
    ) -> RepoResult<TieredMemory> {
        let changes = input::changes(update)?;
        unit_of_work(&self.db, |tx| async move {
            // Locked (PostgreSQL; SQLite's write transaction holds the database), so the
            // cluster it leaves is the one it is in until this commits.
            let before = memories::Entity::find_by_id(id.as_uuid())
                .lock_exclusive()
                .one(&tx)
                .await?
                .ok_or_else(|| RepoError::not_found(ENTITY, id))?;
            let at = now();
            let after = changes.apply(before.clone(), at);
            let mut deltas = Deltas::new();
            count(&mut deltas, &before.user_id, &before.metadata, -1);
            count(&mut deltas, &after.user_id, &after.metadata, 1);
            deltas.retain(|_, delta| *delta != 0);
            let mut active = after.into_active_model();
            active = active.reset_all();
            active.id = sea_orm::ActiveValue::Unchanged(id.as_uuid());
            active.user_id = sea_orm::ActiveValue::NotSet;
            active.thread_id = sea_orm::ActiveValue::NotSet;
            active.created_at = sea_orm::ActiveValue::NotSet;
            let row = active.update(&tx).await?;
            clusters::apply(&tx, deltas, at).await?;
            row.try_into()
        })
        .await
    }

    async fn delete(&self, id: TieredMemoryId) -> RepoResult<()> {
        unit_of_work(&self.db, |tx| async move {
            let row = memories::Entity::delete_by_id(id.as_uuid())
                .exec_with_returning(&tx)
                .await?
                .ok_or_else(|| RepoError::not_found(ENTITY, id))?;
            let mut deltas = Deltas::new();
            count(&mut deltas, &row.user_id, &row.metadata, -1);
            clusters::apply(&tx, deltas, now()).await
        })
        .await
    }

    async fn thread(
        &self,
        user_id: &str,
        thread_id: &str,
        paging: TieredPaging,
    ) -> RepoResult<TieredPage> {
        let listing = Listing {
            user_id: Some(input::user_id(user_id)?),
            thread_id: Some(input::thread_id("thread_id", thread_id)?),
            tier: None,
            filter: None,
            order_by: OrderBy::CreatedAt,
            paging: input::paging(paging)?,
        };
        query::page(&self.db, &listing).await
    }

    async fn by_tier<'a>(
        &self,
        user_id: Option<&'a str>,
        tier: Tier,
        paging: TieredPaging,
    ) -> RepoResult<TieredPage> {
        let listing = Listing {
            user_id: user_id.map(input::user_id).transpose()?,
            thread_id: None,
            tier: Some(tier),
            filter: None,
            order_by: OrderBy::UpdatedAt,
            paging: input::paging(paging)?,
        };
        query::page(&self.db, &listing).await
    }

    async fn search(&self, query: TieredQuery) -> RepoResult<TieredPage> {
        query::page(&self.db, &Listing::search(&query)?).await
    }

    async fn tier_counts(&self, user_id: &str) -> RepoResult<TierCounts> {
        let user_id = input::user_id(user_id)?;
        let rows: Vec<(String, i64)> = memories::Entity::find()
            .select_only()
            .column(Column::Tier)
            .column_as(Expr::from(Func::count(Expr::col(Column::Id))), "n")
            .filter(Column::UserId.eq(user_id))
            .group_by(Column::Tier)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut counts = TierCounts::default();
        for (tier, n) in rows {
            let n = memdb_repository::query::stored_u64("tier count", n)?;
            match stored_enum::<Tier>("tier", &tier)? {
                Tier::ShortTerm => counts.short_term = n,
                Tier::MidTerm => counts.mid_term = n,
                Tier::LongTerm => counts.long_term = n,
            }
        }
        Ok(counts)
    }

    async fn clusters(
        &self,
        user_id: &str,
        after: Option<ClusterKey>,
        limit: u64,
    ) -> RepoResult<ClusterPage> {
        let user_id = input::user_id(user_id)?;
        let after = after.map(input::cluster_key).transpose()?;
        let limit = input::page_limit(limit)?;
        clusters::page(&self.db, &user_id, after, limit).await
    }

    async fn cluster(&self, user_id: &str, key: ClusterKey) -> RepoResult<Option<MemoryCluster>> {
        let user_id = input::user_id(user_id)?;
        clusters::one(&self.db, &user_id, input::cluster_key(key)?).await
    }

    async fn set_cluster_summary(
        &self,
        user_id: &str,
        key: ClusterKey,
        summary: Option<String>,
    ) -> RepoResult<MemoryCluster> {
        let user_id = input::user_id(user_id)?;
        let key = input::cluster_key(key)?;
        if let Some(summary) = &summary {
            validate::bounded("summary", summary, limits::TIERED_CLUSTER_SUMMARY)?;
        }
        clusters::set_summary(&self.db, &user_id, key, summary, now()).await
    }

    async fn recount_clusters<'a>(&self, user_id: Option<&'a str>) -> RepoResult<u64> {
        let user_id = user_id.map(input::user_id).transpose()?;
        unit_of_work(&self.db, |tx| async move {
            clusters::recount(&tx, user_id.as_deref(), now()).await
        })
        .await
    }
}
