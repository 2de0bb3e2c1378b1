//! What can go wrong in a consolidation, typed so callers and tests can tell the cases apart.

use std::path::PathBuf;

use sea_orm::DbErr;

/// A consolidation that could not be planned or run. Every check on the input happens before
/// anything is written; a failure while writing rolls the whole consolidation back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConsolidateError {
    /// No `--from` was given.
    #[error("nothing to consolidate: give at least one source file and schema")]
    NoSources,
    /// A source file does not exist or cannot be read.
    #[error("cannot read the source {path}: {reason}")]
    SourceUnreadable {
        /// The file as given.
        path: PathBuf,
        /// Why (the operating system's message).
        reason: String,
    },
    /// A source file does not start with SQLite's 16-byte header.
    #[error("{path} is not a SQLite database (its header is not \"SQLite format 3\")")]
    NotSqlite {
        /// The file as given.
        path: PathBuf,
    },
    /// The same source file was given twice.
    #[error("the source {path} is given twice")]
    DuplicateSource {
        /// The file as given the second time.
        path: PathBuf,
    },
    /// A schema name is not a plain lower-case identifier.
    #[error("invalid schema name {name:?}: {reason}")]
    InvalidSchemaName {
        /// The name as given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Two sources were given the same schema.
    #[error("the schema {name} is given to two sources")]
    DuplicateSchema {
        /// The schema.
        name: String,
    },
    /// A table, column or index name of a source cannot be a PostgreSQL identifier.
    #[error("{source_file}: the name {name:?} cannot be used in PostgreSQL: {reason}")]
    InvalidName {
        /// The source file.
        source_file: PathBuf,
        /// The name.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A table, column or index name of a source is not a plain identifier (a-z, 0-9, _, not
    /// starting with a digit) and quoting was not asked for.
    #[error(
        "{source_file}: the name {name:?} needs quoting in PostgreSQL ({reason}): rename it, or accept quoted names with --quote-names"
    )]
    NameNeedsQuoting {
        /// The source file.
        source_file: PathBuf,
        /// The name.
        name: String,
        /// What is not plain about it.
        reason: &'static str,
    },
    /// The target is not a PostgreSQL URL.
    #[error("the target {target} is not a PostgreSQL database (postgres://...)")]
    TargetNotPostgres {
        /// The target URL, password redacted.
        target: String,
    },
    /// The target is one of the source files.
    #[error(
        "the target {target} is the source {path}: consolidation reads from one database and writes to another"
    )]
    SameDatabase {
        /// The target URL, password redacted.
        target: String,
        /// The source file.
        path: PathBuf,
    },
    /// A target schema already holds tables, sequences or other relations.
    #[error(
        "the target schema {schema} already holds {relations} relation(s) (e.g. {example}): consolidate writes only into empty schemas"
    )]
    SchemaNotEmpty {
        /// The schema.
        schema: String,
        /// How many relations it holds.
        relations: u64,
        /// One of them.
        example: String,
    },
    /// A source changed between planning and copying: a value no longer fits its column's
    /// planned type.
    #[error(
        "{table}.{column} (rowid {rowid:?}) no longer fits the planned type {planned}: the source changed since it was planned"
    )]
    SourceChanged {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The row.
        rowid: Option<i64>,
        /// The planned PostgreSQL type.
        planned: String,
    },
    /// A rowid table has columns named `rowid`, `oid` and `_rowid_`: no name reaches its
    /// rowid, so its rows cannot be read in a verifiable order.
    #[error(
        "{source_file}: table {table:?} has columns named rowid, oid and _rowid_, which hide its rowid: rename one of them"
    )]
    RowidShadowed {
        /// The source file.
        source_file: PathBuf,
        /// The table.
        table: String,
    },
    /// A source database could not be read.
    #[error("reading {path}: {source}")]
    Source {
        /// The source file.
        path: PathBuf,
        /// The database's error.
        source: DbErr,
    },
    /// The target database failed (nothing was committed).
    #[error("writing the target: {0}")]
    Target(#[source] DbErr),
}

impl ConsolidateError {
    /// Wraps a source database's error.
    pub(crate) fn source(path: &std::path::Path) -> impl FnOnce(DbErr) -> Self + '_ {
        move |source| Self::Source {
            path: path.to_path_buf(),
            source,
        }
    }
}
