//! `memdb consolidate`: SQLite databases memdb did not create, each into its own PostgreSQL
//! schema.
//!
//! [`plan`] reads the sources only: their catalog (tables, columns, primary keys, foreign
//! keys, indexes), every value (to choose each column's type; the rules are in the README and in `decide.rs`),
//! and writes the DDL. [`run`] checks the target and carries the plan out in one transaction,
//! verifying every table's row count and content checksum before it commits.
//!
//! Every value is accounted for: a value that does not fit its column's preferred type is
//! listed in [`TablePlan::fallbacks`] (table, rowid, column, value, reason) and the column
//! falls back to a type that holds every value unchanged; nothing becomes NULL.

mod catalog;
mod checksum;
mod copy;
mod ddl;
mod decide;
mod defaults;
mod error;
pub mod ident;
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
pub use error::ConsolidateError;
pub use pg_type::PgType;
pub use plan::{ColumnPlan, Fallback, Plan, SourcePlan, TablePlan};
pub use planner::{SourceSpec, plan};
pub use progress::{NoProgress, Progress};
pub use report::{Report, SourceReport, TableReport};
pub use target::{check as check_target, check_url as check_target_url};
