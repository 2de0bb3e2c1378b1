//! [`TagRepository`] on SeaORM.

use async_trait::async_trait;
use memdb_enhanced_entity::{file_tags, tag_definitions};
use memdb_repository::query::{fetch_page, one_or_not_found, removed, stored_u64};
use memdb_repository::{
    ConflictKind, DbResultExt, Executor, Page, RepoError, RepoResult, Violation, now, stored_enum,
    utc, validate,
};
use sea_orm::sea_query::{OnConflict, SelectStatement};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    QueryTrait,
};

use super::sets::{self, TagSet};
use super::{
    FileTag, NewFileTag, NewTagDefinition, TagCount, TagDefinition, TagDefinitionFilter,
    TagRepository,
};
use crate::limits;

const DEFINITION: &str = "tag definition";
const FILE_TAG: &str = "file tag";

memdb_repository::sea_orm_repository! {
    /// [`TagRepository`] on SeaORM.
    SeaOrmTagRepository
}

impl From<tag_definitions::Model> for TagDefinition {
    fn from(m: tag_definitions::Model) -> Self {
        Self {
            name: m.name,
            category: m.category,
            color: m.color,
            description: m.description,
            created_at: utc(m.created_at),
        }
    }
}

impl TryFrom<file_tags::Model> for FileTag {
    type Error = RepoError;

    fn try_from(m: file_tags::Model) -> RepoResult<Self> {
        Ok(Self {
            source: stored_enum("tag source", &m.source)?,
            path: m.path,
            tag: m.tag,
            confidence: m.confidence,
            created_at: utc(m.created_at),
            updated_at: utc(m.updated_at),
        })
    }
}

/// A display colour: `#` and six hexadecimal digits, returned in lowercase.
fn color(value: &str) -> RepoResult<String> {
    match value.strip_prefix('#') {
        Some(digits) if digits.len() == 6 && digits.chars().all(|c| c.is_ascii_hexdigit()) => {
            Ok(value.to_ascii_lowercase())
        }
        _ => Err(RepoError::invalid(
            "color",
            format!("must be #rrggbb in hexadecimal digits, got {value:?}"),
        )),
    }
}

/// A path to look a file up by: compared as given, as paths are stored (see
/// [`crate::input::file_path`]).
fn lookup_path(path: &str) -> RepoResult<String> {
    Ok(validate::text("path", path)?.to_owned())
}

impl<C: Executor> SeaOrmTagRepository<C> {
    /// The first column of every row `select` finds, as text.
    async fn strings(&self, select: &SelectStatement) -> RepoResult<Vec<String>> {
        let rows = sea_orm::ConnectionTrait::query_all(&self.db, select).await?;
        Ok(rows
            .iter()
            .map(|row| row.try_get_by_index::<String>(0))
            .collect::<Result<_, _>>()?)
    }
}

#[async_trait]
impl<C: Executor> TagRepository for SeaOrmTagRepository<C> {
    async fn define(&self, input: NewTagDefinition) -> RepoResult<TagDefinition> {
        let name = validate::label("name", &input.name)?;
        let category = validate::label("category", &input.category)?;
        let color = color(&input.color)?;
        let description =
            validate::bounded("description", &input.description, limits::TAG_DESCRIPTION)?;
        let model = tag_definitions::ActiveModel {
            name: Set(name.clone()),
            category: Set(category),
            color: Set(color),
            description: Set(description.to_owned()),
            created_at: Set(now()),
        }
        .insert(&self.db)
        .await
        .on_duplicate(|| format!("a tag named {name:?} is already defined"))?;
        Ok(model.into())
    }

    async fn get_definition(&self, name: &str) -> RepoResult<TagDefinition> {
        let name = validate::label("name", name)?;
        let select = tag_definitions::Entity::find_by_id(name.clone());
        one_or_not_found(select, &self.db, DEFINITION, name).await
    }

