//! Tests of the enhanced repositories, on a database with both migration tracks applied.

mod file_and_git_input;
mod file_hash_races;
mod file_hashes;
mod git_operations;
mod hash_fixtures;
mod mocks_git_history;
