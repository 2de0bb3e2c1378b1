//! Every [`TagRepository`](memdb_enhanced_repository::TagRepository) method, with tag sets of
//! one and of several tags (their SQL differs), for the plan check.

use memdb_enhanced_repository::EnhancedRepositories;
use memdb_enhanced_repository::tags::{
    NewFileTag, NewTagDefinition, TagDefinitionFilter, TagSource,
};
use memdb_repository::Page;

use super::recorder::Recorder;

fn names(tags: &[&str]) -> Vec<String> {
    tags.iter().map(|&t| t.to_owned()).collect()
}

pub(super) async fn tags(repos: &EnhancedRepositories, rec: &Recorder) {
    let tags = &repos.tags;
    rec.call("tags.define");
    for (name, category) in [("alpha", "greek"), ("beta", "greek"), ("spare", "misc")] {
        let input = NewTagDefinition {
            name: name.into(),
            category: category.into(),
            color: "#112233".into(),
            description: String::new(),
        };
        tags.define(input).await.unwrap();
    }
    rec.call("tags.get_definition");
    tags.get_definition("alpha").await.unwrap();
    rec.call("tags.list_definitions");
    tags.list_definitions(TagDefinitionFilter::default(), Page::default())
        .await
        .unwrap();
    rec.call("tags.list_definitions by category");
    let greek = TagDefinitionFilter {
        category: Some("greek".into()),
    };
    tags.list_definitions(greek, Page::default()).await.unwrap();
    rec.call("tags.tag");
    for (path, tag) in [("a.rs", "alpha"), ("a.rs", "beta"), ("b.rs", "beta")] {
        let input = NewFileTag {
            path: path.into(),
            tag: tag.into(),
            source: TagSource::Ai,
            confidence: 0.5,
        };
        tags.tag(input.clone()).await.unwrap();
        // Again: the conflict branch of the same statement.
        tags.tag(input).await.unwrap();
    }
    rec.call("tags.tags_of");
    tags.tags_of("a.rs", Page::default()).await.unwrap();
    rec.call("tags.paths_with_all one tag");
    let page = Page::new(10, 0).unwrap();
    tags.paths_with_all(&names(&["alpha"]), page).await.unwrap();
    rec.call("tags.paths_with_all");
    tags.paths_with_all(&names(&["alpha", "beta", "spare"]), page)
        .await
        .unwrap();
    rec.call("tags.paths_with_any");
    tags.paths_with_any(&names(&["alpha", "beta", "spare"]), page)
        .await
        .unwrap();
    rec.call("tags.counts");
    tags.counts(page).await.unwrap();
    rec.call("tags.untag");
    tags.untag("b.rs", "beta").await.unwrap();
    rec.call("tags.delete_definition refused");
    tags.delete_definition("alpha").await.unwrap_err();
    rec.call("tags.delete_definition");
    tags.delete_definition("spare").await.unwrap();
}
