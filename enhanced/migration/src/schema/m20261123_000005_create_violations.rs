//! `violations`: rule breaches found in files, from detection to resolution.
//!
//! A violation is at a line of a file, or at line 0 when it concerns the whole file: a value,
//! not NULL, so the unique index that keeps one unresolved violation per rule and place can
//! compare it (NULLs never conflict in a unique index).

use sea_orm_migration::{prelude::*, schema::*};

use crate::adopt::{create_index, create_table, drop_tables};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

#[derive(DeriveIden, Clone, Copy)]
enum Violations {
    Table,
    Id,
    Rule,
    Severity,
    Path,
    Line,
    Message,
    Status,
    DetectedAt,
    ResolvedAt,
}

/// The severities a violation may have, frozen as of this migration.
const SEVERITIES: [&str; 4] = ["info", "warning", "error", "critical"];

/// The statuses a violation may have, frozen as of this migration.
const STATUSES: [&str; 4] = ["open", "acknowledged", "resolved", "ignored"];

/// The statuses of a violation still to be dealt with: at most one per rule, path and line.
/// The repository's `ON CONFLICT` target repeats this predicate with the same literals
/// (`enhanced/repository/src/violations/sea_orm.rs`): planners match a partial index only
/// against the statement's own text, never against bound values.
const UNRESOLVED: [&str; 2] = ["open", "acknowledged"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Table::create()
            .table(Violations::Table)
            .col(pk_uuid(Violations::Id))
            .col(string_len(Violations::Rule, 200))
            .col(string_len(Violations::Severity, 16))
            .col(string_len(Violations::Path, 1024))
            .col(integer(Violations::Line))
            .col(text(Violations::Message))
            .col(string_len(Violations::Status, 16))
            .col(timestamp_with_time_zone(Violations::DetectedAt))
            .col(timestamp_with_time_zone_null(Violations::ResolvedAt))
            .check(Check::named(
                "ck_violations_severity",
                Expr::col(Violations::Severity).is_in(SEVERITIES),
            ))
            .check(Check::named(
                "ck_violations_status",
                Expr::col(Violations::Status).is_in(STATUSES),
            ))
            .check(Check::named(
                "ck_violations_line",
                Expr::col(Violations::Line).gte(0),
            ))
            // A resolution time exactly when resolved.
            .check(Check::named(
                "ck_violations_resolved_at",
                Expr::col(Violations::Status)
                    .eq("resolved")
                    .and(Expr::col(Violations::ResolvedAt).is_not_null())
                    .or(Expr::col(Violations::Status)
                        .ne("resolved")
                        .and(Expr::col(Violations::ResolvedAt).is_null())),
            ))
            .to_owned();
        create_table(manager, "violations", table).await?;

        // One unresolved violation per rule and place, under races too: concurrent recorders
        // of the same violation meet in this index and all but one get the existing row.
        let unresolved = Index::create()
            .name("ux_violations_unresolved")
            .table(Violations::Table)
            .col(Violations::Rule)
            .col(Violations::Path)
            .col(Violations::Line)
            .unique()
            .and_where(Expr::col(Violations::Status).is_in(UNRESOLVED))
            .to_owned();
        create_index(manager, "violations", unresolved).await?;

        // Listings in detection order, unfiltered or by status, status and severity (which
        // also counts unresolved violations by severity), severity, or path (which also serves
        // resolving a path's violations). Each ends in (detected_at, id): the order pages are
        // read in, ids breaking ties so pages never overlap.
        let indexes: [(&str, &[Violations]); 5] = [
            (
                "ix_violations_detected",
                &[Violations::DetectedAt, Violations::Id],
            ),
            (
                "ix_violations_status_detected",
                &[Violations::Status, Violations::DetectedAt, Violations::Id],
            ),
            (
                "ix_violations_status_severity_detected",
                &[
                    Violations::Status,
                    Violations::Severity,
                    Violations::DetectedAt,
                    Violations::Id,
                ],
            ),
            (
                "ix_violations_severity_detected",
                &[Violations::Severity, Violations::DetectedAt, Violations::Id],
            ),
            (
                "ix_violations_path_detected",
                &[Violations::Path, Violations::DetectedAt, Violations::Id],
            ),
        ];
        for (name, columns) in indexes {
            let mut index = Index::create()
                .name(name)
                .table(Violations::Table)
                .to_owned();
            for column in columns {
                index.col(*column);
            }
            create_index(manager, "violations", index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["violations"]).await
    }
}
