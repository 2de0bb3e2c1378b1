//! The tag repository's story, written against the trait and run on the SeaORM implementation
//! on a real database.

use memdb_enhanced_repository::tags::{
    FileTag, NewFileTag, NewTagDefinition, TagCount, TagDefinitionFilter, TagSource,
};
use memdb_enhanced_repository::{SeaOrmTagRepository, TagRepository};
use memdb_repository::{ConflictKind, Page};
use memdb_tests::TestDb;

use super::outcomes::{conflict_kind, invalid_field, not_found};

pub(crate) fn definition(name: &str, category: &str, color: &str) -> NewTagDefinition {
    NewTagDefinition {
        name: name.into(),
        category: category.into(),
        color: color.into(),
        description: format!("files about {name}"),
    }
}

pub(crate) fn tagging(path: &str, tag: &str, source: TagSource, confidence: f64) -> NewFileTag {
    NewFileTag {
        path: path.into(),
        tag: tag.into(),
        source,
        confidence,
    }
}

pub(super) fn owned(names: &[&str]) -> Vec<String> {
    names.iter().map(|&n| n.to_owned()).collect()
}

async fn definition_names(repo: &dyn TagRepository, category: Option<&str>) -> Vec<String> {
    let filter = TagDefinitionFilter {
        category: category.map(str::to_owned),
    };
    let definitions = repo.list_definitions(filter, Page::default()).await;
    definitions.unwrap().into_iter().map(|d| d.name).collect()
}

async fn tag_names(repo: &dyn TagRepository, path: &str) -> Vec<String> {
    let tags = repo.tags_of(path, Page::default()).await.unwrap();
    tags.into_iter().map(|t| t.tag).collect()
}

async fn all(repo: &dyn TagRepository, tags: &[&str]) -> Vec<String> {
    let paths = repo.paths_with_all(&owned(tags), Page::default()).await;
    paths.unwrap()
}

async fn any(repo: &dyn TagRepository, tags: &[&str]) -> Vec<String> {
    let paths = repo.paths_with_any(&owned(tags), Page::default()).await;
    paths.unwrap()
}

fn count(tag: &str, files: u64) -> TagCount {
    TagCount {
        tag: tag.into(),
        files,
    }
}