    async fn list_definitions(
        &self,
        filter: TagDefinitionFilter,
        page: Page,
    ) -> RepoResult<Vec<TagDefinition>> {
        let category = filter
            .category
            .as_deref()
            .map(|c| validate::label("category", c))
            .transpose()?;
        // By category: `ix_tag_definitions_category_name`; all: the primary key on `name`.
        let select = tag_definitions::Entity::find()
            .apply_if(category, |q, c| {
                q.filter(tag_definitions::Column::Category.eq(c))
            })
            .order_by_asc(tag_definitions::Column::Name);
        fetch_page(select, &self.db, page).await
    }

    async fn delete_definition(&self, name: &str) -> RepoResult<()> {
        let name = validate::label("name", name)?;
        // The foreign key from `file_tags.tag` restricts the delete while a file carries the
        // tag: checked by the database in the same statement, so no tagging can slip in
        // between a check and the delete.
        let result = tag_definitions::Entity::delete_by_id(name.clone())
            .exec(&self.db)
            .await
            .on_violation(|v| {
                matches!(v, Violation::ForeignKey(_)).then(|| {
                    RepoError::conflict(
                        ConflictKind::StillReferenced,
                        format!("tag {name:?} is still on files: untag them first"),
                    )
                })
            })?;
        removed(&result, DEFINITION, name)
    }

    async fn tag(&self, input: NewFileTag) -> RepoResult<FileTag> {
        let path = crate::input::file_path("path", &input.path)?;
        let tag = validate::label("tag", &input.tag)?;
        let confidence = validate::unit_score("confidence", input.confidence)?;
        let at = now();
        let model = file_tags::ActiveModel {
            path: Set(path),
            tag: Set(tag.clone()),
            source: Set(input.source.as_str().to_owned()),
            confidence: Set(confidence),
            created_at: Set(at),
            updated_at: Set(at),
        };
        // One statement whatever is there: a first tagging inserts, a repeated one updates the
        // row the primary key (path, tag) finds, so concurrent taggers never duplicate it.
        let upsert = OnConflict::columns([file_tags::Column::Path, file_tags::Column::Tag])
            .update_columns([
                file_tags::Column::Source,
                file_tags::Column::Confidence,
                file_tags::Column::UpdatedAt,
            ])
            .to_owned();
        file_tags::Entity::insert(model)
            .on_conflict(upsert)
            .exec_with_returning(&self.db)
            .await
            .on_violation(|v| {
                matches!(v, Violation::ForeignKey(_)).then(|| {
                    RepoError::invalid(
                        "tag",
                        format!("tag {tag:?} is not defined: define it first"),
                    )
                })
            })?
            .try_into()
    }

    async fn untag(&self, path: &str, tag: &str) -> RepoResult<()> {
        let path = lookup_path(path)?;
        let tag = validate::label("tag", tag)?;
        let key = format!("{path}#{tag}");
        let result = file_tags::Entity::delete_by_id((path, tag))
            .exec(&self.db)
            .await?;
        removed(&result, FILE_TAG, key)
    }

    async fn tags_of(&self, path: &str, page: Page) -> RepoResult<Vec<FileTag>> {
        let path = lookup_path(path)?;
        // The primary key (path, tag) gives the order.
        let select = file_tags::Entity::find()
            .filter(file_tags::Column::Path.eq(path))
            .order_by_asc(file_tags::Column::Tag);
        fetch_page(select, &self.db, page).await
    }

    async fn paths_with_all(&self, tags: &[String], page: Page) -> RepoResult<Vec<String>> {
        let set = TagSet::new(tags)?;
        self.strings(&sets::paths_with_all(&set, page)).await
    }

    async fn paths_with_any(&self, tags: &[String], page: Page) -> RepoResult<Vec<String>> {
        let set = TagSet::new(tags)?;
        self.strings(&sets::paths_with_any(&set, page)).await
    }

    async fn counts(&self, page: Page) -> RepoResult<Vec<TagCount>> {
        let rows = sea_orm::ConnectionTrait::query_all(&self.db, &sets::counts(page)).await?;
        rows.iter()
            .map(|row| {
                let files: i64 = row.try_get("", "files")?;
                Ok(TagCount {
                    tag: row.try_get("", "tag")?,
                    files: stored_u64("tag count", files)?,
                })
            })
            .collect()
    }
}
