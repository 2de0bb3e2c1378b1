//! Building a [`Plan`]: the operator's input checked, each source's catalog read, every value
//! scanned and the DDL written. Reads the sources only; needs no target.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, TransactionTrait};

use super::catalog::{self, SourceTable};
use super::error::ConsolidateError;
use super::ident::{plain_name_problem, schema_name_problem, source_name_problem};
use super::plan::{Plan, SourcePlan, TablePlan};
use super::{ddl, decide, defaults, keys, source};

/// One `--from FILE --schema NAME` pair.
#[derive(Clone, Debug)]
pub struct SourceSpec {
    /// The SQLite file.
    pub path: PathBuf,
    /// The PostgreSQL schema it goes into.
    pub schema: String,
}

impl SourceSpec {
    /// The pair `path` -> `schema`.
    #[must_use]
    pub fn new(path: impl Into<PathBuf>, schema: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            schema: schema.into(),
        }
    }
}

/// Choices a plan can be made with.
#[derive(Clone, Copy, Debug, Default)]
#[non_exhaustive]
pub struct PlanOptions {
    /// Accept source table, column and index names that are not plain identifiers (a-z, 0-9,
    /// _, not starting with a digit) and quote them everywhere; by default such a name is
    /// refused with [`ConsolidateError::NameNeedsQuoting`].
    pub quote_names: bool,
}

impl PlanOptions {
    /// These options with [`PlanOptions::quote_names`] set to `quote`.
    #[must_use]
    pub fn quote_names(mut self, quote: bool) -> Self {
        self.quote_names = quote;
        self
    }
}

/// [`plan_with`] with the default options: names that need quoting are refused.
///
/// # Errors
/// As [`plan_with`].
pub async fn plan(sources: &[SourceSpec]) -> Result<Plan, ConsolidateError> {
    plan_with(sources, PlanOptions::default()).await
}

/// Plans the consolidation of `sources`: checks the input, reads each source's catalog, scans
/// every value to choose the column types, and writes the DDL. Writes nothing anywhere.
///
/// # Errors
/// [`ConsolidateError::NoSources`], [`ConsolidateError::InvalidSchemaName`],
/// [`ConsolidateError::DuplicateSchema`], [`ConsolidateError::DuplicateSource`],
/// [`ConsolidateError::SourceUnreadable`], [`ConsolidateError::NotSqlite`],
/// [`ConsolidateError::InvalidName`] for a source name PostgreSQL cannot hold,
/// [`ConsolidateError::NameNeedsQuoting`] for one that is not a plain identifier (unless
/// [`PlanOptions::quote_names`]),
/// [`ConsolidateError::RowidShadowed`] for a table whose rowid no name reaches, and
/// [`ConsolidateError::Source`] when a source cannot be read.
pub async fn plan_with(
    sources: &[SourceSpec],
    options: PlanOptions,
) -> Result<Plan, ConsolidateError> {
    check_specs(sources)?;
    let mut plans = Vec::with_capacity(sources.len());
    for spec in sources {
        let db = source::open(&spec.path).await?;
        // One read transaction: the catalog, the counts and every value from one snapshot.
        let planned = match db.begin().await {
            Ok(snapshot) => {
                let planned = plan_source(&snapshot, spec, options).await;
                snapshot.rollback().await.ok();
                planned
            }
            Err(err) => Err(ConsolidateError::source(&spec.path)(err)),
        };
        db.close().await.ok();
        plans.push(planned?);
    }
    Ok(Plan {
        sources: plans,
        fallback_examples_per_column: decide::FALLBACK_EXAMPLES,
    })
}

/// Refuses an empty list, invalid or repeated schema names and repeated files.
fn check_specs(sources: &[SourceSpec]) -> Result<(), ConsolidateError> {
    if sources.is_empty() {
        return Err(ConsolidateError::NoSources);
    }
    let mut schemas = BTreeSet::new();
    let mut files = BTreeSet::new();
    for spec in sources {
        if let Some(reason) = schema_name_problem(&spec.schema) {
            return Err(ConsolidateError::InvalidSchemaName {
                name: spec.schema.clone(),
                reason,
            });
        }
        if !schemas.insert(spec.schema.as_str()) {
            return Err(ConsolidateError::DuplicateSchema {
                name: spec.schema.clone(),
            });
        }
        let file = spec
            .path
            .canonicalize()
            .map_err(|err| ConsolidateError::SourceUnreadable {
                path: spec.path.clone(),
                reason: err.to_string(),
            })?;
        if !files.insert(file) {
            return Err(ConsolidateError::DuplicateSource {
                path: spec.path.clone(),
            });
        }
    }
    Ok(())
}

