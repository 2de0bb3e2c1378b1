//! Bad input to the tag repository: each refused with a `Validation` naming the field, with
//! nothing written; the limits at their edges in multi-byte characters.

use memdb_enhanced_repository::limits;
use memdb_enhanced_repository::tags::{
    NewFileTag, NewTagDefinition, TagCount, TagDefinitionFilter, TagSource,
};
use memdb_enhanced_repository::{SeaOrmTagRepository, TagRepository};
use memdb_repository::Page;
use memdb_tests::TestDb;

use super::outcomes::invalid_field;
use super::tags::{definition, tagging};

/// `chars` characters of two, three and four bytes in turn.
pub(super) fn multibyte(chars: usize) -> String {
    ['é', '€', '𝄞'].iter().cycle().take(chars).collect()
}

#[tokio::test]
async fn bad_definitions_are_refused_by_field() {
    let db = TestDb::new().await;
    let repo = SeaOrmTagRepository::new(db.pool());
    let with = |change: &dyn Fn(&mut NewTagDefinition)| {
        let mut input = definition("fine", "misc", "#a0b1c2");
        change(&mut input);
        input
    };
    let long_label = "x".repeat(limits::TAG_NAME + 1);
    let bad: Vec<(NewTagDefinition, &str)> = vec![
        (with(&|d| d.name = "Upper".into()), "name"),
        (with(&|d| d.name = "with space".into()), "name"),
        (with(&|d| d.name = String::new()), "name"),
        (with(&|d| d.name.clone_from(&long_label)), "name"),
        (with(&|d| d.category = "Misc".into()), "category"),
        (with(&|d| d.category.clone_from(&long_label)), "category"),
        (with(&|d| d.color = "red".into()), "color"),
        (with(&|d| d.color = "#fff".into()), "color"),
        (with(&|d| d.color = "#12345g".into()), "color"),
        (with(&|d| d.color = "1234567".into()), "color"),
        (with(&|d| d.color = "#1234567".into()), "color"),
        (with(&|d| d.color = "#ééé".into()), "color"),
        (with(&|d| d.color = String::new()), "color"),
        (
            with(&|d| d.description = multibyte(limits::TAG_DESCRIPTION + 1)),
            "description",
        ),
        (with(&|d| d.description = "nul\0".into()), "description"),
    ];
    for (input, field) in bad {
        let shown = format!("{input:?}");
        assert_eq!(invalid_field(repo.define(input).await), field, "{shown}");
    }
    let none = repo.list_definitions(TagDefinitionFilter::default(), Page::default());
    assert!(none.await.unwrap().is_empty());

    // At the limits.
    let longest = repo
        .define(NewTagDefinition {
            name: "x".repeat(limits::TAG_NAME),
            category: "c".repeat(limits::TAG_CATEGORY),
            color: "#ABCDEF".into(),
            description: multibyte(limits::TAG_DESCRIPTION),
        })
        .await
        .unwrap();
    assert_eq!(longest.color, "#abcdef");
    assert_eq!(longest.description.chars().count(), limits::TAG_DESCRIPTION);
    drop(db);
}

#[tokio::test]
async fn bad_taggings_are_refused_by_field() {
    let db = TestDb::new().await;
    let repo = SeaOrmTagRepository::new(db.pool());
    repo.define(definition("known", "misc", "#000000"))
        .await
        .unwrap();
    let with = |change: &dyn Fn(&mut NewFileTag)| {
        let mut input = tagging("file.rs", "known", TagSource::Ai, 0.5);
        change(&mut input);
        input
    };
    let mut bad: Vec<(NewFileTag, &str)> = vec![
        (with(&|t| t.tag = "undefined".into()), "tag"),
        (with(&|t| t.tag = "Not A Label".into()), "tag"),
        (with(&|t| t.path = String::new()), "path"),
        (with(&|t| t.path = " \t ".into()), "path"),
        (with(&|t| t.path = "nul\0.rs".into()), "path"),
        (with(&|t| t.path = multibyte(limits::FILE_PATH + 1)), "path"),
    ];
    for confidence in [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        -0.001,
        1.000_001,
        2.0,
    ] {
        bad.push((with(&|t| t.confidence = confidence), "confidence"));
    }
    for (input, field) in bad {
        let shown = format!("{input:?}");
        assert_eq!(invalid_field(repo.tag(input).await), field, "{shown}");
    }
    let counts = repo.counts(Page::default()).await.unwrap();
    assert_eq!(
        counts,
        [TagCount {
            tag: "known".into(),
            files: 0
        }]
    );

    // At the edges: the longest path, both ends of the confidence range (one zero).
    let longest = "é".repeat(limits::FILE_PATH) /* also FILE_PATH_BYTES bytes */;
    for confidence in [-0.0, 0.0, 1.0] {
        let tagged = repo
            .tag(tagging(&longest, "known", TagSource::Manual, confidence))
            .await
            .unwrap();
        assert_eq!(tagged.confidence.to_bits(), confidence.abs().to_bits());
    }
    assert_eq!(
        repo.tags_of(&longest, Page::default()).await.unwrap().len(),
        1
    );
    drop(db);
}

#[tokio::test]
async fn an_unknown_source_is_a_typed_error() {
    let unknown = "robot".parse::<TagSource>().unwrap_err();
    assert_eq!(unknown.type_name, "tag source");
    assert_eq!(unknown.value, "robot");
    let input = r#"{"path": "a.rs", "tag": "t", "source": "robot", "confidence": 1.0}"#;
    let refused = serde_json::from_str::<NewFileTag>(input).unwrap_err();
    assert!(
        refused.to_string().contains("unknown tag source"),
        "{refused}"
    );
    for source in TagSource::ALL {
        assert_eq!(source.as_str().parse::<TagSource>(), Ok(*source));
    }
}
