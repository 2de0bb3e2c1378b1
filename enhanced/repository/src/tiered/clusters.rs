//! Memory clusters: their counts, kept exact by every memory write in its transaction, the
//! recount from the memories, and the reads.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use memdb_enhanced_entity::memory_clusters::{self, Column};
use memdb_repository::backend::push_placeholder;
use memdb_repository::query::{convert_all, stored_u64, updated_row};
use memdb_repository::{RepoError, RepoResult, utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
    Value,
};
use uuid::Uuid;

use super::input::{CATEGORY, TOPIC};
use super::{ClusterKey, ClusterPage, MemoryCluster};
use crate::filters::metadata_keys;
use crate::ids::MemoryClusterId;

const ENTITY: &str = "memory cluster";

/// Changes of cluster counts: by user and cluster, how many memories came (positive) or went
/// (negative). Ordered, so every writer updates clusters in the same order and two writers
/// never wait on each other's cluster rows in opposite orders.
pub(crate) type Deltas = BTreeMap<(String, ClusterKey), i64>;

impl TryFrom<memory_clusters::Model> for MemoryCluster {
    type Error = RepoError;

    fn try_from(m: memory_clusters::Model) -> RepoResult<Self> {
        Ok(Self {
            id: m.id.into(),
            user_id: m.user_id,
            key: ClusterKey::new(m.topic, m.category),
            summary: m.summary,
            memory_count: stored_u64("memory cluster count", m.memory_count)?,
            created_at: utc(m.created_at),
            updated_at: utc(m.updated_at),
        })
    }
}

/// Applies `deltas` at `at`: one statement per cluster, in key order. A cluster that gains
/// memories is created or counted up by one `INSERT .. ON CONFLICT .. DO UPDATE` (atomic on
/// every backend, however many writers race); one that loses memories is counted down.
pub(crate) async fn apply(
    db: &impl ConnectionTrait,
    deltas: Deltas,
    at: DateTime<FixedOffset>,
) -> RepoResult<()> {
    for ((user_id, key), delta) in deltas {
        if delta > 0 {
            db.execute(&upsert(user_id, key, delta, at, true)).await?;
        } else if delta < 0 {
            let gone = -delta;
            // Never below 0, should rows have been deleted behind memdb's back (the recount
            // mends such counts); memdb's own writes keep them exact.
            let count = Expr::case(
                Expr::col(Column::MemoryCount).gte(gone),
                Expr::col(Column::MemoryCount).sub(gone),
            )
            .finally(0i64);
            memory_clusters::Entity::update_many()
                .col_expr(Column::MemoryCount, count.into())
                .col_expr(Column::UpdatedAt, Expr::val(at))
                .filter(Column::UserId.eq(user_id))
                .filter(Column::Topic.eq(key.topic))
                .filter(Column::Category.eq(key.category))
                .exec(db)
                .await?;
        }
    }
    Ok(())
}

/// `INSERT` of a cluster with `count` memories; when it exists, `count` more (`add`) or
/// nothing.
fn upsert(
    user_id: String,
    key: ClusterKey,
    count: i64,
    at: DateTime<FixedOffset>,
    add: bool,
) -> sea_orm::sea_query::InsertStatement {
    let conflict = [Column::UserId, Column::Topic, Column::Category];
    let on_conflict = if add {
        OnConflict::columns(conflict)
            .value(
                Column::MemoryCount,
                Expr::col((memory_clusters::Entity, Column::MemoryCount)).add(count),
            )
            .value(Column::UpdatedAt, at)
            .to_owned()
    } else {
        OnConflict::columns(conflict).do_nothing().to_owned()
    };
    Query::insert()
        .into_table(memory_clusters::Entity)
        .columns([
            Column::Id,
            Column::UserId,
            Column::Topic,
            Column::Category,
            Column::Summary,
            Column::MemoryCount,
            Column::CreatedAt,
            Column::UpdatedAt,
        ])
        .values_panic([
            Expr::val(MemoryClusterId::new().as_uuid()),
            Expr::val(user_id),
            Expr::val(key.topic),
            Expr::val(key.category),
            Expr::val(Option::<String>::None),
            Expr::val(count),
            Expr::val(at),
            Expr::val(at),
        ])
        .on_conflict(on_conflict)
        .to_owned()
}

