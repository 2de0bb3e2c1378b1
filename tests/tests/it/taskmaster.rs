//! taskmaster tests
