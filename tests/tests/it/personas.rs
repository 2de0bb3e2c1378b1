//! The persona repository's story, run against the `SeaORM` implementation on a real database.

use memdb_repository::personas::{NewPersona, Persona, PersonaFilter, PersonaUpdate};
use memdb_repository::{
    ConflictKind, Page, PersonaId, PersonaRepository, RepoError, SeaOrmPersonaRepository,
};
use memdb_tests::TestDb;
use serde_json::json;

fn persona(name: &str, is_active: bool) -> NewPersona {
    NewPersona {
        name: name.into(),
        description: format!("{name} helps"),
        system_prompt: format!("You are {name}."),
        traits: json!({"tone": "calm"}),
        is_active,
    }
}

fn rename_to(name: &str) -> PersonaUpdate {
    PersonaUpdate {
        name: Some(name.into()),
        ..PersonaUpdate::default()
    }
}

fn names(personas: &[Persona]) -> Vec<&str> {
    personas.iter().map(|p| p.name.as_str()).collect()
}

async fn list_names(repo: &dyn PersonaRepository, active_only: bool) -> Vec<String> {
    repo.list(PersonaFilter { active_only }, Page::default())
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect()
}

/// The field a validation error blames; any other outcome fails the test.
fn invalid_field<T: std::fmt::Debug>(result: Result<T, RepoError>) -> &'static str {
    match result {
        Err(RepoError::Validation { field, .. }) => field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// The message of a conflict; any other outcome fails the test.
fn conflict<T: std::fmt::Debug>(result: Result<T, RepoError>) -> String {
    match result {
        Err(RepoError::Conflict {
            kind: ConflictKind::Duplicate,
            message,
        }) => message,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

/// Whether the call failed with a persona `NotFound`.
fn not_found<T>(result: &Result<T, RepoError>) -> bool {
    matches!(
        result,
        Err(RepoError::NotFound {
            entity: "persona",
            ..
        })
    )
}

/// What a caller does with personas, written against the trait so any implementation can run it.
async fn persona_story(repo: &dyn PersonaRepository) {
    let critic = create_and_reject_bad_input(repo).await;
    let [analyst, builder, dreamer] = list_in_name_order(repo).await;
    let critic = update_bumps_versions(repo, critic).await;
    activation_keeps_the_version(repo, &critic, &builder).await;

    // Unknown ids are NotFound everywhere.
    let unknown = PersonaId::new();
    assert!(not_found(&repo.get(unknown).await));
    assert!(not_found(&repo.get_by_name("Nobody").await));
    assert!(not_found(&repo.update(unknown, rename_to("Ghost")).await));
    assert!(not_found(&repo.set_active(unknown, true).await));
    assert!(not_found(&repo.delete(unknown).await));

    // Delete frees the name.
    repo.delete(dreamer.id).await.unwrap();
    assert!(not_found(&repo.get(dreamer.id).await));
    assert!(not_found(&repo.delete(dreamer.id).await));
    let again = repo.create(persona("Dreamer", true)).await.unwrap();
    assert_ne!(again.id, dreamer.id);
    assert_eq!(again.version, 1);
    let all = repo
        .list(PersonaFilter::default(), Page::default())
        .await
        .unwrap();
    assert_eq!(names(&all), ["Analyst", "Builder", "Dreamer", "Reviewer"]);
    assert_eq!(all[0], analyst);
}

/// Creates "Critic" (trimmed, version 1) and shows what `create` refuses.
async fn create_and_reject_bad_input(repo: &dyn PersonaRepository) -> Persona {
    let critic = repo
        .create(NewPersona {
            name: "  Critic ".into(),
            description: String::new(),
            system_prompt: "Find the flaws.".into(),
            traits: json!({"tone": "blunt", "depth": 3}),
            is_active: true,
        })
        .await
        .unwrap();
    assert_eq!(critic.name, "Critic");
    assert_eq!(critic.description, "");
    assert_eq!(critic.system_prompt, "Find the flaws.");
    assert_eq!(critic.traits, json!({"tone": "blunt", "depth": 3}));
    assert!(critic.is_active);
    assert_eq!(critic.version, 1);
    assert_eq!(critic.created_at, critic.updated_at);
    assert_eq!(repo.get(critic.id).await.unwrap(), critic);
    assert_eq!(repo.get_by_name("Critic").await.unwrap(), critic);
    assert_eq!(repo.get_by_name(" Critic  ").await.unwrap().id, critic.id);

    // Bad input is rejected by field.
    assert_eq!(
        invalid_field(repo.create(persona("   ", true)).await),
        "name"
    );
    let too_long = "n".repeat(201);
    assert_eq!(
        invalid_field(repo.create(persona(&too_long, true)).await),
        "name"
    );
    let mut input = persona("Verbose", true);
    input.description = "d".repeat(2001);
    assert_eq!(invalid_field(repo.create(input).await), "description");
    let mut input = persona("Silent", true);
    input.system_prompt = " \n ".into();
    assert_eq!(invalid_field(repo.create(input).await), "system_prompt");
    let mut input = persona("Rambler", true);
    input.system_prompt = "p".repeat(100_001);
    assert_eq!(invalid_field(repo.create(input).await), "system_prompt");
    let mut input = persona("Listy", true);
    input.traits = json!(["not", "an", "object"]);
    assert_eq!(invalid_field(repo.create(input).await), "traits");
    let mut input = persona("Nully", true);
    input.traits = serde_json::Value::Null;
    assert_eq!(invalid_field(repo.create(input).await), "traits");

    // Limits count characters, not bytes: 200 two-byte characters fit; 2000 of description too.
    let mut input = persona(&"é".repeat(200), false);
    input.description = "d".repeat(2000);
    let wide = repo.create(input).await.unwrap();
    repo.delete(wide.id).await.unwrap();

    // Names are unique, also after trimming; the message names the persona.
    let message = conflict(repo.create(persona(" Critic", false)).await);
    assert!(message.contains("Critic"), "{message}");

    // Nothing of the refused calls was written.
    assert_eq!(list_names(repo, false).await, ["Critic"]);
    critic
}

/// Adds Analyst, Builder (inactive) and Dreamer beside Critic and lists them.
async fn list_in_name_order(repo: &dyn PersonaRepository) -> [Persona; 3] {
    let analyst = repo.create(persona("Analyst", true)).await.unwrap();
    let builder = repo.create(persona("Builder", false)).await.unwrap();
    let dreamer = repo.create(persona("Dreamer", true)).await.unwrap();
    let all = repo
        .list(PersonaFilter::default(), Page::default())
        .await
        .unwrap();
    assert_eq!(names(&all), ["Analyst", "Builder", "Critic", "Dreamer"]);
    assert_eq!((&all[0], &all[1], &all[3]), (&analyst, &builder, &dreamer));
    assert_eq!(
        list_names(repo, true).await,
        ["Analyst", "Critic", "Dreamer"]
    );
    let page = repo
        .list(PersonaFilter::default(), Page::new(2, 1).unwrap())
        .await
        .unwrap();
    assert_eq!(names(&page), ["Builder", "Critic"]);
    let active_page = repo
        .list(
            PersonaFilter { active_only: true },
            Page::new(2, 2).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(names(&active_page), ["Dreamer"]);
    let past_the_end = repo
        .list(PersonaFilter::default(), Page::new(10, 4).unwrap())
        .await
        .unwrap();
    assert!(past_the_end.is_empty());
    [analyst, builder, dreamer]
}

/// Two updates take Critic from version 1 to 3 (renaming it "Reviewer"); refused updates
/// change nothing.
async fn update_bumps_versions(repo: &dyn PersonaRepository, critic: Persona) -> Persona {
    let v2 = repo
        .update(
            critic.id,
            PersonaUpdate {
                system_prompt: Some("Find the flaws, kindly.".into()),
                ..PersonaUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(v2.version, 2);
    assert_eq!(v2.system_prompt, "Find the flaws, kindly.");
    assert_eq!((v2.name.as_str(), v2.description.as_str()), ("Critic", ""));
    assert_eq!((&v2.traits, v2.is_active), (&critic.traits, true));
    assert_eq!(v2.created_at, critic.created_at);
    assert!(v2.updated_at >= critic.updated_at);

    let v3 = repo
        .update(
            critic.id,
            PersonaUpdate {
                name: Some(" Reviewer ".into()),
                description: Some("Reviews drafts".into()),
                system_prompt: None,
                traits: Some(json!({"tone": "warm"})),
            },
        )
        .await
        .unwrap();
    assert_eq!(v3.version, 3);
    assert_eq!(v3.name, "Reviewer");
    assert_eq!(v3.description, "Reviews drafts");
    assert_eq!(v3.system_prompt, "Find the flaws, kindly.");
    assert_eq!(v3.traits, json!({"tone": "warm"}));
    assert!(v3.updated_at >= v2.updated_at);
    assert_eq!(repo.get(critic.id).await.unwrap(), v3);
    assert_eq!(repo.get_by_name("Reviewer").await.unwrap(), v3);
    assert!(not_found(&repo.get_by_name("Critic").await));

    // Refused updates: empty, duplicate name, bad fields. None of them bumps the version.
    let empty = repo.update(critic.id, PersonaUpdate::default()).await;
    assert_eq!(invalid_field(empty), "update");
    let message = conflict(repo.update(critic.id, rename_to("Analyst")).await);
    assert!(message.contains("Analyst"), "{message}");
    let blank = repo.update(critic.id, rename_to(" ")).await;
    assert_eq!(invalid_field(blank), "name");
    let scalar_traits = PersonaUpdate {
        traits: Some(json!("scalar")),
        ..PersonaUpdate::default()
    };
    assert_eq!(
        invalid_field(repo.update(critic.id, scalar_traits).await),
        "traits"
    );
    let empty_prompt = PersonaUpdate {
        system_prompt: Some(String::new()),
        ..PersonaUpdate::default()
    };
    assert_eq!(
        invalid_field(repo.update(critic.id, empty_prompt).await),
        "system_prompt"
    );
    assert_eq!(repo.get(critic.id).await.unwrap(), v3);
    v3
}

/// Deactivating Reviewer and activating Builder change the active listing, not the versions.
async fn activation_keeps_the_version(
    repo: &dyn PersonaRepository,
    reviewer: &Persona,
    builder: &Persona,
) {
    let inactive = repo.set_active(reviewer.id, false).await.unwrap();
    assert!(!inactive.is_active);
    assert_eq!(inactive.version, 3);
    assert!(inactive.updated_at >= reviewer.updated_at);
    assert_eq!(
        (&inactive.name, &inactive.system_prompt, &inactive.traits),
        (&reviewer.name, &reviewer.system_prompt, &reviewer.traits)
    );
    assert_eq!(list_names(repo, true).await, ["Analyst", "Dreamer"]);

    let active = repo.set_active(builder.id, true).await.unwrap();
    assert!(active.is_active);
    assert_eq!(active.version, 1);
    assert_eq!(
        list_names(repo, true).await,
        ["Analyst", "Builder", "Dreamer"]
    );
    // Setting the state it already has is fine and still leaves the version alone.
    let still_active = repo.set_active(builder.id, true).await.unwrap();
    assert_eq!((still_active.is_active, still_active.version), (true, 1));
}

#[tokio::test]
async fn persona_story_on_sea_orm() {
    let db = TestDb::new().await;
    persona_story(&SeaOrmPersonaRepository::new(db.pool())).await;
}

/// The version is raised inside the UPDATE, so concurrent updates never lose one.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_updates_each_bump_the_version() {
    let db = TestDb::new().await;
    let repo = SeaOrmPersonaRepository::new(db.pool());
    let base = repo.create(persona("Busy", true)).await.unwrap();
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let repo = repo.clone();
            tokio::spawn(async move {
                let update = PersonaUpdate {
                    description: Some(format!("revision {i}")),
                    ..PersonaUpdate::default()
                };
                repo.update(base.id, update).await
            })
        })
        .collect();
    let mut versions = Vec::new();
    for task in tasks {
        versions.push(task.await.unwrap().unwrap().version);
    }
    // Each update saw its own increment: the returned versions are exactly 2..=11.
    versions.sort_unstable();
    assert_eq!(versions, (2..=11).collect::<Vec<u32>>());
    assert_eq!(repo.get(base.id).await.unwrap().version, 11);
}
