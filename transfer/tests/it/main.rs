//! memdb-transfer's tests against real databases: the target is the backend
//! `TEST_DATABASE_URL` selects, the sources are SQLite files.

mod bad_input;
mod checksum;
mod copy;
mod json_numbers;
mod merge;
mod snapshot;
mod support;
mod tracks;
