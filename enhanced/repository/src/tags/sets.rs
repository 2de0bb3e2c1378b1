//! The statements over sets of tags: files with all or any of them, and files per tag. Each is
//! computed in SQL and walks `ix_file_tags_tag_path (tag, path)`, which hands out one tag's
//! files in path order, so a page is read from the index without sorting the files.

use memdb_enhanced_entity::{file_tags, tag_definitions};
use memdb_repository::{Page, RepoError, RepoResult, validate};
use sea_orm::sea_query::{
    Alias, Asterisk, Expr, ExprTrait, Func, Order, Query, SelectStatement, UnionType,
};

use crate::limits::TAGS_PER_QUERY;

/// A validated, non-empty set of at most [`TAGS_PER_QUERY`] distinct tag names, in name order.
pub(super) struct TagSet {
    first: String,
    rest: Vec<String>,
}

impl TagSet {
    /// The distinct names of `tags`, each a label.
    pub(super) fn new(tags: &[String]) -> RepoResult<Self> {
        let mut names = tags
            .iter()
            .map(|tag| validate::label("tags", tag))
            .collect::<RepoResult<Vec<_>>>()?;
        names.sort_unstable();
        names.dedup();
        if names.len() > TAGS_PER_QUERY {
            return Err(RepoError::invalid(
                "tags",
                format!(
                    "names {} distinct tags, at most {TAGS_PER_QUERY} are allowed",
                    names.len()
                ),
            ));
        }
        let mut names = names.into_iter();
        let first = names
            .next()
            .ok_or_else(|| RepoError::invalid("tags", "must name at least one tag"))?;
        Ok(Self {
            first,
            rest: names.collect(),
        })
    }
}

/// The paths of files carrying `tag`, in path order, as the arm of a query.
fn paths_tagged(tag: &str) -> SelectStatement {
    Query::select()
        .column(file_tags::Column::Path)
        .from(file_tags::Entity)
        .and_where(Expr::col(file_tags::Column::Tag).eq(tag))
        .to_owned()
}

fn paged(mut select: SelectStatement, order_by: Expr, page: Page) -> SelectStatement {
    select
        .order_by_expr(order_by, Order::Asc)
        .limit(page.limit())
        .offset(page.offset());
    select
}

/// Files with every tag of `set`: the first tag's files in path order (the index hands them
/// out sorted), each kept when a correlated count finds all the other tags on it, one primary
/// key lookup per tag. Reading stops once the page is full.
pub(super) fn paths_with_all(set: &TagSet, page: Page) -> SelectStatement {
    let outer = Alias::new("f");
    let inner = Alias::new("o");
    let mut select = Query::select()
        .column((outer.clone(), file_tags::Column::Path))
        .from_as(file_tags::Entity, outer.clone())
        .and_where(Expr::col((outer.clone(), file_tags::Column::Tag)).eq(set.first.as_str()))
        .to_owned();
    if !set.rest.is_empty() {
        let others = Query::select()
            .expr(Func::count(Expr::col(Asterisk)))
            .from_as(file_tags::Entity, inner.clone())
            .and_where(
                Expr::col((inner.clone(), file_tags::Column::Path))
                    .equals((outer.clone(), file_tags::Column::Path)),
            )
            .and_where(Expr::col((inner, file_tags::Column::Tag)).is_in(set.rest.iter().cloned()))
            .to_owned();
        let found = Expr::SubQuery(None, Box::new(others.into()));
        select.and_where(found.eq(set.rest.len() as i64));
    }
    paged(select, Expr::col((outer, file_tags::Column::Path)), page)
}

/// Files with any tag of `set`: the `UNION` of each tag's files. Every arm comes from the index
/// in path order, so SQLite merges them without a sort; PostgreSQL reads each tag's index range
/// and sorts the union (a merge of presorted arms comes with PostgreSQL 17).
/// `UNION` (not `UNION ALL`) lists a file with several of the tags once.
pub(super) fn paths_with_any(set: &TagSet, page: Page) -> SelectStatement {
    let mut select = paths_tagged(&set.first);
    for tag in &set.rest {
        select.union(UnionType::Distinct, paths_tagged(tag));
    }
    // A compound statement orders by its result column, unqualified.
    paged(select, Expr::col(Alias::new("path")), page)
}

/// Each defined tag with the number of files carrying it, in name order: the definitions'
/// primary key gives the order, and each count is an index range of `ix_file_tags_tag_path`.
pub(super) fn counts(page: Page) -> SelectStatement {
    let files = Query::select()
        .expr(Func::count(Expr::col(Asterisk)))
        .from(file_tags::Entity)
        .and_where(
            Expr::col((file_tags::Entity, file_tags::Column::Tag))
                .equals((tag_definitions::Entity, tag_definitions::Column::Name)),
        )
        .to_owned();
    let select = Query::select()
        .expr_as(
            Expr::col((tag_definitions::Entity, tag_definitions::Column::Name)),
            Alias::new("tag"),
        )
        .expr_as(
            Expr::SubQuery(None, Box::new(files.into())),
            Alias::new("files"),
        )
        .from(tag_definitions::Entity)
        .to_owned();
    paged(
        select,
        Expr::col((tag_definitions::Entity, tag_definitions::Column::Name)),
        page,
    )
}

#[cfg(test)]
mod tests {
    use memdb_repository::limits::LABEL;

    use super::*;

    fn names(tags: &[&str]) -> Vec<String> {
        tags.iter().map(|&t| t.to_owned()).collect()
    }

    #[test]
    fn tag_sets_are_distinct_sorted_labels_within_bounds() {
        let set = TagSet::new(&names(&["b", "a", "b"])).unwrap();
        assert_eq!((set.first.as_str(), set.rest), ("a", names(&["b"])));
        for bad in [
            names(&[]),
            names(&["Bad Tag"]),
            names(&[&"x".repeat(LABEL + 1)]),
        ] {
            assert!(matches!(
                TagSet::new(&bad),
                Err(RepoError::Validation { field: "tags", .. })
            ));
        }
        let most: Vec<String> = (0..TAGS_PER_QUERY).map(|i| format!("t{i}")).collect();
        assert!(TagSet::new(&most).is_ok());
        let too_many: Vec<String> = (0..=TAGS_PER_QUERY).map(|i| format!("t{i}")).collect();
        assert!(TagSet::new(&too_many).is_err());
        // Repeats count once against the limit.
        let mut repeated = most.clone();
        repeated.extend(most);
        assert!(TagSet::new(&repeated).is_ok());
    }
}
