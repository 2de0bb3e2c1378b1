//! `memdb consolidate`'s library: planning (no database needed beyond the SQLite sources),
//! running into PostgreSQL, and the input it refuses.

mod awkward;
mod bad_input;
mod fixture;
mod large;
mod plan;
mod run;
mod schema_cases;

/// The options the fixture needs: its `"Score Notes"` table's names need quoting.
pub(crate) fn quoted() -> memdb_transfer::consolidate::PlanOptions {
    memdb_transfer::consolidate::PlanOptions::default().quote_names(true)
}
