//! Differences between two schemas: what the migrations create (read from a scratch database,
//! [`crate::dialect::scratch`]) against what a live database holds, and what the generated
//! entities describe against the live database ([`entity`]).

pub mod entity;

use std::fmt;

use crate::dialect::catalog::{Catalog, IndexShape, TableShape};

/// One difference between the expected schema and the live one.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Drift {
    /// An expected table is missing.
    MissingTable {
        /// The table.
        table: String,
    },
    /// A table exists that should not (yet).
    ExtraTable {
        /// The table.
        table: String,
    },
    /// An expected column is missing.
    MissingColumn {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// A column exists that is not expected.
    ExtraColumn {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// A column has another type.
    ColumnType {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The expected type.
        expected: String,
        /// The live type.
        found: String,
    },
    /// A column's nullability differs.
    Nullability {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// Whether the column should accept NULL.
        expected_nullable: bool,
    },
    /// An expected index is missing.
    MissingIndex {
        /// The table.
        table: String,
        /// The index.
        index: String,
        /// The columns it should cover.
        columns: Vec<String>,
    },
    /// An index exists that is not expected.
    ExtraIndex {
        /// The table.
        table: String,
        /// The index.
        index: String,
    },
    /// An index covers other columns, or differs in uniqueness.
    IndexDiffers {
        /// The table.
        table: String,
        /// The index.
        index: String,
        /// What it should be.
        expected: IndexShape,
        /// What it is.
        found: IndexShape,
    },
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingTable { table } => write!(f, "table {table} is missing"),
            Self::ExtraTable { table } => write!(f, "table {table} is not expected"),
            Self::MissingColumn { table, column } => {
                write!(f, "column {table}.{column} is missing")
            }
            Self::ExtraColumn { table, column } => {
                write!(f, "column {table}.{column} is not expected")
            }
            Self::ColumnType {
                table,
                column,
                expected,
                found,
            } => write!(f, "column {table}.{column} is {found}, expected {expected}"),
            Self::Nullability {
                table,
                column,
                expected_nullable,
            } => {
                let (is, want) = if *expected_nullable {
                    ("NOT NULL", "nullable")
                } else {
                    ("nullable", "NOT NULL")
                };
                write!(f, "column {table}.{column} is {is}, expected {want}")
            }
            Self::MissingIndex {
                table,
                index,
                columns,
            } => write!(
                f,
                "index {index} on {table} ({}) is missing",
                columns.join(", ")
            ),
            Self::ExtraIndex { table, index } => {
                write!(f, "index {index} on {table} is not expected")
            }
            Self::IndexDiffers {
                table,
                index,
                expected,
                found,
            } => write!(
                f,
                "index {index} on {table} is {}, expected {}",
                describe(found),
                describe(expected)
            ),
        }
    }
}

fn describe(index: &IndexShape) -> String {
    let unique = if index.unique { "unique " } else { "" };
    format!("{unique}({})", index.columns.join(", "))
}

/// What a comparison reports besides missing and different objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extras {
    /// Only what is missing or different (`stamp`: a hand-made database may hold more).
    Ignore,
    /// Also tables (among those compared), columns and indexes the expected schema lacks.
    Report,
}

/// The differences between `expected` and `live` over `tables` (a table in neither is not
/// reported), in table order.
#[must_use]
pub fn compare(expected: &Catalog, live: &Catalog, tables: &[&str], extras: Extras) -> Vec<Drift> {
    let mut drift = Vec::new();
    for table in tables {
        match (expected.tables.get(*table), live.tables.get(*table)) {
            (Some(_), None) => drift.push(Drift::MissingTable {
                table: (*table).to_owned(),
            }),
            (None, Some(_)) if extras == Extras::Report => drift.push(Drift::ExtraTable {
                table: (*table).to_owned(),
            }),
            (Some(want), Some(have)) => compare_table(table, want, have, extras, &mut drift),
            _ => {}
        }
    }
    drift
}

fn compare_table(
    table: &str,
    want: &TableShape,
    have: &TableShape,
    extras: Extras,
    drift: &mut Vec<Drift>,
) {
    let name = |s: &String| (table.to_owned(), s.clone());
    for (column, shape) in &want.columns {
        let (table, column) = name(column);
        match have.columns.get(&column) {
            None => drift.push(Drift::MissingColumn { table, column }),
            Some(found) if found.data_type != shape.data_type => drift.push(Drift::ColumnType {
                table,
                column,
                expected: shape.data_type.clone(),
                found: found.data_type.clone(),
            }),
            Some(found) if found.nullable != shape.nullable => drift.push(Drift::Nullability {
                table,
                column,
                expected_nullable: shape.nullable,
            }),
            Some(_) => {}
        }
    }
    for (index, shape) in &want.indexes {
        let (table, index) = name(index);
        match have.indexes.get(&index) {
            None => drift.push(Drift::MissingIndex {
                table,
                index,
                columns: shape.columns.clone(),
            }),
            Some(found) if found != shape => drift.push(Drift::IndexDiffers {
                table,
                index,
                expected: shape.clone(),
                found: found.clone(),
            }),
            Some(_) => {}
        }
    }
    if extras == Extras::Report {
        for column in have
            .columns
            .keys()
            .filter(|c| !want.columns.contains_key(*c))
        {
            let (table, column) = name(column);
            drift.push(Drift::ExtraColumn { table, column });
        }
        for index in have
            .indexes
            .keys()
            .filter(|i| !want.indexes.contains_key(*i))
        {
            let (table, index) = name(index);
            drift.push(Drift::ExtraIndex { table, index });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Drift, Extras, compare};
    use crate::dialect::catalog::{Catalog, ColumnShape, IndexShape, TableShape};

    fn catalog(columns: &[&str], index: Option<&[&str]>) -> Catalog {
        let mut table = TableShape::default();
        for column in columns {
            table.columns.insert(
                (*column).to_owned(),
                ColumnShape {
                    data_type: "text".to_owned(),
                    nullable: false,
                },
            );
        }
        if let Some(columns) = index {
            table.indexes.insert(
                "ix".to_owned(),
                IndexShape {
                    columns: columns.iter().map(|c| (*c).to_owned()).collect(),
                    unique: false,
                },
            );
        }
        let mut catalog = Catalog::default();
        catalog.tables.insert("t".to_owned(), table);
        catalog
    }

    #[test]
    fn reports_missing_and_extra_objects() {
        let want = catalog(&["a", "b"], Some(&["a"]));
        let have = catalog(&["a", "c"], None);
        let missing = compare(&want, &have, &["t"], Extras::Ignore);
        assert_eq!(missing.len(), 2, "{missing:?}");
        assert!(matches!(&missing[0], Drift::MissingColumn { column, .. } if column == "b"));
        assert!(matches!(&missing[1], Drift::MissingIndex { index, .. } if index == "ix"));
        let all = compare(&want, &have, &["t"], Extras::Report);
        assert!(all.contains(&Drift::ExtraColumn {
            table: "t".to_owned(),
            column: "c".to_owned()
        }));
        assert!(compare(&want, &want, &["t", "u"], Extras::Report).is_empty());
        let other = catalog(&["a", "b"], Some(&["b"]));
        assert_eq!(
            compare(&want, &other, &["t"], Extras::Ignore)[0].to_string(),
            "index ix on t is (b), expected (a)"
        );
    }
}
