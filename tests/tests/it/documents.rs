//! The document repository's story, run against the SeaORM implementation on a real database.

use memdb_repository::documents::{DocumentFilter, NewDocument};
use memdb_repository::organizations::{NewOrganization, OrganizationUpdate};
use memdb_repository::{
    ConflictKind, DocumentRepository, OrganizationRepository, Page, RepoError,
    SeaOrmDocumentRepository, SeaOrmOrganizationRepository, content_hash,
};
use memdb_tests::TestDb;
use serde_json::json;

fn org(name: &str, slug: &str) -> NewOrganization {
    NewOrganization {
        name: name.into(),
        slug: slug.into(),
        metadata: json!({}),
    }
}

fn doc(
    org: memdb_repository::OrganizationId,
    path: &str,
    doc_type: &str,
    content: &str,
) -> NewDocument {
    NewDocument {
        organization_id: org,
        path: path.into(),
        title: format!("Title of {path}"),
        doc_type: doc_type.into(),
        content: content.into(),
        metadata: json!({"source": "test"}),
    }
}

/// What a caller does with documents, written against the trait so any implementation can run it.
async fn document_story(orgs: &dyn OrganizationRepository, repo: &dyn DocumentRepository) {
    // Organizations: create, look up, rename, reject duplicates and bad input.
    let acme = orgs.create(org("Acme", "acme")).await.unwrap();
    assert_eq!(orgs.get(acme.id).await.unwrap(), acme);
    assert_eq!(orgs.get_by_slug("acme").await.unwrap().id, acme.id);
    assert!(matches!(
        orgs.create(org("Acme", "acme-2")).await,
        Err(RepoError::Conflict {
            kind: ConflictKind::Duplicate,
            ..
        })
    ));
    assert!(matches!(
        orgs.create(org("  ", "blank")).await,
        Err(RepoError::Validation { field: "name", .. })
    ));
    assert!(matches!(
        orgs.create(org("Bad", "Not A Slug")).await,
        Err(RepoError::Validation { field: "slug", .. })
    ));
    let other = orgs.create(org("Other", "other")).await.unwrap();
    let renamed = orgs
        .update(
            other.id,
            OrganizationUpdate {
                name: Some("Other Corp".into()),
                metadata: Some(json!({"tier": "gold"})),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (renamed.name.as_str(), renamed.slug.as_str()),
        ("Other Corp", "other")
    );
    assert_eq!(renamed.metadata, json!({"tier": "gold"}));
    assert!(matches!(
        orgs.update(
            other.id,
            OrganizationUpdate {
                name: Some("Acme".into()),
                metadata: None
            }
        )
        .await,
        Err(RepoError::Conflict {
            kind: ConflictKind::Duplicate,
            ..
        })
    ));
    let names: Vec<_> = orgs
        .list(Page::default())
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.name)
        .collect();
    assert_eq!(names, ["Acme", "Other Corp"]);

    // Documents: create computes hash and size; paths are unique per organization only.
    let readme = repo
        .create(doc(
            acme.id,
            "docs/readme.md",
            "markdown",
            "Hello 50% off_now",
        ))
        .await
        .unwrap();
    assert_eq!(readme.content_hash, content_hash("Hello 50% off_now"));
    assert_eq!(readme.size_bytes, 17);
    assert_eq!(repo.get(readme.id).await.unwrap(), readme);
    assert_eq!(
        repo.get_by_path(acme.id, "docs/readme.md")
            .await
            .unwrap()
            .id,
        readme.id
    );
    assert!(matches!(
        repo.create(doc(acme.id, "docs/readme.md", "markdown", "again"))
            .await,
        Err(RepoError::Conflict {
            kind: ConflictKind::Duplicate,
            ..
        })
    ));
    let twin = repo
        .create(doc(
            other.id,
            "docs/readme.md",
            "markdown",
            "Hello 50% off_now",
        ))
        .await
        .unwrap();
    let code = repo
        .create(doc(acme.id, "src/main.rs", "code", "fn main() {}"))
        .await
        .unwrap();
    assert!(matches!(
        repo.create(doc(
            memdb_repository::OrganizationId::new(),
            "x",
            "code",
            ""
        ))
        .await,
        Err(RepoError::Validation {
            field: "organization_id",
            ..
        })
    ));
    assert!(matches!(
        repo.create(doc(acme.id, "", "code", "")).await,
        Err(RepoError::Validation { field: "path", .. })
    ));
    assert!(matches!(
        repo.create(doc(acme.id, &"p".repeat(513), "code", ""))
            .await,
        Err(RepoError::Validation { field: "path", .. })
    ));

    // Listing with a type filter and pagination.
    let all = repo
        .list(acme.id, DocumentFilter::default(), Page::default())
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|d| d.id).collect::<Vec<_>>(),
        [readme.id, code.id]
    );
    let only_code = repo
        .list(
            acme.id,
            DocumentFilter {
                doc_type: Some("code".into()),
            },
            Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        only_code.iter().map(|d| d.id).collect::<Vec<_>>(),
        [code.id]
    );
    let second = repo
        .list(acme.id, DocumentFilter::default(), Page::new(1, 1).unwrap())
        .await
        .unwrap();
    assert_eq!(second.iter().map(|d| d.id).collect::<Vec<_>>(), [code.id]);

    // Hash lookup finds the same content in both organizations.
    let same = repo
        .find_by_hash(&readme.content_hash, Page::default())
        .await
        .unwrap();
    assert_eq!(same.len(), 2);
    assert!(same.iter().any(|d| d.id == twin.id));
    assert!(matches!(
        repo.find_by_hash("xyz", Page::default()).await,
        Err(RepoError::Validation { .. })
    ));

    // Search: case-insensitive, and % and _ match only themselves.
    let hits = repo
        .search(Some(acme.id), "50% OFF_", Page::default())
        .await
        .unwrap();
    assert_eq!(hits.iter().map(|d| d.id).collect::<Vec<_>>(), [readme.id]);
    assert!(
        repo.search(Some(acme.id), "50%_off", Page::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        repo.search(Some(acme.id), "o_f", Page::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        repo.search(None, "hello", Page::default())
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        repo.search(None, "main.rs", Page::default())
            .await
            .unwrap()
            .len(),
        1
    );

    // Updating content rehashes.
    let updated = repo
        .update_content(readme.id, "new text".into())
        .await
        .unwrap();
    assert_eq!(updated.content_hash, content_hash("new text"));
    assert_eq!(updated.size_bytes, 8);
    assert!(updated.updated_at >= readme.updated_at);
    assert!(matches!(
        repo.update_content(memdb_repository::DocumentId::new(), "x".into())
            .await,
        Err(RepoError::NotFound {
            entity: "document",
            ..
        })
    ));

    // An organization with documents cannot be deleted; without them it can.
    let refused = orgs.delete(acme.id).await;
    assert!(
        matches!(
            refused,
            Err(RepoError::Conflict {
                kind: ConflictKind::StillReferenced,
                ..
            })
        ),
        "{refused:?}"
    );
    repo.delete(readme.id).await.unwrap();
    repo.delete(code.id).await.unwrap();
    assert!(matches!(
        repo.get(code.id).await,
        Err(RepoError::NotFound { .. })
    ));
    assert!(matches!(
        repo.delete(code.id).await,
        Err(RepoError::NotFound { .. })
    ));
    orgs.delete(acme.id).await.unwrap();
    assert!(matches!(
        orgs.get(acme.id).await,
        Err(RepoError::NotFound { .. })
    ));
}

#[tokio::test]
async fn document_story_on_sea_orm() {
    let db = TestDb::new().await;
    document_story(
        &SeaOrmOrganizationRepository::new(db.pool()),
        &SeaOrmDocumentRepository::new(db.pool()),
    )
    .await;
}
