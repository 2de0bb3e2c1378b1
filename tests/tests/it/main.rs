//! memdb integration tests: every test gets its own database from `memdb_tests::TestDb`, on
//! SQLite by default and on PostgreSQL when `TEST_DATABASE_URL` says so.

// A story test reads top to bottom as one scenario; splitting it to please a line count
// would scatter the scenario.
#![allow(clippy::too_many_lines)]

mod backend;
mod bulk;
mod bulk_tasks;
mod cache;
mod claim_storm;
mod connect_builder;
mod cross_track;
mod documents;
mod enhanced;
mod fixtures;
mod hostile_input;
mod input_limits;
mod knowledge;
mod limits;
mod migrations;
mod mocks;
mod nul_input;
mod ordering;
mod personas;
mod query_plans;
mod reliability;
mod task_claims;
mod task_dependents;
mod task_fan;
mod task_races;
mod task_sweep;
mod taskmaster;
mod test_db;
mod text_search;
mod tracks;
mod typed_columns;
mod unit_of_work;
