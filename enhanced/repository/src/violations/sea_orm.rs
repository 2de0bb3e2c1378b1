//! [`ViolationRepository`] on SeaORM.

use std::num::NonZeroU32;

use async_trait::async_trait;
use memdb_enhanced_entity::violations;
use memdb_repository::query::{fetch_page, get_by_id, stored_u64};
use memdb_repository::{
    ConflictKind, DbResultExt, Executor, Page, RepoError, RepoResult, now, stored_enum, utc,
    validate,
};
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};

use super::{
    NewViolation, Recorded, RuleViolation, Severity, SeverityCount, ViolationFilter,
    ViolationRepository, ViolationStatus,
};
use crate::ids::ViolationId;
use crate::limits;

const ENTITY: &str = "violation";

memdb_repository::sea_orm_repository! {
    /// [`ViolationRepository`] on SeaORM.
    SeaOrmViolationRepository
}

/// The stored line: 0 for the whole file, so the unique index on (rule, path, line) compares
/// it (NULLs never conflict).
fn stored_line(line: Option<NonZeroU32>) -> RepoResult<i32> {
    line.map_or(Ok(0), |line| {
        i32::try_from(line.get()).map_err(|_| {
            RepoError::invalid("line", format!("must be at most {}, got {line}", i32::MAX))
        })
    })
}

impl TryFrom<violations::Model> for RuleViolation {
    type Error = RepoError;

    fn try_from(m: violations::Model) -> RepoResult<Self> {
        let line =
            u32::try_from(m.line).map_err(|_| RepoError::corrupt("violation line", m.line))?;
        Ok(Self {
            id: m.id.into(),
            rule: m.rule,
            severity: stored_enum("violation severity", &m.severity)?,
            path: m.path,
            line: NonZeroU32::new(line),
            message: m.message,
            status: stored_enum("violation status", &m.status)?,
            detected_at: utc(m.detected_at),
            resolved_at: m.resolved_at.map(utc),
        })
    }
}

/// `status IN ('open', 'acknowledged')` with the statuses as literals: the predicate of the
/// partial index `ux_violations_unresolved`, which an `ON CONFLICT` target must repeat in its
/// own text for the database to pick that index (bound values would not match it).
fn is_unresolved() -> Expr {
    Expr::col(violations::Column::Status)
        .is_in(ViolationStatus::UNRESOLVED.map(|status| Expr::Constant(status.into())))
}

/// A path to look violations up by: compared as given, as paths are stored (see
/// [`crate::input::file_path`]).
fn lookup_path(path: &str) -> RepoResult<String> {
    Ok(validate::text("path", path)?.to_owned())
}

#[async_trait]
impl<C: Executor> ViolationRepository for SeaOrmViolationRepository<C> {
    async fn record(&self, input: NewViolation) -> RepoResult<Recorded> {
        let rule = validate::key("rule", &input.rule, limits::VIOLATION_RULE)?;
        let path = crate::input::file_path("path", &input.path)?;
        let message = validate::non_empty("message", &input.message, limits::VIOLATION_MESSAGE)?;
        let line = stored_line(input.line)?;
        let id = ViolationId::new();
        let model = violations::ActiveModel {
            id: sea_orm::Set(id.into()),
            rule: sea_orm::Set(rule),
            severity: sea_orm::Set(input.severity.as_str().to_owned()),
            path: sea_orm::Set(path),
            line: sea_orm::Set(line),
            message: sea_orm::Set(message.to_owned()),
            status: sea_orm::Set(ViolationStatus::Open.as_str().to_owned()),
            detected_at: sea_orm::Set(now()),
            resolved_at: sea_orm::Set(None),
        };
        // One statement: the insert meets an unresolved violation of the same rule and place
        // in the partial unique index, and then "updates" it to what it is, which returns it
        // unchanged. Concurrent recorders queue on that index entry, so exactly one inserts.
        let keep_existing = OnConflict::columns([
            violations::Column::Rule,
            violations::Column::Path,
            violations::Column::Line,
        ])
        .target_and_where(is_unresolved())
        .value(
            violations::Column::Status,
            Expr::col((violations::Entity, violations::Column::Status)),
        )
        .to_owned();
        let stored = violations::Entity::insert(model)
            .on_conflict(keep_existing)
            .exec_with_returning(&self.db)
            .await?;
        let violation = RuleViolation::try_from(stored)?;
        Ok(Recorded {
            is_new: violation.id == id,
            violation,
        })
    }

