//! Statement size bounds. Backends cap the bound parameters of one statement (SQLite at 32 766,
//! PostgreSQL at 65 535), so id lists of unbounded length — a task that fans in from thousands
//! of dependencies, or out to thousands of dependents — are sent in batches of this many.

/// How many ids (or rows of a two-column insert) one statement binds at most.
pub(crate) const IDS_PER_STATEMENT: usize = 1000;
