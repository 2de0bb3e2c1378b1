//! Tags: named, coloured labels defined once and put on file paths by people or by an AI,
//! with a confidence.

mod sea_orm;
mod sets;

pub use self::sea_orm::SeaOrmTagRepository;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use memdb_repository::{Page, RepoResult};
use serde::{Deserialize, Serialize};

memdb_repository::db_enum! {
    /// Who put a tag on a file.
    pub enum TagSource: "tag source" {
        /// A person.
        Manual => "manual",
        /// A model, with its confidence.
        Ai => "ai",
    }
}

/// A defined tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagDefinition {
    /// Its name, unique: what files are tagged with.
    pub name: String,
    /// The group it belongs to, e.g. `quality`.
    pub category: String,
    /// Display colour, `#rrggbb` in lowercase.
    pub color: String,
    /// What it means (may be empty).
    pub description: String,
    /// When it was defined.
    pub created_at: DateTime<Utc>,
}

/// Input of [`TagRepository::define`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTagDefinition {
    /// A label: 1 to 64 of lowercase letters, digits, `_ - . :`; unique.
    pub name: String,
    /// A label, like the name.
    pub category: String,
    /// `#rrggbb` in hexadecimal digits of either case; stored in lowercase.
    pub color: String,
    /// At most 2000 characters, no NUL; may be empty.
    pub description: String,
}

/// Filter of [`TagRepository::list_definitions`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagDefinitionFilter {
    /// Only the definitions of this category.
    pub category: Option<String>,
}

/// A tag on a file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileTag {
    /// The file.
    pub path: String,
    /// The tag's name.
    pub tag: String,
    /// Who tagged it last.
    pub source: TagSource,
    /// How sure the tagger was, `0.0..=1.0`.
    pub confidence: f64,
    /// When the file first got the tag.
    pub created_at: DateTime<Utc>,
    /// When it was last tagged with it.
    pub updated_at: DateTime<Utc>,
}

/// Input of [`TagRepository::tag`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewFileTag {
    /// 1 to 1024 characters and 2048 bytes, not blank, no NUL; kept exactly as given (a file
    /// system tells paths apart by their bytes, and so does the file hash history).
    pub path: String,
    /// A defined tag's name.
    pub tag: String,
    /// Who tags.
    pub source: TagSource,
    /// A finite number in `0.0..=1.0`.
    pub confidence: f64,
}

/// How many files carry a tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagCount {
    /// The tag's name.
    pub tag: String,
    /// The number of files tagged with it (0 for a defined tag no file carries).
    pub files: u64,
}

/// Tag definitions and the tags on files.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait TagRepository: Send + Sync {
    /// Defines a tag, so files can be tagged with it.
    ///
    /// # Errors
    /// `Validation` for a bad name (field `name`), category, colour or description;
    /// `Conflict` (`Duplicate`) when a tag of that name is defined.
    async fn define(&self, input: NewTagDefinition) -> RepoResult<TagDefinition>;

    /// The definition of the tag `name`.
    ///
    /// # Errors
    /// `NotFound` when there is none; `Validation` for a name that is not a label.
    async fn get_definition(&self, name: &str) -> RepoResult<TagDefinition>;

    /// Tag definitions in name order, optionally of one category.
    ///
    /// # Errors
    /// `Validation` for a category that is not a label.
    async fn list_definitions(
        &self,
        filter: TagDefinitionFilter,
        page: Page,
    ) -> RepoResult<Vec<TagDefinition>>;

    /// Deletes the definition of the tag `name`.
    ///
    /// # Errors
    /// `NotFound` when there is none; `Conflict` (`StillReferenced`) while a file carries the
    /// tag (untag the files first); `Validation` for a name that is not a label.
    async fn delete_definition(&self, name: &str) -> RepoResult<()>;

    /// Tags a file. Tagging a file again with the same tag replaces the source and the
    /// confidence of the one row there is, atomically (concurrent taggers never duplicate it).
    ///
    /// # Errors
    /// `Validation` for a bad path, a confidence that is NaN or outside `0.0..=1.0` (field
    /// `confidence`), or a tag that is not defined (field `tag`).
    async fn tag(&self, input: NewFileTag) -> RepoResult<FileTag>;

    /// Takes the tag `tag` off the file at `path`.
    ///
    /// # Errors
    /// `NotFound` when the file does not carry the tag; `Validation` for a path containing NUL
    /// or a tag that is not a label.
    async fn untag(&self, path: &str, tag: &str) -> RepoResult<()>;

    /// The tags on the file at `path`, in tag name order.
    ///
    /// # Errors
    /// `Validation` for a path containing NUL.
    async fn tags_of(&self, path: &str, page: Page) -> RepoResult<Vec<FileTag>>;

    /// The paths of the files that carry every one of `tags`, in path order. Repeated names
    /// count once; a tag no file carries (or none defined) matches no file.
    ///
    /// # Errors
    /// `Validation` (field `tags`) for an empty set or more than
    /// [`limits::TAGS_PER_QUERY`](crate::limits::TAGS_PER_QUERY) distinct tags, or a tag that
    /// is not a label.
    async fn paths_with_all(&self, tags: &[String], page: Page) -> RepoResult<Vec<String>>;

    /// The paths of the files that carry at least one of `tags`, in path order, each once.
    ///
    /// # Errors
    /// As [`TagRepository::paths_with_all`].
    async fn paths_with_any(&self, tags: &[String], page: Page) -> RepoResult<Vec<String>>;

    /// How many files carry each defined tag, in tag name order.
    ///
    /// # Errors
    /// `Db` when the query fails.
    async fn counts(&self, page: Page) -> RepoResult<Vec<TagCount>>;
}
