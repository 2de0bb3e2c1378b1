//! The backend's own consistency checks, each as a list of findings (empty when healthy):
//! SQLite's `PRAGMA integrity_check` and `PRAGMA foreign_key_check`; PostgreSQL's invalid
//! indexes (a failed `CREATE INDEX CONCURRENTLY`) and constraints added `NOT VALID` and never
//! validated.

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, DbErr, QueryResult, Statement};

/// One of the backend's checks and what it found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthCheck {
    /// The check's name (`integrity_check`, `foreign_key_check`, `invalid indexes`,
    /// `unvalidated constraints`).
    pub name: &'static str,
    /// One line per finding; empty when the check passed.
    pub findings: Vec<String>,
}

/// Runs the backend's checks on the connection's current schema.
///
/// # Errors
/// The database's error, or `DbErr::BackendNotSupported` on a backend not handled here.
pub async fn health_checks(db: &impl ConnectionTrait) -> Result<Vec<HealthCheck>, DbErr> {
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            let integrity = query(db, "PRAGMA integrity_check", |row| {
                row.try_get_by_index::<String>(0)
            })
            .await?
            .into_iter()
            .filter(|line| line != "ok")
            .collect();
            let foreign_keys = query(
                db,
                "SELECT \"table\", rowid, parent, fkid FROM pragma_foreign_key_check",
                |row| {
                    let table: String = row.try_get_by_index(0)?;
                    let rowid: Option<i64> = row.try_get_by_index(1)?;
                    let parent: String = row.try_get_by_index(2)?;
                    Ok(format!(
                        "{table} row {} references a missing {parent} row",
                        rowid.map_or_else(|| "?".to_owned(), |r| r.to_string())
                    ))
                },
            )
            .await?;
            Ok(vec![
                HealthCheck {
                    name: "integrity_check",
                    findings: integrity,
                },
                HealthCheck {
                    name: "foreign_key_check",
                    findings: foreign_keys,
                },
            ])
        }
        DbBackend::Postgres => {
            let indexes = query(
                db,
                "SELECT ic.relname::text, tc.relname::text FROM pg_index i \
                 JOIN pg_class ic ON ic.oid = i.indexrelid \
                 JOIN pg_class tc ON tc.oid = i.indrelid \
                 JOIN pg_namespace n ON n.oid = tc.relnamespace AND n.nspname = current_schema() \
                 WHERE NOT i.indisvalid ORDER BY 2, 1",
                |row| {
                    let index: String = row.try_get_by_index(0)?;
                    let table: String = row.try_get_by_index(1)?;
                    Ok(format!("index {index} on {table} is invalid"))
                },
            )
            .await?;
            let constraints = query(
                db,
                "SELECT c.conname::text, tc.relname::text FROM pg_constraint c \
                 JOIN pg_class tc ON tc.oid = c.conrelid \
                 JOIN pg_namespace n ON n.oid = tc.relnamespace AND n.nspname = current_schema() \
                 WHERE NOT c.convalidated ORDER BY 2, 1",
                |row| {
                    let constraint: String = row.try_get_by_index(0)?;
                    let table: String = row.try_get_by_index(1)?;
                    Ok(format!(
                        "constraint {constraint} on {table} is not validated"
                    ))
                },
            )
            .await?;
            Ok(vec![
                HealthCheck {
                    name: "invalid indexes",
                    findings: indexes,
                },
                HealthCheck {
                    name: "unvalidated constraints",
                    findings: constraints,
                },
            ])
        }
        _ => Err(DbErr::BackendNotSupported {
            db: "MySQL",
            ctx: "memdb_migration::dialect::health",
        }),
    }
}

async fn query<T>(
    db: &impl ConnectionTrait,
    sql: &str,
    read: impl Fn(&QueryResult) -> Result<T, DbErr>,
) -> Result<Vec<T>, DbErr> {
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .iter()
        .map(read)
        .collect()
}
