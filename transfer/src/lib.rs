//! Moving data between databases.
//!
//! The operator commands `memdb copy` and `memdb consolidate` are thin wrappers over this
//! crate: the work, its checks and its errors live here so they can be tested against real
//! databases on every backend.

pub mod consolidate;
pub mod copy;
