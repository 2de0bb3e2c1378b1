//! Rows for the session tables (sessions, their events, app and user state, task links) and for
//! agents and checkpoints, written through the generated entities and linked to a legacy task.

use memdb_enhanced_entity::{
    agents, app_state_entries, checkpoints, session_events, session_tasks, sessions,
    user_state_entries,
};
use memdb_entity::tasks;
use memdb_repository::now;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryOrder};
use serde_json::json;
use uuid::Uuid;

/// Writes one row into each session, agent and checkpoint table, tied to the oldest task.
pub(super) async fn fill_sessions(db: &DatabaseConnection) {
    let task = tasks::Entity::find()
        .order_by_asc(tasks::Column::Id)
        .one(db)
        .await
        .expect("read a task")
        .expect("the legacy fill wrote a task");
    let at = now();
    let session = Uuid::now_v7();
    let rows = [
        sessions::Model {
            id: session,
            app_name: "memdb".into(),
            user_id: "alice".into(),
            project_id: None,
            status: "active".into(),
            state: json!({"step": 1}),
            metadata: json!({}),
            version: 2,
            last_event_seq: 1,
            created_at: at,
            last_update_time: at,
            terminated_at: None,
            archived_at: None,
        }
        .into_active_model()
        .insert(db)
        .await
        .map(drop),
        session_events::Model {
            session_id: session,
            seq: 1,
            event_type: "message".into(),
            actor: "user".into(),
            content: json!({"message": "hello"}),
            created_at: at,
        }
        .into_active_model()
        .insert(db)
        .await
        .map(drop),
        app_state_entries::Model {
            app_name: "memdb".into(),
            key: "theme".into(),
            value: json!("dark"),
            updated_at: at,
        }
        .into_active_model()
        .insert(db)
        .await
        .map(drop),
        user_state_entries::Model {
            app_name: "memdb".into(),
            user_id: "alice".into(),
            key: "language".into(),
            value: json!("en"),
            updated_at: at,
        }
        .into_active_model()
        .insert(db)
        .await
        .map(drop),
        session_tasks::Model {
            task_id: task.id,
            session_id: session,
            linked_at: at,
        }
        .into_active_model()
        .insert(db)
        .await
        .map(drop),
        agents::Model {
            id: Uuid::now_v7(),
            name: "planner".into(),
            specialization: "planning".into(),
            task_id: Some(task.id),
            session_id: Some(session),
            state: "busy".into(),
            model: "any-model".into(),
            spawned_at: at,
            updated_at: at,
            terminated_at: None,
        }
        .into_active_model()
        .insert(db)
        .await
        .map(drop),
        checkpoints::Model {
            id: Uuid::now_v7(),
            task_id: task.id,
            session_id: Some(session),
            iteration: 0,
            state: json!({"done": []}),
            created_at: at,
        }
        .into_active_model()
        .insert(db)
        .await
        .map(drop),
    ];
    for row in rows {
        row.expect("insert a session-track row");
    }
}
