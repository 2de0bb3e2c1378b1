//! Every repository method, called at least once (filters in each combination the SQL
//! differs by), so the plan check sees every statement shape the repositories produce.

use memdb_repository::documents::{DocumentFilter, NewDocument};
use memdb_repository::knowledge::{
    Direction, KnowledgeQuery, NeighbourQuery, NewKnowledge, NewRelationship, ScoreUpdate,
};
use memdb_repository::organizations::{NewOrganization, OrganizationUpdate};
use memdb_repository::personas::{NewPersona, PersonaFilter, PersonaUpdate};
use memdb_repository::taskmaster::{NewTask, TaskFilter, TaskStatus};
use memdb_repository::{Page, Repositories};
use serde_json::json;

use super::recorder::Recorder;

/// Calls that cannot use an index by their nature: substring search (`LIKE '%term%'`) reads
/// every candidate row. Full-text search is a later, separate index. Recounting every user's
/// clusters reads every cluster once, by design (each count itself is index-served).
pub(super) const FULL_SCANS_BY_DESIGN: [&str; 3] = [
    "documents.search in every organization",
    "knowledge.search by text",
    "tiered.recount_clusters of every user",
];

/// Calls whose pages are sorted by design, matched by prefix:
/// - one item's edges ranked by strength, in both directions at once (an `OR` of two indexes
///   that no single index can order). The sort covers one item's edges, never a table.
/// - graph traversals, ordered by the distance the statement itself computes: no index can
///   hold it. The sort covers the nodes reached (or, for a path, the paths found), never a
///   table.
/// - a search of one user's memories in every tier, by `updated_at`: the three tiers are three
///   ranges of `(user_id, tier, updated_at)` that no single index orders together. The sort
///   covers one user's memories, never a table; a search that names a tier is read in index
///   order.
/// - the lifecycle policies' trim, which deletes a user's memories of one tier lowest
///   importance first: no index orders by importance after `(user_id, tier)` (seed 004's
///   indexes order by `updated_at` there). The sort covers one user's memories of one tier,
///   never a table; the policies' other statements are index-ordered.
/// - a search of memories with a metadata filter: a filter served by its own index (GIN, a
///   SQLite hot key) gives the rows out of `updated_at` order; the sort covers the matching
///   rows of one user or tier.
pub(super) const SORTED_BY_DESIGN: [&str; 7] = [
    "knowledge.neighbours",
    "graph.traverse",
    "graph.shortest_path",
    "tiered.search of a user in every tier",
    "policies.plan",
    "policies.run",
    "tiered.search with a metadata filter",
];

pub(super) async fn documents(repos: &Repositories, rec: &Recorder) {
    let docs = &repos.documents;
    let organizations = &repos.organizations;
    rec.call("organizations.create");
    let mut orgs = Vec::new();
    for (name, slug) in [("Plans", "plans"), ("Doomed", "doomed")] {
        let input = NewOrganization {
            name: name.into(),
            slug: slug.into(),
            metadata: json!({}),
        };
        orgs.push(organizations.create(input).await.unwrap());
    }
    let (org, doomed) = (&orgs[0], &orgs[1]);
    rec.call("organizations.get");
    organizations.get(org.id).await.unwrap();
    rec.call("organizations.get_by_slug");
    organizations.get_by_slug("plans").await.unwrap();
    rec.call("organizations.list");
    organizations.list(Page::default()).await.unwrap();
    rec.call("organizations.update");
    let rename = OrganizationUpdate {
        name: Some("Plans Inc".into()),
        metadata: Some(json!({"tier": 1})),
    };
    organizations.update(org.id, rename).await.unwrap();
    rec.call("organizations.delete");
    organizations.delete(doomed.id).await.unwrap();

    rec.call("documents.create");
    let mut created = Vec::new();
    for (path, doc_type) in [("a.md", "note"), ("b.md", "spec")] {
        let input = NewDocument {
            organization_id: org.id,
            path: path.into(),
            title: format!("title {path}"),
            doc_type: doc_type.into(),
            content: format!("content of {path}"),
            metadata: json!({}),
        };
        created.push(docs.create(input).await.unwrap());
    }
    rec.call("documents.get");
    docs.get(created[0].id).await.unwrap();
    rec.call("documents.get_by_path");
    docs.get_by_path(org.id, "a.md").await.unwrap();
    rec.call("documents.update_content");
    docs.update_content(created[0].id, "new content".into())
        .await
        .unwrap();
    rec.call("documents.list");
    docs.list(org.id, DocumentFilter::default(), Page::default())
        .await
        .unwrap();
    rec.call("documents.list by doc_type");
    let specs = DocumentFilter {
        doc_type: Some("spec".into()),
    };
    docs.list(org.id, specs, Page::default()).await.unwrap();
    rec.call("documents.find_by_hash");
    docs.find_by_hash(&created[1].content_hash, Page::default())
        .await
        .unwrap();
    rec.call("documents.search in one organization");
    docs.search(Some(org.id), "content", Page::default())
        .await
        .unwrap();
    rec.call("documents.search in every organization");
    docs.search(None, "content", Page::default()).await.unwrap();
    rec.call("documents.delete");
    docs.delete(created[1].id).await.unwrap();
}

