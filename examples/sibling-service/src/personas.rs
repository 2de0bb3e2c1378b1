//! Every persona call, on a persona named after this run.

use anyhow::ensure;
use memdb_repository::personas::{NewPersona, PersonaFilter, PersonaUpdate};
use memdb_repository::{Page, Repositories};
use serde_json::json;

use crate::check::{Call as _, not_found};

/// Creates, reads, lists, updates, deactivates and deletes a persona.
pub(crate) async fn exercise(repos: &Repositories, run: &str) -> anyhow::Result<()> {
    let personas = &repos.personas;
    let name = format!("sibling {run}");
    let created = personas
        .create(NewPersona {
            name: name.clone(),
            description: "Answers briefly".to_owned(),
            system_prompt: "Be brief.".to_owned(),
            traits: json!({ "tone": "dry" }),
            is_active: true,
        })
        .await
        .call("personas.create")?;
    let id = created.id;
    ensure!(created.version == 1, "personas.create returned {created:?}");
    ensure!(
        personas.get(id).await.call("personas.get")? == created,
        "personas.get differs"
    );
    let by_name = personas
        .get_by_name(&name)
        .await
        .call("personas.get_by_name")?;
    ensure!(by_name.id == id, "personas.get_by_name found {by_name:?}");

    let update = PersonaUpdate {
        system_prompt: Some("Be briefer.".to_owned()),
        ..PersonaUpdate::default()
    };
    let updated = personas.update(id, update).await.call("personas.update")?;
    ensure!(
        updated.version == 2 && updated.system_prompt == "Be briefer.",
        "personas.update returned {updated:?}"
    );
    let inactive = personas
        .set_active(id, false)
        .await
        .call("personas.set_active")?;
    ensure!(
        !inactive.is_active && inactive.version == 2,
        "personas.set_active returned {inactive:?}"
    );
    let all = Page::new(Page::MAX_LIMIT, 0)?;
    let listed = personas
        .list(PersonaFilter::default(), all)
        .await
        .call("personas.list")?;
    ensure!(
        listed.iter().any(|p| p.id == id),
        "personas.list misses {id}"
    );
    let active = personas
        .list(PersonaFilter { active_only: true }, all)
        .await
        .call("personas.list")?;
    ensure!(
        !active.iter().any(|p| p.id == id),
        "personas.list (active) shows inactive {id}"
    );

    personas.delete(id).await.call("personas.delete")?;
    not_found("personas.get after delete", personas.get(id).await)
}
