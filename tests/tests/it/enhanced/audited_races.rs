//! Concurrent audited changes of one row: every entry's before image is the row its change
//! replaced, so a row's entries chain (each before is the previous after), on every backend.

use memdb_enhanced_repository::EnhancedRepositories;
use memdb_enhanced_repository::audited::entities;
use memdb_repository::personas::{NewPersona, PersonaUpdate};
use memdb_repository::{Page, RepoResult};
use memdb_tests::TestDb;
use serde_json::{Value, json};

const WRITERS: u32 = 16;

/// The persona version in an image.
fn version(image: Option<&Value>) -> u64 {
    image
        .and_then(|i| i["version"].as_u64())
        .expect("an image with a version")
}

#[tokio::test]
async fn concurrent_audited_updates_chain_their_images() {
    let db = TestDb::new().await;
    let repos = EnhancedRepositories::from_connection(db.pool());
    let audited = repos.audited("racer").unwrap();
    let persona = audited
        .legacy
        .personas
        .create(NewPersona {
            name: "Contended".into(),
            description: String::new(),
            system_prompt: "You are shared.".into(),
            traits: json!({}),
            is_active: true,
        })
        .await
        .unwrap();

    let writers: Vec<_> = (0..WRITERS)
        .map(|i| {
            let personas = audited.legacy.personas.clone();
            tokio::spawn(async move {
                let update = PersonaUpdate {
                    description: Some(format!("writer {i}")),
                    ..PersonaUpdate::default()
                };
                personas.update(persona.id, update).await.map(drop)
            })
        })
        .collect();
    for writer in writers {
        let done: RepoResult<()> = writer.await.unwrap();
        done.unwrap();
    }

    let entries = repos
        .audit
        .for_row(entities::PERSONA, &persona.id.to_string(), Page::default())
        .await
        .unwrap();
    assert_eq!(entries.len(), 1 + WRITERS as usize);
    // Each update replaced exactly the version the previous one made: versions 1 to 16 each
    // appear once as a before image, each followed by the next.
    let mut chain: Vec<(u64, u64)> = entries[1..]
        .iter()
        .map(|e| (version(e.before.as_ref()), version(e.after.as_ref())))
        .collect();
    chain.sort_unstable();
    let expected: Vec<(u64, u64)> = (1..=u64::from(WRITERS)).map(|v| (v, v + 1)).collect();
    assert_eq!(chain, expected);
}
