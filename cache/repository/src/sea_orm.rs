//! [`CacheRepository`] on SeaORM: every call is one statement (purge: one a batch), so it needs
//! no transaction of its own and runs the same on the pool or in a caller's unit of work.

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use memdb_cache_entity::{cache_entries, interactions, template_status};
use memdb_repository::query::stored_u64;
use memdb_repository::{Executor, RepoError, RepoResult, now, stored_enum, utc, validate};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, OnConflict, Order, Query};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::Value;
use uuid::Uuid;

use crate::canonical::context_hash;
use crate::types::{MAX_BATCH_SIZE, MAX_TTL};
use crate::{
    CacheEntry, CacheRepository, DriftReport, Interaction, NewCacheEntry, NewInteraction, Progress,
    Purge, PurgeBatch, TemplateCall, TemplateStats,
};

memdb_repository::sea_orm_repository! {
    /// [`CacheRepository`] on SeaORM.
    SeaOrmCacheRepository
}

impl TryFrom<cache_entries::Model> for CacheEntry {
    type Error = RepoError;

    fn try_from(m: cache_entries::Model) -> RepoResult<Self> {
        Ok(Self {
            key: m.key,
            model: m.model,
            prompt_hash: m.prompt_hash,
            response: m.response,
            hits: stored_u64("cache entry hits", m.hits)?,
            created_at: utc(m.created_at),
            expires_at: utc(m.expires_at),
        })
    }
}

impl TryFrom<template_status::Model> for TemplateStats {
    type Error = RepoError;

    fn try_from(m: template_status::Model) -> RepoResult<Self> {
        Ok(Self {
            template: m.template,
            call_count: stored_u64("template call count", m.call_count)?,
            total_latency_ms: stored_u64("template total latency", m.total_latency_ms)?,
            avg_latency_ms: m.avg_latency_ms,
            last_cached_context: m.last_cached_context,
            last_context_time: m.last_context_time.map(utc),
        })
    }
}

impl TryFrom<interactions::Model> for Interaction {
    type Error = RepoError;

    fn try_from(m: interactions::Model) -> RepoResult<Self> {
        Ok(Self {
            id: m.id,
            template: m.template,
            input: m.input,
            output: m.output,
            outcome: stored_enum("interaction outcome", &m.outcome)?,
            latency_ms: stored_u64("interaction latency", m.latency_ms)?,
            environmental_context: m.environmental_context,
            created_at: utc(m.created_at),
        })
    }
}

fn cache_key(key: &str) -> RepoResult<String> {
    validate::key("key", key, 512)
}

fn template(template: &str) -> RepoResult<String> {
    validate::key("template", template, 200)
}

fn latency(latency_ms: u64) -> RepoResult<i64> {
    i64::try_from(latency_ms)
        .map_err(|_| RepoError::invalid("latency_ms", "must be at most i64::MAX"))
}

/// A batch size or limit within 1 to [`MAX_BATCH_SIZE`].
fn batch(field: &'static str, n: u64) -> RepoResult<u64> {
    if (1..=MAX_BATCH_SIZE).contains(&n) {
        Ok(n)
    } else {
        Err(RepoError::invalid(
            field,
            format!("must be 1 to {MAX_BATCH_SIZE}, got {n}"),
        ))
    }
}

/// An optional context, checked, with its canonical hash.
fn context(
    field: &'static str,
    value: Option<Value>,
) -> RepoResult<(Option<Value>, Option<String>)> {
    match value {
        None => Ok((None, None)),
        Some(value) => {
            let value = validate::json_object(field, value)?;
            let hash = context_hash(&value);
            Ok((Some(value), Some(hash)))
        }
    }
}

#[async_trait]
impl<C: Executor> CacheRepository for SeaOrmCacheRepository<C> {
    async fn get(&self, key: &str) -> RepoResult<Option<CacheEntry>> {
        let key = cache_key(key)?;
        let hit = cache_entries::Entity::update_many()
            .col_expr(
                cache_entries::Column::Hits,
                Expr::col(cache_entries::Column::Hits).add(1),
            )
            .filter(cache_entries::Column::Key.eq(key))
            .filter(cache_entries::Column::ExpiresAt.gt(now()))
            .exec_with_returning(&self.db)
            .await?;
        hit.into_iter().next().map(CacheEntry::try_from).transpose()
    }

    async fn put(&self, entry: NewCacheEntry) -> RepoResult<CacheEntry> {
        if entry.ttl.is_zero() || entry.ttl > MAX_TTL {
            return Err(RepoError::invalid(
                "ttl",
                format!("must be more than zero and at most {} s", MAX_TTL.as_secs()),
            ));
        }
        let response = validate::json_value("response", entry.response)?;
        let created_at = now();
        let ttl = chrono::Duration::from_std(entry.ttl)
            .map_err(|_| RepoError::invalid("ttl", "out of range"))?;
        let row = cache_entries::ActiveModel {
            key: Set(cache_key(&entry.key)?),
            model: Set(validate::key("model", &entry.model, 200)?),
            prompt_hash: Set(validate::key("prompt_hash", &entry.prompt_hash, 128)?),
            response: Set(response),
            hits: Set(0),
            created_at: Set(created_at),
            expires_at: Set((created_at + ttl).trunc_subsecs(6)),
        };
        let replace = OnConflict::column(cache_entries::Column::Key)
            .update_columns([
                cache_entries::Column::Model,
                cache_entries::Column::PromptHash,
                cache_entries::Column::Response,
                cache_entries::Column::Hits,
                cache_entries::Column::CreatedAt,
                cache_entries::Column::ExpiresAt,
            ])
            .to_owned();
        let stored = cache_entries::Entity::insert(row)
            .on_conflict(replace)
            .exec_with_returning(&self.db)
            .await?;
        stored.try_into()
    }