fn knowledge_item(content: &str, knowledge_type: &str) -> NewKnowledge {
    NewKnowledge {
        content: content.into(),
        source: "plans".into(),
        knowledge_type: knowledge_type.into(),
        confidence_score: 0.5,
        retention_score: 0.5,
        metadata: json!({}),
    }
}

pub(super) async fn knowledge(repos: &Repositories, rec: &Recorder) {
    let k = &repos.knowledge;
    rec.call("knowledge.add");
    let a = k.add(knowledge_item("alpha", "fact")).await.unwrap();
    let b = k.add(knowledge_item("beta", "rule")).await.unwrap();
    let c = k.add(knowledge_item("gamma", "fact")).await.unwrap();
    rec.call("knowledge.get");
    k.get(a.id).await.unwrap();
    rec.call("knowledge.get in a unit of work");
    let id = a.id;
    repos
        .transaction(|tx| async move { tx.knowledge.get(id).await })
        .await
        .unwrap();
    rec.call("knowledge.peek");
    k.peek(a.id).await.unwrap();
    rec.call("knowledge.search by type");
    let facts = KnowledgeQuery {
        text: None,
        knowledge_type: Some("fact".into()),
    };
    k.search(facts, Page::default()).await.unwrap();
    rec.call("knowledge.search by text");
    let text = KnowledgeQuery {
        text: Some("alp".into()),
        knowledge_type: Some("fact".into()),
    };
    k.search(text, Page::default()).await.unwrap();
    rec.call("knowledge.top_by_retention");
    k.top_by_retention(5, None).await.unwrap();
    rec.call("knowledge.top_by_retention of a type");
    k.top_by_retention(5, Some("fact".into())).await.unwrap();
    rec.call("knowledge.update_scores");
    let scores = ScoreUpdate {
        confidence_score: Some(0.9),
        retention_score: Some(0.8),
    };
    k.update_scores(a.id, scores).await.unwrap();
    rec.call("knowledge.relate");
    for (source, target) in [(a.id, b.id), (c.id, a.id)] {
        let edge = NewRelationship {
            source_id: source,
            target_id: target,
            relationship_type: "supports".into(),
            strength: 0.7,
        };
        k.relate(edge).await.unwrap();
    }
    for direction in [Direction::Both, Direction::Outgoing, Direction::Incoming] {
        for relationship_type in [None, Some("supports".to_owned())] {
            rec.call(&format!(
                "knowledge.neighbours {direction:?} type {relationship_type:?}"
            ));
            let query = NeighbourQuery {
                relationship_type,
                direction,
            };
            k.neighbours(a.id, query, Page::default()).await.unwrap();
        }
    }
    rec.call("knowledge.delete");
    k.delete(a.id).await.unwrap();
}