/// The plan of one source.
async fn plan_source(
    db: &impl ConnectionTrait,
    spec: &SourceSpec,
    options: PlanOptions,
) -> Result<SourcePlan, ConsolidateError> {
    let read = ConsolidateError::source(&spec.path);
    let (tables, mut notes) = catalog::tables(db).await.map_err(read)?;
    check_names(&spec.path, &tables, options)?;
    let mut planned = Vec::with_capacity(tables.len());
    for mut table in tables {
        for hidden in &table.hidden_columns {
            notes.push(format!(
                "{}.{hidden}: generated column not copied (its values follow from the others)",
                table.name
            ));
        }
        let (mut columns, fallbacks, rows) = decide::columns(db, &table)
            .await
            .map_err(ConsolidateError::source(&spec.path))?;
        // The source's key: a WITHOUT ROWID table's rows are paged by it even when PostgreSQL
        // does not get it.
        let primary_key = table.primary_key.clone();
        keys::check(db, &mut table, &mut columns, &mut notes)
            .await
            .map_err(ConsolidateError::source(&spec.path))?;
        for (plan, column) in columns.iter_mut().zip(&table.columns) {
            let Some(sqlite) = &column.default else {
                continue;
            };
            if plan.identity {
                // PostgreSQL refuses a default on an identity column; the identity supplies ids.
                notes.push(format!(
                    "{}.{}: default {sqlite} dropped (the identity hands out new ids)",
                    table.name, column.name
                ));
                continue;
            }
            plan.default = defaults::carry(sqlite, plan.pg_type);
            if plan.default.is_none() && !sqlite.eq_ignore_ascii_case("NULL") {
                notes.push(format!(
                    "{}.{}: default {sqlite} not carried over",
                    table.name, column.name
                ));
            }
        }
        let autoincrement_seq = if table.autoincrement {
            sequence(db, &table.name)
                .await
                .map_err(ConsolidateError::source(&spec.path))?
        } else {
            None
        };
        let plan = TablePlan {
            name: table.name.clone(),
            rows,
            without_rowid: table.without_rowid,
            rowid: table.rowid,
            primary_key,
            columns,
            autoincrement_seq,
            fallbacks,
        };
        planned.push((table, plan));
    }
    let create = ddl::create(&spec.schema, &planned);
    let (finish, ddl_notes) = ddl::finish(&spec.schema, &planned);
    notes.extend(ddl_notes);
    Ok(SourcePlan {
        path: spec.path.clone(),
        schema: spec.schema.clone(),
        tables: planned.into_iter().map(|(_, plan)| plan).collect(),
        create,
        finish,
        notes,
    })
}

/// Refuses table, column and index names PostgreSQL cannot hold or (unless
/// `options.quote_names`) that need quoting, and rowid tables whose
/// columns shadow every name of the rowid.
fn check_names(
    path: &Path,
    tables: &[SourceTable],
    options: PlanOptions,
) -> Result<(), ConsolidateError> {
    if let Some(table) = tables
        .iter()
        .find(|t| !t.without_rowid && t.rowid.is_none())
    {
        return Err(ConsolidateError::RowidShadowed {
            source_file: path.to_path_buf(),
            table: table.name.clone(),
        });
    }
    let names = tables.iter().flat_map(|t| {
        std::iter::once(&t.name)
            .chain(t.columns.iter().map(|c| &c.name))
            .chain(t.indexes.iter().filter(|i| !i.constraint).map(|i| &i.name))
    });
    for name in names {
        if let Some(reason) = source_name_problem(name) {
            return Err(ConsolidateError::InvalidName {
                source_file: path.to_path_buf(),
                name: name.clone(),
                reason,
            });
        }
        if options.quote_names {
            continue;
        }
        if let Some(reason) = plain_name_problem(name) {
            return Err(ConsolidateError::NameNeedsQuoting {
                source_file: path.to_path_buf(),
                name: name.clone(),
                reason,
            });
        }
    }
    Ok(())
}

/// The last id SQLite's AUTOINCREMENT handed out for `table`.
async fn sequence(db: &impl ConnectionTrait, table: &str) -> Result<Option<i64>, DbErr> {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "SELECT seq FROM sqlite_sequence WHERE name = ?",
            [table.into()],
        ))
        .await?;
    row.map(|r| r.try_get_by_index(0)).transpose()
}