    async fn record_call(&self, call: TemplateCall) -> RepoResult<TemplateStats> {
        use template_status::Column as C;
        let name = template(&call.template)?;
        let latency = latency(call.latency_ms)?;
        let (context, hash) = context("context", call.context)?;
        let time = context.as_ref().map(|_| now());
        #[allow(
            clippy::cast_precision_loss,
            reason = "a latency in ms is far below 2^52"
        )]
        let first_avg = latency as f64;
        let row = template_status::ActiveModel {
            template: Set(name),
            call_count: Set(1),
            total_latency_ms: Set(latency),
            avg_latency_ms: Set(first_avg),
            last_cached_context: Set(context),
            last_context_hash: Set(hash),
            last_context_time: Set(time),
        };
        // One statement: the row's current values, never a value read earlier, so concurrent
        // callers each add their call, and the average is the new total over the new count.
        let current = |c: C| Expr::col((template_status::Entity, c));
        let new = |c: C| Expr::col((Alias::new("excluded"), c));
        let total = current(C::TotalLatencyMs).add(new(C::TotalLatencyMs));
        let count = current(C::CallCount).add(1);
        let kept = |c: C| Func::coalesce([new(c), current(c)]);
        let add = OnConflict::column(C::Template)
            .value(C::CallCount, count.clone())
            .value(C::TotalLatencyMs, total.clone())
            .value(
                C::AvgLatencyMs,
                total.cast_as(Alias::new("DOUBLE PRECISION")).div(count),
            )
            .value(C::LastCachedContext, kept(C::LastCachedContext))
            .value(C::LastContextHash, kept(C::LastContextHash))
            .value(C::LastContextTime, kept(C::LastContextTime))
            .to_owned();
        let stored = template_status::Entity::insert(row)
            .on_conflict(add)
            .exec_with_returning(&self.db)
            .await?;
        stored.try_into()
    }

    async fn template_stats(&self, name: &str) -> RepoResult<Option<TemplateStats>> {
        let name = template(name)?;
        template_status::Entity::find_by_id(name)
            .one(&self.db)
            .await?
            .map(TemplateStats::try_from)
            .transpose()
    }

    async fn record_interaction(&self, new: NewInteraction) -> RepoResult<Interaction> {
        let (context, hash) = context("environmental_context", new.environmental_context)?;
        let row = interactions::ActiveModel {
            id: Set(Uuid::now_v7()),
            template: Set(template(&new.template)?),
            input: Set(validate::text("input", &new.input)?.to_owned()),
            output: Set(validate::text("output", &new.output)?.to_owned()),
            outcome: Set(new.outcome.as_str().to_owned()),
            latency_ms: Set(latency(new.latency_ms)?),
            environmental_context: Set(context),
            context_hash: Set(hash),
            created_at: Set(now()),
        };
        interactions::Entity::insert(row)
            .exec_with_returning(&self.db)
            .await?
            .try_into()
    }

    async fn drift_report(&self, name: &str, limit: u64) -> RepoResult<DriftReport> {
        let limit = batch("limit", limit)?;
        let name = template(name)?;
        let Some(status) = template_status::Entity::find_by_id(name.as_str())
            .one(&self.db)
            .await?
        else {
            return Ok(DriftReport {
                template: name,
                last_cached_context: None,
                drifted: Vec::new(),
            });
        };
        // The hash written with the context, not one recomputed from the stored JSON: a
        // backend may print a number back differently from how it was given.
        let drifted = match status.last_context_hash {
            None => Vec::new(),
            // `<>` is never true for a NULL hash: interactions without a context are not drift.
            Some(hash) => interactions::Entity::find()
                .filter(interactions::Column::Template.eq(name.as_str()))
                .filter(interactions::Column::ContextHash.ne(hash))
                .order_by(interactions::Column::CreatedAt, Order::Asc)
                .order_by(interactions::Column::Id, Order::Asc)
                .limit(limit)
                .all(&self.db)
                .await?
                .into_iter()
                .map(Interaction::try_from)
                .collect::<RepoResult<_>>()?,
        };
        Ok(DriftReport {
            template: status.template,
            last_cached_context: status.last_cached_context,
            drifted,
        })
    }

    async fn purge_expired<'a>(
        &self,
        as_of: DateTime<Utc>,
        batch_size: u64,
        progress: Progress<'a>,
    ) -> RepoResult<Purge> {
        let size = batch("batch_size", batch_size)?;
        let as_of = as_of.trunc_subsecs(6).fixed_offset();
        let mut purge = Purge {
            deleted: 0,
            batches: 0,
            stopped: false,
        };
        loop {
            // Oldest expiry first, read from idx_cache_entries_expires; one statement a batch.
            let keys = Query::select()
                .column(cache_entries::Column::Key)
                .from(cache_entries::Entity)
                .and_where(Expr::col(cache_entries::Column::ExpiresAt).lte(as_of))
                .order_by(cache_entries::Column::ExpiresAt, Order::Asc)
                .limit(size)
                .to_owned();
            let deleted = cache_entries::Entity::delete_many()
                .filter(cache_entries::Column::Key.in_subquery(keys))
                .exec(&self.db)
                .await?
                .rows_affected;
            if deleted == 0 {
                return Ok(purge);
            }
            purge.deleted += deleted;
            purge.batches += 1;
            let batch = PurgeBatch {
                number: purge.batches,
                deleted,
                deleted_so_far: purge.deleted,
            };
            if progress(&batch).is_break() {
                purge.stopped = true;
                return Ok(purge);
            }
        }
    }
}