/// Recounts the clusters of `user_id` (or of everyone) from the memories (see
/// [`recount_clusters`](super::TieredMemoryRepository::recount_clusters)). Run it in a write
/// transaction.
pub(super) async fn recount(
    db: &impl ConnectionTrait,
    user_id: Option<&str>,
    at: DateTime<FixedOffset>,
) -> RepoResult<u64> {
    let backend = db.get_database_backend();
    // The clusters are locked first (PostgreSQL; SQLite's write transaction holds the whole
    // database): a memory write that commits after the counts below were read must wait to
    // count itself, so it counts on top of the recount and nothing is lost.
    let mut locked = memory_clusters::Entity::find()
        .select_only()
        .column(Column::Id);
    if let Some(user_id) = user_id {
        locked = locked.filter(Column::UserId.eq(user_id));
    }
    let _: Vec<Uuid> = locked.lock_exclusive().into_tuple().all(db).await?;

    let topic = metadata_keys::key_text(backend, TOPIC);
    let category = metadata_keys::key_text(backend, CATEGORY);
    let strings = format!(
        "{} AND {}",
        metadata_keys::key_is_text(backend, TOPIC),
        metadata_keys::key_is_text(backend, CATEGORY)
    );
    let mut values: Vec<Value> = Vec::new();
    let mut by_user = String::new();
    if let Some(user_id) = user_id {
        values.push(user_id.into());
        by_user.push_str(" AND \"memories\".\"user_id\" = ");
        push_placeholder(&mut by_user, backend, values.len());
    }
    let missing = format!(
        "SELECT \"user_id\", {topic} AS \"topic\", {category} AS \"category\", \
         COUNT(*) AS \"n\" FROM \"memories\" WHERE {strings}{by_user} AND NOT EXISTS (\
         SELECT 1 FROM \"memory_clusters\" AS \"c\" WHERE \"c\".\"user_id\" = \
         \"memories\".\"user_id\" AND \"c\".\"topic\" = {topic} AND \"c\".\"category\" = \
         {category}) GROUP BY \"user_id\", {topic}, {category}"
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            missing,
            values.clone(),
        ))
        .await?;
    let mut changed = 0;
    for row in rows {
        let user: String = row.try_get("", "user_id")?;
        let key = ClusterKey::new(
            row.try_get::<String>("", "topic")?,
            row.try_get::<String>("", "category")?,
        );
        let count: i64 = row.try_get("", "n")?;
        changed += db
            .execute(&upsert(user, key, count, at, false))
            .await?
            .rows_affected();
    }

    let count = format!(
        "(SELECT COUNT(*) FROM \"memories\" WHERE \"memories\".\"user_id\" = \
         \"memory_clusters\".\"user_id\" AND {topic} = \"memory_clusters\".\"topic\" AND \
         {category} = \"memory_clusters\".\"category\" AND {strings})"
    );
    let mut values: Vec<Value> = vec![at.into()];
    let mut update = format!("UPDATE \"memory_clusters\" SET \"memory_count\" = {count}, ");
    update.push_str("\"updated_at\" = ");
    push_placeholder(&mut update, backend, values.len());
    update.push_str(" WHERE \"memory_count\" <> ");
    update.push_str(&count);
    if let Some(user_id) = user_id {
        values.push(user_id.into());
        update.push_str(" AND \"user_id\" = ");
        push_placeholder(&mut update, backend, values.len());
    }
    let statement = Statement::from_sql_and_values(backend, update, values);
    changed += db.execute_raw(statement).await?.rows_affected();
    Ok(changed)
}

/// A page of `user_id`'s clusters by topic then category, after `after`.
pub(super) async fn page(
    db: &impl ConnectionTrait,
    user_id: &str,
    after: Option<ClusterKey>,
    limit: u64,
) -> RepoResult<ClusterPage> {
    let mut select = memory_clusters::Entity::find().filter(Column::UserId.eq(user_id));
    if let Some(after) = after {
        select = select.filter(
            Expr::tuple([Expr::col(Column::Topic), Expr::col(Column::Category)]).gt(Expr::tuple([
                Expr::val(after.topic),
                Expr::val(after.category),
            ])),
        );
    }
    let rows = select
        .order_by_asc(Column::Topic)
        .order_by_asc(Column::Category)
        .limit(limit)
        .all(db)
        .await?;
    let clusters: Vec<MemoryCluster> = convert_all(rows)?;
    let full = u64::try_from(clusters.len()).is_ok_and(|n| n == limit);
    let next = clusters
        .last()
        .filter(|_| full)
        .map(|last| last.key.clone());
    Ok(ClusterPage { clusters, next })
}

/// `user_id`'s cluster of `key`.
pub(super) async fn one(
    db: &impl ConnectionTrait,
    user_id: &str,
    key: ClusterKey,
) -> RepoResult<Option<MemoryCluster>> {
    let row = memory_clusters::Entity::find()
        .filter(Column::UserId.eq(user_id))
        .filter(Column::Topic.eq(key.topic))
        .filter(Column::Category.eq(key.category))
        .one(db)
        .await?;
    row.map(TryInto::try_into).transpose()
}

/// Sets the summary of `user_id`'s cluster of `key`.
pub(super) async fn set_summary(
    db: &impl ConnectionTrait,
    user_id: &str,
    key: ClusterKey,
    summary: Option<String>,
    at: DateTime<FixedOffset>,
) -> RepoResult<MemoryCluster> {
    let name = format!("{user_id}/{}/{}", key.topic, key.category);
    let rows = memory_clusters::Entity::update_many()
        .col_expr(Column::Summary, Expr::val(summary))
        .col_expr(Column::UpdatedAt, Expr::val(at))
        .filter(Column::UserId.eq(user_id))
        .filter(Column::Topic.eq(key.topic))
        .filter(Column::Category.eq(key.category))
        .exec_with_returning(db)
        .await?;
    updated_row(rows, ENTITY, name)
}
