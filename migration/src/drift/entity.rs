//! Drift between generated SeaORM entities and a live schema: the entity's table and columns
//! must exist, with the entity's nullability and a type of the same family
//! ([`crate::dialect::catalog::type_family`]), and the table must hold no column the entity
//! lacks (the entities are generated from the migrated schema: a difference means one of the
//! two is out of date).
//!
//! This crate does not depend on the entity crates; a binary describes the entities it links
//! with [`EntityShape::of`] and passes them in.

use sea_orm::{ColumnTrait, ColumnType, EntityTrait, IdenStatic, Iterable};

use super::Drift;
use crate::dialect::catalog::{Catalog, type_family};

/// What an entity says about its table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntityShape {
    /// The table's name.
    pub table: String,
    /// Its columns, in declaration order.
    pub columns: Vec<EntityColumn>,
}

/// One column of an entity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntityColumn {
    /// The column's name.
    pub name: String,
    /// The type's family, `None` for a type whose family is not checked.
    pub family: Option<&'static str>,
    /// Whether the entity allows NULL.
    pub nullable: bool,
}

impl EntityShape {
    /// The shape entity `E` describes, from SeaORM's metadata (`table_name`, its `Column`s and
    /// their `ColumnDef`s).
    #[must_use]
    pub fn of<E: EntityTrait>() -> Self {
        let columns = E::Column::iter()
            .map(|column| {
                let def = column.def();
                EntityColumn {
                    name: column.as_str().to_owned(),
                    family: family(def.get_column_type()),
                    nullable: def.is_null(),
                }
            })
            .collect();
        Self {
            table: E::default().table_name().to_owned(),
            columns,
        }
    }
}

/// The family of a SeaORM column type, named as [`type_family`] names declared types.
fn family(column_type: &ColumnType) -> Option<&'static str> {
    Some(match column_type {
        ColumnType::Char(_) | ColumnType::String(_) | ColumnType::Text => "text",
        ColumnType::TinyInteger
        | ColumnType::SmallInteger
        | ColumnType::Integer
        | ColumnType::BigInteger
        | ColumnType::TinyUnsigned
        | ColumnType::SmallUnsigned
        | ColumnType::Unsigned
        | ColumnType::BigUnsigned => "integer",
        ColumnType::Float | ColumnType::Double | ColumnType::Decimal(_) | ColumnType::Money(_) => {
            "number"
        }
        ColumnType::DateTime
        | ColumnType::Timestamp
        | ColumnType::TimestampWithTimeZone
        | ColumnType::Time
        | ColumnType::Date => "time",
        ColumnType::Boolean => "boolean",
        ColumnType::Uuid => "uuid",
        ColumnType::Json | ColumnType::JsonBinary => "json",
        ColumnType::Blob | ColumnType::Binary(_) | ColumnType::VarBinary(_) => "binary",
        _ => return None,
    })
}

/// The differences between `entities` and `live`, entity by entity.
#[must_use]
pub fn compare_entities(entities: &[EntityShape], live: &Catalog) -> Vec<Drift> {
    let mut drift = Vec::new();
    for entity in entities {
        let table = entity.table.clone();
        let Some(found) = live.tables.get(&entity.table) else {
            drift.push(Drift::MissingTable { table });
            continue;
        };
        for column in &entity.columns {
            let name = column.name.clone();
            let Some(shape) = found.columns.get(&column.name) else {
                drift.push(Drift::MissingColumn {
                    table: table.clone(),
                    column: name,
                });
                continue;
            };
            let live_family = type_family(&shape.data_type);
            if column.family.is_some() && live_family != column.family {
                drift.push(Drift::ColumnType {
                    table: table.clone(),
                    column: name,
                    expected: column.family.unwrap_or_default().to_owned(),
                    found: shape.data_type.clone(),
                });
            } else if shape.nullable != column.nullable {
                drift.push(Drift::Nullability {
                    table: table.clone(),
                    column: name,
                    expected_nullable: column.nullable,
                });
            }
        }
        for column in found.columns.keys() {
            if !entity.columns.iter().any(|c| &c.name == column) {
                drift.push(Drift::ExtraColumn {
                    table: table.clone(),
                    column: column.clone(),
                });
            }
        }
    }
    drift
}
