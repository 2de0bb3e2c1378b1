//! The reliability suite of issue 8: transient refusals surface as `RepoError::Retryable`,
//! many concurrent writers lose nothing and invent nothing, and hostile input gets a typed
//! error or the right answer, never a panic.

mod ledger;
mod mixed_writers;
pub(crate) mod properties;
mod retryable_postgres;
mod retryable_sqlite;
