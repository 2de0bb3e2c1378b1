//! An audited change and its audit entry commit together or not at all, on every backend: a
//! failing audit sink, a database that cannot take the entry and an image too deep to store
//! each roll the change back; inside a caller's unit of work an audited call is a savepoint,
//! undone alone when it fails and together with the caller's work when that fails.

use std::sync::Arc;

use memdb_enhanced_repository::audit::AuditRepository;
use memdb_enhanced_repository::audited::{AuditTrail, Audited};
use memdb_enhanced_repository::{EnhancedRepositories, MockAuditRepository, RepoError};
use memdb_repository::organizations::{NewOrganization, OrganizationUpdate};
use memdb_repository::personas::NewPersona;
use memdb_repository::{OrganizationRepository, Repositories, SeaOrmOrganizationRepository};
use memdb_tests::TestDb;
use sea_orm::{ConnectionTrait, DbErr};
use serde_json::json;

use super::support::{all_entries, invalid_field, nested_object};

fn acme(slug: &str) -> NewOrganization {
    NewOrganization {
        name: format!("Org {slug}"),
        slug: slug.into(),
        metadata: json!({}),
    }
}

/// A trail whose sink refuses every entry, as an audit store that is down would.
fn failing_trail() -> AuditTrail {
    AuditTrail::new("alice").unwrap().with_sink(|_tx| {
        let mut sink = MockAuditRepository::new();
        sink.expect_append().returning(|_| {
            Err(RepoError::Db(DbErr::Custom(
                "audit store unavailable".into(),
            )))
        });
        Arc::new(sink) as Arc<dyn AuditRepository>
    })
}

fn is_audit_failure<T>(result: &Result<T, RepoError>) -> bool {
    matches!(result, Err(RepoError::Db(DbErr::Custom(m))) if m == "audit store unavailable")
}

#[tokio::test]
async fn a_failing_audit_sink_rolls_every_kind_of_change_back() {
    let db = TestDb::new().await;
    let plain = Repositories::from_connection(db.pool());
    let org = plain.organizations.create(acme("kept")).await.unwrap();
    let audited = Audited::new(
        SeaOrmOrganizationRepository::new(db.pool()),
        db.pool(),
        failing_trail(),
    );

    assert!(is_audit_failure(&audited.create(acme("new")).await));
    let rename = OrganizationUpdate {
        name: Some("Renamed".into()),
        metadata: Some(json!({"x": 1})),
    };
    assert!(is_audit_failure(&audited.update(org.id, rename).await));
    assert!(is_audit_failure(&audited.delete(org.id).await));

    // Nothing of the three changes is visible; reads still work through the decorator.
    assert!(matches!(
        plain.organizations.get_by_slug("new").await,
        Err(RepoError::NotFound { .. })
    ));
    assert_eq!(plain.organizations.get(org.id).await.unwrap(), org);
    assert_eq!(audited.get(org.id).await.unwrap(), org);
    let plain_enhanced = EnhancedRepositories::from_connection(db.pool());
    assert!(all_entries(plain_enhanced.audit.as_ref()).await.is_empty());
}

#[tokio::test]
async fn a_database_that_cannot_take_the_entry_rolls_the_change_back() {
    let db = TestDb::new().await;
    let repos = EnhancedRepositories::from_connection(db.pool());
    let audited = repos.audited("alice").unwrap();
    // The audit table is gone: the INSERT of the entry fails in the database itself (on
    // PostgreSQL that aborts the transaction, which must still roll back cleanly).
    db.conn()
        .execute_unprepared("DROP TABLE audit_log")
        .await
        .unwrap();
    let outcome = audited.legacy.organizations.create(acme("lost")).await;
    assert!(matches!(outcome, Err(RepoError::Db(_))), "{outcome:?}");
    assert!(
        repos
            .legacy
            .organizations
            .get_by_slug("lost")
            .await
            .is_err()
    );
    assert!(
        repos
            .legacy
            .organizations
            .list(memdb_repository::Page::default())
            .await
            .unwrap()
            .is_empty()
    );
    // The pool is healthy afterwards: plain writes go through.
    repos
        .legacy
        .organizations
        .create(acme("later"))
        .await
        .unwrap();
}

#[tokio::test]
async fn an_image_too_deep_to_store_rolls_the_change_back() {
    let db = TestDb::new().await;
    let repos = EnhancedRepositories::from_connection(db.pool());
    let audited = repos.audited("alice").unwrap();
    // Traits at the nesting limit are fine for a persona, but its image nests one deeper.
    let input = NewPersona {
        name: "Deep".into(),
        description: String::new(),
        system_prompt: "You go deep.".into(),
        traits: nested_object(127),
        is_active: true,
    };
    assert_eq!(
        invalid_field(audited.legacy.personas.create(input.clone()).await),
        "after"
    );
    assert!(repos.legacy.personas.get_by_name("Deep").await.is_err());
    assert!(all_entries(repos.audit.as_ref()).await.is_empty());
    // Unaudited, the same persona is stored.
    repos.legacy.personas.create(input).await.unwrap();
}

#[tokio::test]
async fn inside_a_unit_of_work_an_audited_call_is_a_savepoint() {
    let db = TestDb::new().await;
    let repos = EnhancedRepositories::from_connection(db.pool());
    let audited = repos.audited("alice").unwrap();

    // The caller's work fails after an audited change: the change and its entry go with it.
    let outcome = audited
        .transaction(|tx| async move {
            assert_eq!(tx.audit_trail().map(AuditTrail::actor), Some("alice"));
            tx.legacy.organizations.create(acme("doomed")).await?;
            assert_eq!(all_entries(tx.audit.as_ref()).await.len(), 1, "seen inside");
            Err::<(), _>(RepoError::invalid("work", "changed my mind"))
        })
        .await;
    assert!(matches!(
        outcome,
        Err(RepoError::Validation { field: "work", .. })
    ));
    assert!(
        repos
            .legacy
            .organizations
            .get_by_slug("doomed")
            .await
            .is_err()
    );
    assert!(all_entries(repos.audit.as_ref()).await.is_empty());

    // An audited call fails inside: only its savepoint is undone, the caller's work commits.
    let failing = repos.audited_by(failing_trail());
    failing
        .transaction(|tx| async move {
            tx.legacy
                .organizations
                .create(acme("kept"))
                .await
                .unwrap_err();
            // Unaudited writes of the same unit of work carry on.
            EnhancedRepositories::from_connection(tx.connection().clone())
                .legacy
                .organizations
                .create(acme("other"))
                .await?;
            Ok(())
        })
        .await
        .unwrap();
    assert!(
        repos
            .legacy
            .organizations
            .get_by_slug("kept")
            .await
            .is_err()
    );
    repos
        .legacy
        .organizations
        .get_by_slug("other")
        .await
        .unwrap();

    // Committed: the change and its entry both.
    let org = audited
        .transaction(|tx| async move { tx.legacy.organizations.create(acme("done")).await })
        .await
        .unwrap();
    let entries = all_entries(repos.audit.as_ref()).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].entity_id, org.id.to_string());
    assert_eq!(entries[0].after, Some(serde_json::to_value(&org).unwrap()));
}
