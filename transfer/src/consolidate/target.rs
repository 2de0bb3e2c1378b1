//! The target: a PostgreSQL database, none of the sources, whose schemas for this
//! consolidation hold nothing yet.

use std::path::Path;

use sea_orm::{ConnectionTrait, DbBackend, Statement};

use super::error::ConsolidateError;
use super::plan::Plan;

/// Refuses a target URL that is not PostgreSQL (naming the source when it is one of them).
///
/// # Errors
/// [`ConsolidateError::SameDatabase`] for a SQLite URL of one of the sources,
/// [`ConsolidateError::TargetNotPostgres`] for any other URL that is not `postgres://` or
/// `postgresql://`.
pub fn check_url(url: &str, sources: &[&Path]) -> Result<(), ConsolidateError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(());
    }
    let target = memdb_repository::redact_url(url);
    let file = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or(rest))
        .and_then(|path| Path::new(path).canonicalize().ok());
    if let Some(file) = file
        && let Some(path) = sources
            .iter()
            .find(|s| s.canonicalize().is_ok_and(|s| s == file))
    {
        return Err(ConsolidateError::SameDatabase {
            target,
            path: path.to_path_buf(),
        });
    }
    Err(ConsolidateError::TargetNotPostgres { target })
}

/// Refuses a target that is not PostgreSQL or whose schema for a source already holds a
/// table, sequence, view or other relation. Only reads.
///
/// # Errors
/// [`ConsolidateError::TargetNotPostgres`], [`ConsolidateError::SchemaNotEmpty`], or
/// [`ConsolidateError::Target`] when the target cannot be read.
pub async fn check(db: &impl ConnectionTrait, plan: &Plan) -> Result<(), ConsolidateError> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Err(ConsolidateError::TargetNotPostgres {
            target: format!("a {:?} database", db.get_database_backend()),
        });
    }
    for source in &plan.sources {
        let row = db
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT count(*), min(c.relname::text) FROM pg_class c \
                 JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1",
                [source.schema.as_str().into()],
            ))
            .await
            .map_err(ConsolidateError::Target)?;
        let (relations, example): (i64, Option<String>) = match row {
            Some(r) => (
                r.try_get_by_index(0).map_err(ConsolidateError::Target)?,
                r.try_get_by_index(1).map_err(ConsolidateError::Target)?,
            ),
            None => (0, None),
        };
        if relations > 0 {
            return Err(ConsolidateError::SchemaNotEmpty {
                schema: source.schema.clone(),
                relations: relations as u64,
                example: example.unwrap_or_default(),
            });
        }
    }
    Ok(())
}
