//! Tests of the enhanced repositories, on a database with both migration tracks applied.

mod audit;
mod audited;
mod audited_races;
mod audited_rollback;
mod file_and_git_input;
mod file_hash_races;
mod file_hashes;
mod git_operations;
mod hash_fixtures;
mod health_metrics;
mod health_metrics_input;
mod limits;
mod mocks;
mod mocks_git_history;
mod outcomes;
mod races;
mod support;
mod tag_input;
mod tag_sets;
mod tag_violation_columns;
mod tags;
mod violation_input;
mod violations;
