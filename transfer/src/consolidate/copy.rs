//! Running a [`Plan`]: every source into its schema inside one PostgreSQL transaction
//! (create, copy, set identities, foreign keys and indexes, verify), committed only when
//! every table verifies, so a failure or a mismatch leaves the target as it was.

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, Statement,
    TransactionTrait, Value,
};

use super::checksum::TableChecksum;
use super::error::ConsolidateError;
use super::ident::{qualified, quote};
use super::pg_type::PgType;
use super::plan::{Plan, SourcePlan, TablePlan};
use super::progress::Progress;
use super::report::{Report, SourceReport, TableReport};
use super::source::{self, RowReader};
use super::values::{Cell, SourceValue, convert};
use super::{target, verify};

/// PostgreSQL's limit on bind parameters per statement.
const MAX_BIND_PARAMETERS: usize = 65_535;

/// Rows per INSERT at most (fewer for wide tables, to stay under the bind limit).
const MAX_ROWS_PER_INSERT: usize = 1_000;

/// Consolidates as `plan` says into `db`: checks the target, then creates each schema, copies
/// the rows, sets every identity past the copied maximum (and past SQLite's AUTOINCREMENT
/// counter), adds foreign keys and indexes, and verifies every table's rows and checksum, all
/// in one transaction. It commits only when every table verified; otherwise it rolls back and
/// the report says which tables differ.
///
/// # Errors
/// The target checks' errors ([`ConsolidateError::TargetNotPostgres`],
/// [`ConsolidateError::SchemaNotEmpty`]); [`ConsolidateError::SourceChanged`] when a source no
/// longer matches its plan; [`ConsolidateError::Source`] and [`ConsolidateError::Target`] for
/// the databases' errors. Nothing is committed on any error.
pub async fn run(
    plan: &Plan,
    db: &DatabaseConnection,
    progress: &mut dyn Progress,
) -> Result<Report, ConsolidateError> {
    let txn = db.begin().await.map_err(ConsolidateError::Target)?;
    // Checked inside the transaction that then writes, not before it.
    target::check(&txn, plan).await?;
    let mut sources = Vec::with_capacity(plan.sources.len());
    for planned in &plan.sources {
        sources.push(copy_source(&txn, planned, progress).await?);
    }
    let mut report = Report {
        sources,
        committed: false,
    };
    if report.verified() {
        txn.commit().await.map_err(ConsolidateError::Target)?;
        report.committed = true;
    } else {
        txn.rollback().await.map_err(ConsolidateError::Target)?;
    }
    Ok(report)
}

/// One source into its schema.
async fn copy_source(
    txn: &DatabaseTransaction,
    plan: &SourcePlan,
    progress: &mut dyn Progress,
) -> Result<SourceReport, ConsolidateError> {
    for statement in &plan.create {
        execute(txn, statement).await?;
    }
    let db = source::open(&plan.path).await?;
    // One read transaction: the counts and every row from one snapshot of the source.
    let copied = match db.begin().await {
        Ok(snapshot) => {
            let copied = copy_tables(txn, &snapshot, plan, progress).await;
            snapshot.rollback().await.ok();
            copied
        }
        Err(err) => Err(ConsolidateError::source(&plan.path)(err)),
    };
    db.close().await.ok();
    let copied = copied?;
    for statement in &plan.finish {
        execute(txn, statement).await?;
    }
    let mut tables = Vec::with_capacity(copied.len());
    for (table, (source_rows, checksum, next_id)) in plan.tables.iter().zip(copied) {
        let (target_rows, target_sha256) =
            verify::target_checksum(txn, &plan.schema, table).await?;
        tables.push(TableReport {
            table: table.name.clone(),
            source_rows,
            copied_rows: checksum.rows(),
            target_rows,
            source_sha256: checksum.finish(),
            target_sha256,
            next_id,
        });
    }
    Ok(SourceReport {
        path: plan.path.clone(),
        schema: plan.schema.clone(),
        tables,
    })
}

/// Every table of a source, in the plan's order.
async fn copy_tables(
    txn: &DatabaseTransaction,
    db: &DatabaseTransaction,
    plan: &SourcePlan,
    progress: &mut dyn Progress,
) -> Result<Vec<(u64, TableChecksum, Option<i64>)>, ConsolidateError> {
    let mut copied = Vec::with_capacity(plan.tables.len());
    for table in &plan.tables {
        copied.push(copy_table(txn, db, plan, table, progress).await?);
    }
    Ok(copied)
}

