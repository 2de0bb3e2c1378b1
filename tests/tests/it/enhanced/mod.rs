//! Tests of the enhanced repositories, on a database with both migration tracks applied.

mod file_and_git_input;
mod file_hash_races;
mod file_hashes;
mod git_operations;
mod hash_fixtures;
mod mocks;
mod mocks_git_history;
mod outcomes;
mod races;
mod tag_input;
mod tag_sets;
mod tag_violation_columns;
mod tags;
mod violation_input;
mod violations;
