//! Every length limit of a stored text field of the enhanced schema, in characters (Unicode
//! scalar values): the one place its repositories take them from. Columns declared
//! `VARCHAR(n)` in the enhanced migrations carry the same numbers. Labels (node kinds, edge
//! relations) use memdb-repository's [`memdb_repository::limits::LABEL`].

/// Graph node keys (a path, a name, an external id), unique within the node's kind.
pub const GRAPH_NODE_KEY: usize = 512;