    async fn get(&self, id: ViolationId) -> RepoResult<RuleViolation> {
        get_by_id::<violations::Entity, _>(&self.db, ENTITY, id).await
    }

    async fn set_status(
        &self,
        id: ViolationId,
        status: ViolationStatus,
    ) -> RepoResult<RuleViolation> {
        let resolved_at = (status == ViolationStatus::Resolved).then(now);
        // The allowed previous statuses are part of the UPDATE's condition: the database
        // checks and moves in one step, so of two moves that exclude each other (resolving and
        // ignoring an open violation) the second finds the first's status and changes nothing.
        let rows = violations::Entity::update_many()
            .col_expr(violations::Column::Status, Expr::val(status))
            .col_expr(violations::Column::ResolvedAt, Expr::val(resolved_at))
            .filter(violations::Column::Id.eq(id.as_uuid()))
            .filter(violations::Column::Status.is_in(status.reachable_from().iter().copied()))
            .exec_with_returning(&self.db)
            .await
            .on_duplicate(|| {
                format!(
                    "violation {id} cannot be reopened: the same rule is broken at the same \
                     place by an unresolved violation recorded since"
                )
            })?;
        if let Some(row) = rows.into_iter().next() {
            return row.try_into();
        }
        // Nothing moved: tell a missing violation from one in the wrong status.
        let current = self.get(id).await?;
        Err(RepoError::conflict(
            ConflictKind::WrongState,
            format!(
                "violation {id} is {} and cannot become {status}",
                current.status
            ),
        ))
    }

    async fn list(&self, filter: ViolationFilter, page: Page) -> RepoResult<Vec<RuleViolation>> {
        let path = filter.path.as_deref().map(lookup_path).transpose()?;
        // Every index of `violations` but the unique one ends in (detected_at, id) after the
        // columns it filters on, so whichever the filter picks reads the page in order.
        let select = violations::Entity::find()
            .apply_if(filter.status, |q, status| {
                q.filter(violations::Column::Status.eq(status))
            })
            .apply_if(filter.severity, |q, severity| {
                q.filter(violations::Column::Severity.eq(severity))
            })
            .apply_if(path, |q, path| q.filter(violations::Column::Path.eq(path)))
            .order_by_asc(violations::Column::DetectedAt)
            .order_by_asc(violations::Column::Id);
        fetch_page(select, &self.db, page).await
    }

    async fn open_counts(&self) -> RepoResult<Vec<SeverityCount>> {
        let rows: Vec<(String, String, i64)> = violations::Entity::find()
            .select_only()
            .column(violations::Column::Status)
            .column(violations::Column::Severity)
            .column_as(Expr::col(Asterisk).count(), "n")
            .filter(violations::Column::Status.is_in(ViolationStatus::UNRESOLVED))
            .group_by(violations::Column::Status)
            .group_by(violations::Column::Severity)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut counts: Vec<SeverityCount> = Severity::ALL
            .iter()
            .map(|&severity| SeverityCount {
                severity,
                open: 0,
                acknowledged: 0,
            })
            .collect();
        for (status, severity, n) in rows {
            let severity: Severity = stored_enum("violation severity", &severity)?;
            let n = stored_u64("violation count", n)?;
            let status: ViolationStatus = stored_enum("violation status", &status)?;
            // Every severity has its entry.
            if let Some(count) = counts.iter_mut().find(|c| c.severity == severity) {
                match status {
                    ViolationStatus::Open => count.open = n,
                    ViolationStatus::Acknowledged => count.acknowledged = n,
                    other => return Err(RepoError::corrupt("unresolved violation status", other)),
                }
            }
        }
        Ok(counts)
    }

    async fn resolve_path(&self, path: &str) -> RepoResult<u64> {
        let path = lookup_path(path)?;
        let result = violations::Entity::update_many()
            .col_expr(
                violations::Column::Status,
                Expr::val(ViolationStatus::Resolved),
            )
            .col_expr(violations::Column::ResolvedAt, Expr::val(now()))
            .filter(violations::Column::Path.eq(path))
            .filter(violations::Column::Status.is_in(ViolationStatus::UNRESOLVED))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected)
    }
}
