//! The enhanced repositories, on a database with both migration tracks applied.

mod graph;
mod graph_races;
mod graph_reference;
mod graph_schema;
mod graph_traversals;
mod graph_unit_of_work;
mod mocks_graph;
