//! The enhanced repositories, on databases with both migration tracks applied.

mod mocks;
mod outcomes;
mod races;
mod tag_input;
mod tag_sets;
mod tag_violation_columns;
mod tags;
mod violation_input;
mod violations;
