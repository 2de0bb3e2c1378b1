//! Writing the app and user state a write's delta names: one row a key in
//! `app_state_entries` (per app) and `user_state_entries` (per app and user), each key set by
//! an upsert on its primary key or removed by one `DELETE` per scope, so concurrent sessions
//! writing different keys never overwrite each other.

use chrono::{DateTime, FixedOffset};
use memdb_enhanced_entity::{app_state_entries as app, sessions, user_state_entries as user};
use memdb_repository::RepoResult;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    QueryFilter,
};

use super::state::{CheckedDelta, ScopeChanges};

/// One scope table: its primary key, the key column, and the columns an upsert rewrites.
struct Scope<E: EntityTrait> {
    primary_key: Vec<E::Column>,
    key: E::Column,
    rewritten: [E::Column; 2],
    /// The rows of the session's app (and user).
    owner: Condition,
}

/// Upserts and deletes the app and user entries of `delta` for `row`'s app and user.
pub(super) async fn apply_shared(
    db: &impl ConnectionTrait,
    row: &sessions::Model,
    delta: &CheckedDelta,
    at: DateTime<FixedOffset>,
) -> RepoResult<()> {
    let app_scope = Scope::<app::Entity> {
        primary_key: vec![app::Column::AppName, app::Column::Key],
        key: app::Column::Key,
        rewritten: [app::Column::Value, app::Column::UpdatedAt],
        owner: Condition::all().add(app::Column::AppName.eq(row.app_name.as_str())),
    };
    write_scope(db, &app_scope, &delta.app, |key, value| app::ActiveModel {
        app_name: Set(row.app_name.clone()),
        key: Set(key.to_owned()),
        value: Set(value.clone()),
        updated_at: Set(at),
    })
    .await?;
    let user_scope = Scope::<user::Entity> {
        primary_key: vec![
            user::Column::AppName,
            user::Column::UserId,
            user::Column::Key,
        ],
        key: user::Column::Key,
        rewritten: [user::Column::Value, user::Column::UpdatedAt],
        owner: Condition::all()
            .add(user::Column::AppName.eq(row.app_name.as_str()))
            .add(user::Column::UserId.eq(row.user_id.as_str())),
    };
    write_scope(db, &user_scope, &delta.user, |key, value| {
        user::ActiveModel {
            app_name: Set(row.app_name.clone()),
            user_id: Set(row.user_id.clone()),
            key: Set(key.to_owned()),
            value: Set(value.clone()),
            updated_at: Set(at),
        }
    })
    .await
}

/// Sets the keys of `changes` that have a value (one upsert each, rows made by `entry`) and
/// removes the others (one `DELETE`), in `scope`'s table.
async fn write_scope<E, F>(
    db: &impl ConnectionTrait,
    scope: &Scope<E>,
    changes: &ScopeChanges,
    entry: F,
) -> RepoResult<()>
where
    E: EntityTrait,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
    F: Fn(&str, &serde_json::Value) -> E::ActiveModel,
{
    let mut removes = Vec::new();
    for (key, value) in changes {
        let Some(value) = value else {
            removes.push(key.as_str());
            continue;
        };
        E::insert(entry(key, value))
            .on_conflict(
                OnConflict::columns(scope.primary_key.clone())
                    .update_columns(scope.rewritten)
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    if !removes.is_empty() {
        E::delete_many()
            .filter(scope.owner.clone())
            .filter(scope.key.is_in(removes))
            .exec(db)
            .await?;
    }
    Ok(())
}
