//! personas tests
