//! memdb integration tests: every test gets its own database from `memdb_tests::TestDb`, on
//! SQLite by default and on PostgreSQL when `TEST_DATABASE_URL` says so.

mod backend;
mod documents;
mod knowledge;
mod migrations;
mod mocks;
mod personas;
mod taskmaster;