pub(super) async fn tasks(repos: &Repositories, rec: &Recorder) {
    let t = &repos.tasks;
    rec.call("tasks.submit");
    let first = t.submit(NewTask::new("first")).await.unwrap();
    rec.call("tasks.submit with dependencies and parent");
    let second = t
        .submit(NewTask {
            depends_on: vec![first.id],
            parent_task_id: Some(first.id),
            created_by: Some("plans".into()),
            ..NewTask::new("second")
        })
        .await
        .unwrap();
    let third = t.submit(NewTask::new("third")).await.unwrap();
    rec.call("tasks.get");
    t.get(first.id).await.unwrap();
    rec.call("tasks.dependencies");
    t.dependencies(second.id, Page::default()).await.unwrap();
    rec.call("tasks.add_dependency");
    t.add_dependency(third.id, second.id).await.unwrap();
    let filters = [
        ("none", TaskFilter::default()),
        (
            "status",
            TaskFilter {
                status: Some(TaskStatus::Ready),
                ..TaskFilter::default()
            },
        ),
        (
            "agent_type",
            TaskFilter {
                agent_type: Some("general".into()),
                ..TaskFilter::default()
            },
        ),
        (
            "created_by",
            TaskFilter {
                created_by: Some("plans".into()),
                ..TaskFilter::default()
            },
        ),
        (
            "status and agent_type",
            TaskFilter {
                status: Some(TaskStatus::Pending),
                agent_type: Some("general".into()),
                created_by: None,
            },
        ),
    ];
    for (name, filter) in filters {
        rec.call(&format!("tasks.list by {name}"));
        t.list(filter, Page::default()).await.unwrap();
    }
    rec.call("tasks.children");
    t.children(first.id, Page::default()).await.unwrap();
    rec.call("tasks.claim_next");
    let claimed = t.claim_next("general").await.unwrap();
    rec.call("tasks.complete");
    t.complete(claimed.id, json!({"ok": true})).await.unwrap();
    rec.call("tasks.claim_next");
    let retried = t.claim_next("general").await.unwrap();
    rec.call("tasks.fail");
    t.fail(retried.id, "boom").await.unwrap();
    rec.call("tasks.cancel");
    t.cancel(third.id).await.unwrap();
    let lonely = NewTask {
        priority: 10,
        ..NewTask::new("nothing depends on me")
    };
    let lonely = t.submit(lonely).await.unwrap();
    rec.call("tasks.claim_next");
    assert_eq!(t.claim_next("general").await.unwrap().id, lonely.id);
    rec.call("tasks.complete without dependents");
    t.complete(lonely.id, json!({"ok": true})).await.unwrap();
    let last_chance = NewTask {
        priority: 10,
        max_retries: 0,
        ..NewTask::new("no retries")
    };
    let last_chance = t.submit(last_chance).await.unwrap();
    rec.call("tasks.claim_next");
    assert_eq!(t.claim_next("general").await.unwrap().id, last_chance.id);
    rec.call("tasks.fail with no retries left");
    t.fail(last_chance.id, "boom").await.unwrap();
    rec.call("tasks.requeue_timed_out");
    t.requeue_timed_out().await.unwrap();
    rec.call("tasks.claim_next on an empty queue");
    t.claim_next("nobody").await.unwrap_err();
}

pub(super) async fn personas(repos: &Repositories, rec: &Recorder) {
    let p = &repos.personas;
    rec.call("personas.create");
    let persona = p
        .create(NewPersona {
            name: "planner".into(),
            description: "plans".into(),
            system_prompt: "You plan.".into(),
            traits: json!({}),
            is_active: true,
        })
        .await
        .unwrap();
    rec.call("personas.get");
    p.get(persona.id).await.unwrap();
    rec.call("personas.get_by_name");
    p.get_by_name("planner").await.unwrap();
    for active_only in [false, true] {
        rec.call(&format!("personas.list active_only={active_only}"));
        p.list(PersonaFilter { active_only }, Page::default())
            .await
            .unwrap();
    }
    rec.call("personas.update");
    let update = PersonaUpdate {
        description: Some("plans well".into()),
        ..PersonaUpdate::default()
    };
    p.update(persona.id, update).await.unwrap();
    rec.call("personas.set_active");
    p.set_active(persona.id, false).await.unwrap();
    rec.call("personas.delete");
    p.delete(persona.id).await.unwrap();
}
