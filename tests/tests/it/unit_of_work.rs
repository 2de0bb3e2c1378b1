//! `Repositories::transaction`: several repositories' writes commit together or not at all, on
//! every backend.

use memdb_repository::documents::NewDocument;
use memdb_repository::knowledge::{KnowledgeQuery, NewKnowledge, NewRelationship};
use memdb_repository::organizations::NewOrganization;
use memdb_repository::personas::{NewPersona, PersonaFilter};
use memdb_repository::taskmaster::{NewTask, TaskFilter};
use memdb_repository::{
    ConflictKind, KnowledgeId, Page, RepoError, RepoResult, Repositories, SharedTransaction,
};
use memdb_tests::TestDb;
use serde_json::json;

/// Writes through four repositories: an organization with a document, a knowledge item, a task
/// and a persona, all named after `tag`.
async fn write_everywhere(tx: &Repositories<SharedTransaction>, tag: &str) -> RepoResult<()> {
    let org = tx
        .organizations
        .create(NewOrganization {
            name: format!("Org {tag}"),
            slug: format!("org-{tag}"),
            metadata: json!({}),
        })
        .await?;
    tx.documents
        .create(NewDocument {
            organization_id: org.id,
            path: format!("{tag}.md"),
            title: tag.into(),
            doc_type: "markdown".into(),
            content: "body".into(),
            metadata: json!({}),
        })
        .await?;
    tx.knowledge
        .add(NewKnowledge {
            content: format!("fact {tag}"),
            source: "test".into(),
            knowledge_type: "fact".into(),
            confidence_score: 0.5,
            retention_score: 0.5,
            metadata: json!({}),
        })
        .await?;
    tx.tasks.submit(NewTask::new(format!("task {tag}"))).await?;
    tx.personas
        .create(NewPersona {
            name: format!("persona {tag}"),
            description: String::new(),
            system_prompt: "You help.".into(),
            traits: json!({}),
            is_active: true,
        })
        .await?;
    Ok(())
}

/// How many organizations, knowledge items, tasks and personas the pool sees.
async fn counts(repos: &Repositories) -> [usize; 4] {
    let page = Page::default();
    [
        repos.organizations.list(page).await.unwrap().len(),
        repos
            .knowledge
            .search(KnowledgeQuery::default(), page)
            .await
            .unwrap()
            .len(),
        repos
            .tasks
            .list(TaskFilter::default(), page)
            .await
            .unwrap()
            .len(),
        repos
            .personas
            .list(PersonaFilter::default(), page)
            .await
            .unwrap()
            .len(),
    ]
}

#[tokio::test]
async fn a_unit_of_work_commits_on_ok_and_rolls_back_on_err() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());

    let refused: RepoResult<()> = repos
        .transaction(|tx| async move {
            write_everywhere(&tx, "a").await?;
            Err(RepoError::invalid("test", "changed my mind"))
        })
        .await;
    assert!(
        matches!(refused, Err(RepoError::Validation { field: "test", .. })),
        "{refused:?}"
    );
    assert_eq!(counts(&repos).await, [0; 4]);

    // A repository's own error rolls back what came before it in the unit.
    let duplicate = repos
        .transaction(|tx| async move {
            write_everywhere(&tx, "b").await?;
            write_everywhere(&tx, "b").await
        })
        .await;
    assert_eq!(
        duplicate.unwrap_err().conflict_kind(),
        Some(ConflictKind::Duplicate)
    );
    assert_eq!(counts(&repos).await, [0; 4]);

    repos
        .transaction(|tx| async move { write_everywhere(&tx, "c").await })
        .await
        .unwrap();
    assert_eq!(counts(&repos).await, [1; 4]);
}

#[tokio::test]
async fn a_panic_inside_a_unit_of_work_rolls_it_back() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());
    let inner = repos.clone();
    let crashed = tokio::spawn(async move {
        inner
            .transaction(|tx| async move {
                write_everywhere(&tx, "p").await?;
                panic!("the caller crashed mid-way");
                #[allow(unreachable_code)]
                Ok(())
            })
            .await
    })
    .await;
    assert!(crashed.unwrap_err().is_panic());
    assert_eq!(counts(&repos).await, [0; 4]);
    // The pool is still usable: the rolled-back connection went back clean.
    repos
        .transaction(|tx| async move { write_everywhere(&tx, "q").await })
        .await
        .unwrap();
    assert_eq!(counts(&repos).await, [1; 4]);
}

#[tokio::test]
async fn nested_units_of_work_are_savepoints() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());
    repos
        .transaction(|tx| async move {
            write_everywhere(&tx, "outer").await?;
            let inner = tx
                .transaction(|tx| async move {
                    write_everywhere(&tx, "inner").await?;
                    Err::<(), _>(RepoError::invalid("test", "undo the inner part only"))
                })
                .await;
            assert!(inner.is_err());
            // A multi-statement write that fails inside sets its own savepoint, so the unit of
            // work goes on even on PostgreSQL (where a failed statement aborts a transaction).
            let missing = tx
                .knowledge
                .relate(NewRelationship {
                    source_id: KnowledgeId::new(),
                    target_id: KnowledgeId::new(),
                    relationship_type: "supports".into(),
                    strength: 0.5,
                })
                .await;
            assert!(
                matches!(
                    missing,
                    Err(RepoError::Validation {
                        field: "reference",
                        ..
                    })
                ),
                "{missing:?}"
            );
            tx.tasks.submit(NewTask::new("after the failure")).await?;
            Ok(())
        })
        .await
        .unwrap();
    let [organizations, knowledge, tasks, personas] = counts(&repos).await;
    assert_eq!((organizations, knowledge, personas), (1, 1, 1));
    assert_eq!(tasks, 2);
}

#[tokio::test]
async fn repositories_kept_beyond_the_unit_of_work_prevent_its_commit() {
    let db = TestDb::new().await;
    let repos = Repositories::from_connection(db.pool());
    let mut kept = None;
    let result = repos
        .transaction(|tx| {
            kept = Some(tx.clone());
            async move { write_everywhere(&tx, "leak").await }
        })
        .await;
    assert!(
        matches!(
            result,
            Err(RepoError::Validation {
                field: "transaction",
                ..
            })
        ),
        "{result:?}"
    );
    drop(kept);
    assert_eq!(counts(&repos).await, [0; 4]);
}