/// Defining, tagging, querying by tag sets, counting, untagging and deleting, as a caller does.
async fn tag_story(repo: &dyn TagRepository) {
    // Definitions: colours are stored in lowercase, names are unique.
    let security = repo
        .define(definition("security", "risk", "#C0FFEE"))
        .await
        .unwrap();
    assert_eq!(security.color, "#c0ffee");
    assert_eq!(security.category, "risk");
    assert_eq!(repo.get_definition("security").await.unwrap(), security);
    for (name, category) in [("perf", "quality"), ("docs", "quality"), ("unused", "misc")] {
        repo.define(definition(name, category, "#00ff00"))
            .await
            .unwrap();
    }
    assert_eq!(
        conflict_kind(
            repo.define(definition("security", "other", "#000000"))
                .await
        ),
        ConflictKind::Duplicate
    );
    assert_eq!(repo.get_definition("security").await.unwrap(), security);
    assert_eq!(
        definition_names(repo, None).await,
        ["docs", "perf", "security", "unused"]
    );
    assert_eq!(
        definition_names(repo, Some("quality")).await,
        ["docs", "perf"]
    );
    assert!(definition_names(repo, Some("nothing")).await.is_empty());

    // Tagging: a first tag inserts, the same (path, tag) again updates source and confidence.
    let guessed = repo
        .tag(tagging("src/auth.rs", "perf", TagSource::Ai, 0.4))
        .await
        .unwrap();
    assert_eq!((guessed.source, guessed.confidence), (TagSource::Ai, 0.4));
    assert_eq!(guessed.created_at, guessed.updated_at);
    let confirmed = repo
        .tag(tagging("src/auth.rs", "perf", TagSource::Manual, 1.0))
        .await
        .unwrap();
    assert_eq!(
        confirmed,
        FileTag {
            source: TagSource::Manual,
            confidence: 1.0,
            updated_at: confirmed.updated_at,
            ..guessed.clone()
        }
    );
    assert!(confirmed.updated_at >= guessed.created_at);
    let files: [(&str, &[&str]); 4] = [
        ("src/auth.rs", &["security"]),
        ("src/api.rs", &["security", "perf", "docs"]),
        ("src/db.rs", &["perf"]),
        ("README.md", &["docs"]),
    ];
    for (path, tags) in files {
        for tag in tags {
            repo.tag(tagging(path, tag, TagSource::Manual, 0.75))
                .await
                .unwrap();
        }
    }
    assert_eq!(tag_names(repo, "src/auth.rs").await, ["perf", "security"]);
    assert_eq!(
        tag_names(repo, "src/api.rs").await,
        ["docs", "perf", "security"]
    );
    assert!(tag_names(repo, "nowhere.rs").await.is_empty());

    // Tag sets, in path order; repeated names count once.
    assert_eq!(
        all(repo, &["security", "perf"]).await,
        ["src/api.rs", "src/auth.rs"]
    );
    assert_eq!(
        all(repo, &["perf", "security", "docs", "perf"]).await,
        ["src/api.rs"]
    );
    assert_eq!(
        all(repo, &["perf"]).await,
        ["src/api.rs", "src/auth.rs", "src/db.rs"]
    );
    assert!(all(repo, &["security", "unused"]).await.is_empty());
    assert!(all(repo, &["never-defined"]).await.is_empty());
    assert_eq!(
        any(repo, &["docs", "security"]).await,
        ["README.md", "src/api.rs", "src/auth.rs"]
    );
    assert_eq!(
        any(repo, &["unused", "docs", "never-defined"]).await,
        ["README.md", "src/api.rs"]
    );
    assert!(any(repo, &["unused"]).await.is_empty());

    // Counts per defined tag, unused ones included.
    assert_eq!(
        repo.counts(Page::default()).await.unwrap(),
        [
            count("docs", 2),
            count("perf", 3),
            count("security", 2),
            count("unused", 0)
        ]
    );
    let second_page = repo.counts(Page::new(2, 2).unwrap()).await.unwrap();
    assert_eq!(second_page, [count("security", 2), count("unused", 0)]);

    // A used definition cannot go; the refusal changes nothing.
    assert_eq!(
        conflict_kind(repo.delete_definition("perf").await),
        ConflictKind::StillReferenced
    );
    assert_eq!(
        all(repo, &["perf"]).await,
        ["src/api.rs", "src/auth.rs", "src/db.rs"]
    );
    // Untagged everywhere, it can.
    for path in ["src/api.rs", "src/auth.rs", "src/db.rs"] {
        repo.untag(path, "perf").await.unwrap();
    }
    assert_eq!(not_found(repo.untag("src/db.rs", "perf").await), "file tag");
    repo.delete_definition("perf").await.unwrap();
    assert_eq!(
        not_found(repo.get_definition("perf").await),
        "tag definition"
    );
    assert_eq!(
        not_found(repo.delete_definition("perf").await),
        "tag definition"
    );
    repo.delete_definition("unused").await.unwrap();
    assert_eq!(tag_names(repo, "src/api.rs").await, ["docs", "security"]);
    // Tagging with the deleted tag is now refused.
    assert_eq!(
        invalid_field(
            repo.tag(tagging("src/db.rs", "perf", TagSource::Manual, 1.0))
                .await
        ),
        "tag"
    );
}

#[tokio::test]
async fn tag_story_on_sea_orm() {
    let db = TestDb::new().await;
    tag_story(&SeaOrmTagRepository::new(db.pool())).await;
    drop(db);
}

#[tokio::test]
async fn paths_are_kept_as_given_like_the_file_system_keeps_them() {
    let db = TestDb::new().await;
    let repo = SeaOrmTagRepository::new(db.pool());
    repo.define(definition("accent", "misc", "#123456"))
        .await
        .unwrap();
    // Two spellings of "café", two files to a file system (and to the file hash history).
    let decomposed = "docs/cafe\u{301}.md";
    let composed = "docs/caf\u{e9}.md";
    let tagged = repo
        .tag(tagging(decomposed, "accent", TagSource::Manual, 1.0))
        .await
        .unwrap();
    assert_eq!(tagged.path, decomposed);
    assert_eq!(tag_names(&repo, decomposed).await, ["accent"]);
    assert!(tag_names(&repo, composed).await.is_empty());
    assert_eq!(all(&repo, &["accent"]).await, [decomposed]);
    repo.untag(decomposed, "accent").await.unwrap();
    assert!(tag_names(&repo, decomposed).await.is_empty());
    drop(db);
}
