//! Every audit log statement, and the audited legacy repositories' own (the before image, the
//! change and the entry, in one transaction), for the plan check.

use memdb_enhanced_repository::EnhancedRepositories;
use memdb_enhanced_repository::audit::{AuditAction, NewAuditEntry};
use memdb_enhanced_repository::audited::entities;
use memdb_enhanced_repository::{Page, TimeWindow};
use memdb_repository::organizations::{NewOrganization, OrganizationUpdate};
use serde_json::json;

use super::recorder::Recorder;

pub(super) async fn audit(repos: &EnhancedRepositories, rec: &Recorder) {
    let audit = &repos.audit;
    rec.call("audit.append");
    let entry = audit
        .append(NewAuditEntry {
            actor: "planner".into(),
            action: AuditAction::Create,
            entity: "widget".into(),
            entity_id: "w1".into(),
            before: None,
            after: Some(json!({"v": 1})),
        })
        .await
        .unwrap();
    rec.call("audit.append_many");
    let batch = (2..4)
        .map(|i| NewAuditEntry {
            actor: "planner".into(),
            action: AuditAction::Create,
            entity: "widget".into(),
            entity_id: format!("w{i}"),
            before: None,
            after: Some(json!({"v": i})),
        })
        .collect();
    audit.append_many(batch).await.unwrap();
    let page = Page::default();
    rec.call("audit.for_row");
    audit.for_row("widget", "w1", page).await.unwrap();
    rec.call("audit.for_entity");
    audit.for_entity("widget", page).await.unwrap();
    rec.call("audit.by_actor");
    audit.by_actor("planner", page).await.unwrap();
    rec.call("audit.in_window");
    let window = TimeWindow::new(entry.at, entry.at + chrono::TimeDelta::seconds(1)).unwrap();
    audit.in_window(window, page).await.unwrap();

    let audited = repos.audited("planner").unwrap().legacy;
    rec.call("audited.organizations.create");
    let org = audited
        .organizations
        .create(NewOrganization {
            name: "Audited".into(),
            slug: "audited".into(),
            metadata: json!({}),
        })
        .await
        .unwrap();
    rec.call("audited.organizations.update");
    let rename = OrganizationUpdate {
        name: Some("Audited Inc".into()),
        metadata: None,
    };
    audited.organizations.update(org.id, rename).await.unwrap();
    rec.call("audited.organizations.delete");
    audited.organizations.delete(org.id).await.unwrap();
    rec.call("audit.for_row of an audited row");
    let history = audit
        .for_row(entities::ORGANIZATION, &org.id.to_string(), page)
        .await
        .unwrap();
    assert_eq!(history.len(), 3);
}
