//! `memdb consolidate`: SQLite databases memdb did not create, each into its own PostgreSQL
//! schema.
//!
//! [`plan`] reads the sources only: their catalog (tables, columns, primary keys, foreign
//! keys, indexes), every value (to choose each column's type; the rules are in the README and
//! in `decide.rs`), the primary keys and unique indexes against the converted values
//! (`keys.rs`: a NULL or values that convert to equal ones would make PostgreSQL refuse them),
//! and writes the DDL. Names that need quoting are refused unless [`PlanOptions::quote_names`]. [`run`] checks the target and carries the plan out in one transaction,
//! verifying every table's row count and content checksum before it commits.
//!
//! Choices, and why:
//! - [`plan`] needs no target, so `--plan` works on a laptop with only the files; the target
//!   checks ([`check_target_url`], [`check_target`]) are separate and [`run`] repeats
//!   [`check_target`] inside its transaction.
//! - One transaction for the whole consolidation (every source): PostgreSQL DDL is
//!   transactional, so a failure or a mismatch anywhere leaves the target exactly as it was,
//!   and a retry needs no cleanup. Resumability is not needed for files of this size.
//! - Foreign keys and indexes are added after the copy: the table order then does not matter
//!   (no topological sort, cycles work) and loading is faster. A key whose rows point nowhere
//!   in the source (SQLite enforces keys only when asked) is noted and left out instead of
//!   failing the whole run.
//! - Checksums hash each row's canonical cells and add the row hashes up (order-independent,
//!   constant memory), instead of reading both sides in primary-key order: text keys sort
//!   differently under SQLite's BINARY collation and PostgreSQL's, and tables without a key
//!   have no order at all. Row counts are checked three ways: the source's `count(*)` (in
//!   the same read transaction as the rows), the rows copied, and the target's count.
//! - Each source is read in one read transaction (planning, and again copying), so the
//!   catalog, the counts and the rows come from one snapshot.
//! - JSON is bound as the source's text and cast to `jsonb`, so PostgreSQL parses the numbers
//!   itself and keeps every digit.
//!
//! Every value is accounted for: a value that does not fit its column's preferred type is
//! counted in [`ColumnPlan::fallback_count`] and, among the first [`FALLBACK_EXAMPLES`] of
//! its column, listed in [`TablePlan::fallbacks`] (table, rowid, column, value, reason); the
//! column falls back to a type that holds every value unchanged; nothing becomes NULL.

mod catalog;
mod checksum;
mod copy;
mod ddl;
mod decide;
mod defaults;
mod error;
pub mod ident;
mod json_keys;
mod keys;
mod pg_type;
mod plan;
mod planner;
mod progress;
mod report;
mod source;
mod target;
pub mod timestamp;
mod values;
mod verify;

pub use copy::run;
pub use decide::FALLBACK_EXAMPLES;
pub use error::ConsolidateError;
pub use pg_type::PgType;
pub use plan::{ColumnPlan, Fallback, Plan, SourcePlan, TablePlan};
pub use planner::{PlanOptions, SourceSpec, plan, plan_with};
pub use progress::{NoProgress, Progress};
pub use report::{Report, SourceReport, TableReport};
pub use target::{check as check_target, check_url as check_target_url};
