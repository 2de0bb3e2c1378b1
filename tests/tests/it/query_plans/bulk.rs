//! The bulk calls, each also refused once so the lookups naming the input at fault run too.

use memdb_repository::documents::NewDocument;
use memdb_repository::knowledge::{NewKnowledge, NewRelationship};
use memdb_repository::organizations::NewOrganization;
use memdb_repository::taskmaster::{BulkTask, NewTask};
use memdb_repository::{KnowledgeId, OrganizationId, Repositories};
use serde_json::json;

use super::recorder::Recorder;

fn document(organization_id: OrganizationId, path: &str) -> NewDocument {
    NewDocument {
        organization_id,
        path: path.into(),
        title: "bulk".into(),
        doc_type: "note".into(),
        content: "bulk".into(),
        metadata: json!({}),
    }
}

fn edge(source_id: KnowledgeId, target_id: KnowledgeId) -> NewRelationship {
    NewRelationship {
        source_id,
        target_id,
        relationship_type: "bulk".into(),
        strength: 0.5,
    }
}

pub(super) async fn bulk(repos: &Repositories, rec: &Recorder) {
    let org = repos
        .organizations
        .create(NewOrganization {
            name: "Bulk".into(),
            slug: "bulk".into(),
            metadata: json!({}),
        })
        .await
        .unwrap()
        .id;
    rec.call("documents.create_many");
    let docs = vec![document(org, "x.md"), document(org, "y.md")];
    repos.documents.create_many(docs).await.unwrap();
    rec.call("documents.create_many of a stored path");
    let docs = vec![document(org, "z.md"), document(org, "x.md")];
    repos.documents.create_many(docs).await.unwrap_err();
    rec.call("documents.create_many in an unknown organization");
    let docs = vec![document(OrganizationId::new(), "z.md")];
    repos.documents.create_many(docs).await.unwrap_err();

    rec.call("knowledge.add_many");
    let item = |content: &str| NewKnowledge {
        content: content.into(),
        source: "bulk".into(),
        knowledge_type: "fact".into(),
        confidence_score: 0.5,
        retention_score: 0.5,
        metadata: json!({}),
    };
    let items = repos
        .knowledge
        .add_many(vec![item("a"), item("b"), item("c")])
        .await
        .unwrap();
    let (a, b, c) = (items[0].id, items[1].id, items[2].id);
    rec.call("knowledge.relate_many");
    repos
        .knowledge
        .relate_many(vec![edge(a, b), edge(b, c)])
        .await
        .unwrap();
    rec.call("knowledge.relate_many of a stored edge");
    repos
        .knowledge
        .relate_many(vec![edge(a, c), edge(a, b)])
        .await
        .unwrap_err();
    rec.call("knowledge.relate_many to an unknown item");
    repos
        .knowledge
        .relate_many(vec![edge(a, KnowledgeId::new())])
        .await
        .unwrap_err();

    rec.call("tasks.submit_many");
    let stored = repos.tasks.submit(NewTask::new("stored")).await.unwrap().id;
    let batch = vec![
        BulkTask::from(NewTask {
            depends_on: vec![stored],
            parent_task_id: Some(stored),
            ..NewTask::new("first")
        }),
        BulkTask {
            depends_on_batch: vec![0],
            parent_in_batch: Some(0),
            ..NewTask::new("second").into()
        },
    ];
    repos.tasks.submit_many(batch).await.unwrap();
}
