//! `memdb consolidate`'s library: planning (no database needed beyond the SQLite sources),
//! running into PostgreSQL, and the input it refuses.

mod awkward;
mod bad_input;
mod fixture;
mod plan;
mod run;
mod schema_cases;
