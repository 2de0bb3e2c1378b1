//! The doctor's one check of the legacy track's data: every task's `dependent_count` (legacy
//! migration `m20261124_000006_count_task_dependents`) equals the dependency edges that point
//! at it. The repositories keep it; a writer that adds or removes `task_dependencies` rows with
//! its own SQL, or a service built before the migration, does not. A count that is too low lets
//! `complete` finish a task without promoting its new dependent.

use sea_orm_migration::SchemaManager;
use sea_orm_migration::sea_orm::prelude::Uuid;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use super::Check;
use crate::cli::error::CliError;

/// How many miscounted tasks the report names at most.
const NAMED: usize = 10;

/// The tasks whose count differs from their edges, as `WHERE` over `tasks t`.
const MISCOUNTED: &str = "t.dependent_count <> \
     (SELECT COUNT(*) FROM task_dependencies d WHERE d.depends_on_task_id = t.id)";

/// The check, or `None` when the database has no `tasks.dependent_count` (the legacy track not
/// applied that far).
///
/// # Errors
/// The database's error.
pub(super) async fn check(db: &DatabaseConnection) -> Result<Option<Check>, CliError> {
    let schema = SchemaManager::new(db);
    if !schema.has_table("task_dependencies").await?
        || !schema.has_column("tasks", "dependent_count").await?
    {
        return Ok(None);
    }
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            format!(
                "SELECT t.id, t.dependent_count, \
                 (SELECT COUNT(*) FROM task_dependencies d WHERE d.depends_on_task_id = t.id) \
                 AS edges FROM tasks t WHERE {MISCOUNTED} ORDER BY t.id LIMIT {NAMED}"
            ),
        ))
        .await?;
    let mut problems = Vec::with_capacity(rows.len() + 1);
    for row in &rows {
        let id: Uuid = row.try_get("", "id")?;
        let counted: i32 = row.try_get("", "dependent_count")?;
        let edges: i64 = row.try_get("", "edges")?;
        problems.push(format!(
            "task {id} counts {counted} dependent(s), {edges} depend on it"
        ));
    }
    if rows.len() == NAMED {
        let total = db
            .query_one_raw(Statement::from_string(
                backend,
                format!("SELECT COUNT(*) AS n FROM tasks t WHERE {MISCOUNTED}"),
            ))
            .await?
            .map(|row| row.try_get::<i64>("", "n"))
            .transpose()?
            .unwrap_or_default();
        let more = usize::try_from(total)
            .unwrap_or(usize::MAX)
            .saturating_sub(NAMED);
        if more > 0 {
            problems.push(format!("{more} more task(s)"));
        }
    }
    Ok(Some(Check::new(
        "task dependent counts (legacy)".to_owned(),
        problems,
        "every task's count matches the dependencies pointing at it",
    )))
}
