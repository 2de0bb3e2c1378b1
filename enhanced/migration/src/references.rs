//! Foreign keys of the enhanced track's tables, all spelled one way: named, restricting key
//! updates, with the delete action each reference needs.

use sea_orm_migration::prelude::*;

/// A foreign key named `name` from `from` (table, column) to `to` (table, column), deleting
/// with `on_delete` and refusing updates of the referenced key.
pub(crate) fn reference<T: IntoIden, C: IntoIden, R: IntoIden, K: IntoIden>(
    name: &str,
    (table, column): (T, C),
    (to, key): (R, K),
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, column)
        .to(to, key)
        .on_delete(on_delete)
        .on_update(ForeignKeyAction::Restrict)
        .to_owned()
}