/// One table's rows, converted as planned; returns the source's `count(*)` (from the same
/// snapshot as the rows), the checksum of the rows read and the identity's next value.
async fn copy_table(
    txn: &DatabaseTransaction,
    db: &DatabaseTransaction,
    plan: &SourcePlan,
    table: &TablePlan,
    progress: &mut dyn Progress,
) -> Result<(u64, TableChecksum, Option<i64>), ConsolidateError> {
    let source_rows = source::count_rows(db, &table.name)
        .await
        .map_err(ConsolidateError::source(&plan.path))?;
    let names: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
    let types: Vec<PgType> = table.columns.iter().map(|c| c.pg_type).collect();
    let rows_per_insert = (MAX_BIND_PARAMETERS / names.len()).clamp(1, MAX_ROWS_PER_INSERT);
    let into = format!(
        "INSERT INTO {} ({}) VALUES ",
        qualified(&plan.schema, &table.name),
        names
            .iter()
            .map(|n| quote(n))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut reader = RowReader::new(db, &table.name, &names, table.rowid, &table.primary_key);
    let mut checksum = TableChecksum::default();
    progress.copied(&plan.schema, &table.name, 0, table.rows);
    loop {
        let batch = reader
            .next_batch()
            .await
            .map_err(ConsolidateError::source(&plan.path))?;
        if batch.is_empty() {
            break;
        }
        for chunk in batch.chunks(rows_per_insert) {
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * names.len());
            for row in chunk {
                let mut cells = Vec::with_capacity(types.len());
                for ((value, ty), name) in row.values.iter().zip(&types).zip(&names) {
                    let cell =
                        convert(value, *ty).map_err(|_| ConsolidateError::SourceChanged {
                            table: table.name.clone(),
                            column: name.clone(),
                            rowid: row.rowid,
                            planned: ty.to_string(),
                        })?;
                    cells.push(cell);
                }
                checksum.add(&cells);
                for ((cell, ty), source) in cells.into_iter().zip(&types).zip(&row.values) {
                    values.push(bind(cell, *ty, source));
                }
            }
            let sql = format!("{into}{}", placeholders(chunk.len(), &types));
            txn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                sql,
                values,
            ))
            .await
            .map_err(ConsolidateError::Target)?;
        }
        progress.copied(
            &plan.schema,
            &table.name,
            checksum.rows(),
            table.rows.max(checksum.rows()),
        );
    }
    let next_id = match table.identity() {
        Some(column) => Some(reset_identity(txn, &plan.schema, table, &column.name).await?),
        None => None,
    };
    Ok((source_rows, checksum, next_id))
}

/// Moves the identity of `column` past the copied maximum and SQLite's AUTOINCREMENT counter;
/// returns the id the next insert gets.
async fn reset_identity(
    txn: &DatabaseTransaction,
    schema: &str,
    table: &TablePlan,
    column: &str,
) -> Result<i64, ConsolidateError> {
    let sql = format!(
        "SELECT setval(pg_get_serial_sequence($1, $2), \
         GREATEST(COALESCE((SELECT max({}) FROM {}), 0), $3) + 1, false)",
        quote(column),
        qualified(schema, &table.name)
    );
    let row = txn
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            [
                qualified(schema, &table.name).into(),
                column.into(),
                table.autoincrement_seq.unwrap_or(0).into(),
            ],
        ))
        .await
        .map_err(ConsolidateError::Target)?;
    row.map(|r| r.try_get_by_index::<i64>(0))
        .transpose()
        .map_err(ConsolidateError::Target)?
        .ok_or_else(|| ConsolidateError::Target(sea_orm::DbErr::RecordNotFound("setval".into())))
}

/// `($1, $2::jsonb), ($3, $4::jsonb)` for `rows` rows of columns of `types`.
fn placeholders(rows: usize, types: &[PgType]) -> String {
    let mut n = 0;
    let tuples: Vec<String> = (0..rows)
        .map(|_| {
            let row: Vec<String> = types
                .iter()
                .map(|ty| {
                    n += 1;
                    if *ty == PgType::Jsonb {
                        format!("${n}::jsonb")
                    } else {
                        format!("${n}")
                    }
                })
                .collect();
            format!("({})", row.join(", "))
        })
        .collect();
    tuples.join(", ")
}

/// The value bound for `cell`: a JSON column's source text as it is (cast to jsonb in the
/// statement), so PostgreSQL parses its numbers exactly instead of receiving them rounded
/// through a double; every other cell as itself.
fn bind(cell: Cell, ty: PgType, source: &SourceValue) -> Value {
    match (ty, source) {
        (PgType::Jsonb, SourceValue::Text(text)) => Value::String(Some(text.clone())),
        (PgType::Jsonb, _) => Value::String(None),
        _ => cell.into_value(ty),
    }
}

/// Runs one DDL statement on the target.
async fn execute(txn: &DatabaseTransaction, sql: &str) -> Result<(), ConsolidateError> {
    txn.execute_unprepared(sql)
        .await
        .map(|_| ())
        .map_err(ConsolidateError::Target)
}
