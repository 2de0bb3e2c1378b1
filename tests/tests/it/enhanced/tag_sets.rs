//! Files with all or any of a set of tags, page by page, against the same sets computed in
//! Rust; and the bounds of a set.

use std::collections::BTreeSet;

use memdb_enhanced_repository::limits::TAGS_PER_QUERY;
use memdb_enhanced_repository::tags::TagSource;
use memdb_enhanced_repository::{SeaOrmTagRepository, TagRepository};
use memdb_repository::Page;
use memdb_tests::TestDb;

use super::outcomes::invalid_field;
use super::tags::{definition, owned, tagging};

const FILES: usize = 60;
const DIVISORS: [(&str, usize); 3] = [("two", 2), ("three", 3), ("five", 5)];

/// File `i`'s path: prefixes that sort differently bytewise than in a linguistic collation
/// (`B` < `Z` < `_` < `a` by code point).
fn path_of(i: usize) -> String {
    let prefix = ["a/", "B/", "_/", "Z/", "é/"][i % 5];
    format!("{prefix}{i:02}.rs")
}

/// The files tagged with each divisor of their number, in code-point order, by `keep`.
fn expected(keep: impl Fn(usize) -> bool) -> Vec<String> {
    let paths: BTreeSet<String> = (0..FILES).filter(|&i| keep(i)).map(path_of).collect();
    paths.into_iter().collect()
}

async fn tagged_repo(db: &TestDb) -> SeaOrmTagRepository {
    let repo = SeaOrmTagRepository::new(db.pool());
    for (name, _) in DIVISORS {
        repo.define(definition(name, "math", "#abcdef"))
            .await
            .unwrap();
    }
    for i in 0..FILES {
        for (name, divisor) in DIVISORS {
            if i % divisor == 0 {
                repo.tag(tagging(&path_of(i), name, TagSource::Ai, 0.5))
                    .await
                    .unwrap();
            }
        }
    }
    repo
}

/// Every page of `query` at 7 rows a page, joined, and a check that the page after the last
/// is empty.
async fn paged<F, Fut>(query: F) -> Vec<String>
where
    F: Fn(Page) -> Fut,
    Fut: Future<Output = Vec<String>>,
{
    const LIMIT: u64 = 7;
    let mut all = Vec::new();
    for offset in (0..).step_by(LIMIT as usize) {
        let page = query(Page::new(LIMIT, offset).unwrap()).await;
        assert!(page.len() <= LIMIT as usize);
        let last = page.len() < LIMIT as usize;
        all.extend(page);
        if last {
            break;
        }
    }
    all
}

#[tokio::test]
async fn tag_sets_page_through_files_in_code_point_order() {
    let db = TestDb::new().await;
    let repo = tagged_repo(&db).await;
    let cases: [(&[&str], Vec<String>, Vec<String>); 4] = [
        (
            &["two", "three"],
            expected(|i| i % 6 == 0),
            expected(|i| i % 2 == 0 || i % 3 == 0),
        ),
        (
            &["five", "three", "two"],
            expected(|i| i % 30 == 0),
            expected(|i| i % 2 == 0 || i % 3 == 0 || i % 5 == 0),
        ),
        (
            &["five"],
            expected(|i| i % 5 == 0),
            expected(|i| i % 5 == 0),
        ),
        (
            &["five", "five", "two"],
            expected(|i| i % 10 == 0),
            expected(|i| i % 2 == 0 || i % 5 == 0),
        ),
    ];
    for (tags, with_all, with_any) in cases {
        let tags = owned(tags);
        let got_all = paged(|page| {
            let (repo, tags) = (&repo, &tags);
            async move { repo.paths_with_all(tags, page).await.unwrap() }
        })
        .await;
        assert_eq!(got_all, with_all, "all of {tags:?}");
        let got_any = paged(|page| {
            let (repo, tags) = (&repo, &tags);
            async move { repo.paths_with_any(tags, page).await.unwrap() }
        })
        .await;
        assert_eq!(got_any, with_any, "any of {tags:?}");
    }
    drop(db);
}

#[tokio::test]
async fn a_tag_set_is_one_to_the_maximum_of_distinct_labels() {
    let db = TestDb::new().await;
    let repo = SeaOrmTagRepository::new(db.pool());
    repo.define(definition("t0", "set", "#000000"))
        .await
        .unwrap();
    repo.tag(tagging("only.rs", "t0", TagSource::Manual, 1.0))
        .await
        .unwrap();
    let page = Page::default();
    let most: Vec<String> = (0..TAGS_PER_QUERY).map(|i| format!("t{i}")).collect();
    assert_eq!(repo.paths_with_any(&most, page).await.unwrap(), ["only.rs"]);
    assert!(repo.paths_with_all(&most, page).await.unwrap().is_empty());
    let mut too_many = most.clone();
    too_many.push("one-more".into());
    for tags in [Vec::new(), too_many, owned(&["t0", "Not A Label"])] {
        assert_eq!(
            invalid_field(repo.paths_with_all(&tags, page).await),
            "tags"
        );
        assert_eq!(
            invalid_field(repo.paths_with_any(&tags, page).await),
            "tags"
        );
    }
    drop(db);
}
