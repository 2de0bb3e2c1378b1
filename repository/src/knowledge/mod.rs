//! Knowledge items, the typed and weighted relationships between them, and their access
//! statistics.

mod access;
mod bulk;
mod relationships;
mod sea_orm;

pub use self::sea_orm::SeaOrmKnowledgeRepository;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::RepoResult;
use crate::ids::KnowledgeId;
use crate::page::Page;

/// A stored piece of knowledge.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KnowledgeItem {
    /// Its id.
    pub id: KnowledgeId,
    /// The knowledge itself.
    pub content: String,
    /// Where it came from (a document path, a URL, an agent name, ...).
    pub source: String,
    /// Kind of knowledge, a label such as `fact` or `code-pattern`.
    pub knowledge_type: String,
    /// How sure we are that it is true, `0.0..=1.0`.
    pub confidence_score: f64,
    /// How much it deserves to be kept, `0.0..=1.0`; listings rank by it.
    pub retention_score: f64,
    /// How many times [`KnowledgeRepository::get`] returned it.
    pub access_count: u64,
    /// When [`KnowledgeRepository::get`] last returned it; `None` before the first time.
    pub last_accessed: Option<DateTime<Utc>>,
    /// Free-form JSON object.
    pub metadata: serde_json::Value,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When its content or scores last changed (accesses do not count).
    pub updated_at: DateTime<Utc>,
}

/// Input of [`KnowledgeRepository::add`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewKnowledge {
    /// The knowledge: not blank, at most 100 000 characters, stored as given.
    pub content: String,
    /// 1 to 500 characters after trimming, with a visible character; stored trimmed and in
    /// Unicode NFC.
    pub source: String,
    /// A label: 1 to 64 of lowercase letters, digits, `_ - . :`.
    pub knowledge_type: String,
    /// A finite score in `0.0..=1.0`.
    pub confidence_score: f64,
    /// A finite score in `0.0..=1.0`.
    pub retention_score: f64,
    /// A JSON object (`{}` when there is nothing to say): no NUL in any string or key, arrays
    /// and objects nested at most 127 deep.
    pub metadata: serde_json::Value,
}

/// Filter of [`KnowledgeRepository::search`]; `None` fields do not filter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnowledgeQuery {
    /// Only items whose content contains this text (`%` and `_` match themselves). Matching
    /// is case-insensitive for ASCII on SQLite and for all of Unicode on PostgreSQL. Must not
    /// be blank when given.
    pub text: Option<String>,
    /// Only items of this type.
    pub knowledge_type: Option<String>,
}

/// Changes for [`KnowledgeRepository::update_scores`]; `None` leaves a score as it is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScoreUpdate {
    /// New confidence, `0.0..=1.0`.
    pub confidence_score: Option<f64>,
    /// New retention, `0.0..=1.0`.
    pub retention_score: Option<f64>,
}

/// A directed, typed, weighted edge between two knowledge items.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Relationship {
    /// Where the edge starts.
    pub source_id: KnowledgeId,
    /// Where the edge ends.
    pub target_id: KnowledgeId,
    /// Kind of edge, a label such as `supports` or `derived-from`.
    pub relationship_type: String,
    /// Weight, `0.0..=1.0`.
    pub strength: f64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// Input of [`KnowledgeRepository::relate`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewRelationship {
    /// Where the edge starts; must exist.
    pub source_id: KnowledgeId,
    /// Where the edge ends; must exist and differ from `source_id`.
    pub target_id: KnowledgeId,
    /// A label: 1 to 64 of lowercase letters, digits, `_ - . :`. At most one edge of each type
    /// goes from one item to another.
    pub relationship_type: String,
    /// A finite weight in `0.0..=1.0`.
    pub strength: f64,
}

/// Which edges [`KnowledgeRepository::neighbours`] follows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Edges that start at the item.
    Outgoing,
    /// Edges that end at the item.
    Incoming,
    /// Edges either way.
    #[default]
    Both,
}

/// How a [`Neighbour`] is connected to the item that was asked about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeDirection {
    /// The edge goes from the item to the neighbour.
    Outgoing,
    /// The edge goes from the neighbour to the item.
    Incoming,
}

/// Filter of [`KnowledgeRepository::neighbours`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeighbourQuery {
    /// Only edges of this type.
    pub relationship_type: Option<String>,
    /// Which edges to follow (both ways by default).
    pub direction: Direction,
}

/// An item at the other end of an edge, with that edge's type, weight and direction.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Neighbour {
    /// The item at the other end.
    pub item: KnowledgeItem,
    /// The edge's type.
    pub relationship_type: String,
    /// The edge's weight.
    pub strength: f64,
    /// Which way the edge goes, seen from the item that was asked about.
    pub direction: EdgeDirection,
}

/// Knowledge items and their relationships.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait KnowledgeRepository: Send + Sync {
    /// Stores a knowledge item, never accessed yet.
    ///
    /// # Errors
    /// `Validation` for blank or overlong content, a bad source or type, a NUL character in any
    /// text or in the metadata, a score outside `0.0..=1.0` (or NaN), or metadata that is not a
    /// JSON object.
    async fn add(&self, input: NewKnowledge) -> RepoResult<KnowledgeItem>;

    /// Stores many knowledge items at once, all or none, in one transaction with multi-row
    /// inserts, and returns them in input order (as [`peek`](Self::peek) would return them).
    /// Each input follows the rules of [`add`](Self::add); every input is checked before
    /// anything is written. Empty input returns an empty list without touching the database.
    ///
    /// # Errors
    /// `Validation` for the first bad input, its reason starting with `input <index>:`.
    /// Nothing is written then.
    async fn add_many(&self, inputs: Vec<NewKnowledge>) -> RepoResult<Vec<KnowledgeItem>>;

    /// The item with this id, recording the access: `access_count` goes up by one and
    /// `last_accessed` becomes now, atomically, and the returned item shows both.
    ///
    /// # Errors
    /// `NotFound` when there is none.
    async fn get(&self, id: KnowledgeId) -> RepoResult<KnowledgeItem>;

    /// The item with this id, without recording an access.
    ///
    /// # Errors
    /// `NotFound` when there is none.
    async fn peek(&self, id: KnowledgeId) -> RepoResult<KnowledgeItem>;

    /// Items matching `query`, highest retention first (ties in id order). Text matching is
    /// case-insensitive for ASCII on SQLite and for all of Unicode on PostgreSQL (both sides go
    /// through the database's `LOWER`, which on PostgreSQL follows the database's `LC_CTYPE`,
    /// normally a UTF-8 locale). Does not record accesses.
    ///
    /// # Errors
    /// `Validation` for blank text or a bad type label.
    async fn search(&self, query: KnowledgeQuery, page: Page) -> RepoResult<Vec<KnowledgeItem>>;

    /// The `n` items with the highest retention, optionally of one type, ties in id order.
    /// Does not record accesses.
    ///
    /// # Errors
    /// `Validation` when `n` is not 1 to 1000 or the type label is bad.
    async fn top_by_retention(
        &self,
        n: u64,
        knowledge_type: Option<String>,
    ) -> RepoResult<Vec<KnowledgeItem>>;

    /// Changes an item's confidence and/or retention and bumps its `updated_at`.
    ///
    /// # Errors
    /// `Validation` for a score outside `0.0..=1.0` (or NaN); `NotFound` when there is no such
    /// item.
    async fn update_scores(
        &self,
        id: KnowledgeId,
        update: ScoreUpdate,
    ) -> RepoResult<KnowledgeItem>;

    /// Adds an edge from one item to another.
    ///
    /// # Errors
    /// `Validation` for an edge from an item to itself, a bad type label, a strength outside
    /// `0.0..=1.0`, or ids of items that do not exist (field `reference`); `Conflict`
    /// (`Duplicate`) when an edge of this type already goes from `source_id` to
    /// `target_id`.
    async fn relate(&self, input: NewRelationship) -> RepoResult<Relationship>;

    /// Adds many edges at once, all or none, in one transaction with multi-row inserts, and
    /// returns them in input order. Each input follows the rules of [`relate`](Self::relate);
    /// every input is checked before anything is written. Empty input returns an empty list
    /// without touching the database.
    ///
    /// # Errors
    /// `Validation` for the first bad input, its reason starting with `input <index>:`, or
    /// naming the first input with an end that does not exist (field `reference`); `Conflict`
    /// (`Duplicate`) when two inputs are the same edge (same ends and type), or an input's
    /// edge already exists. Nothing is written then.
    async fn relate_many(&self, inputs: Vec<NewRelationship>) -> RepoResult<Vec<Relationship>>;

    /// The items connected to `id` by the edges `query` selects, strongest edge first (ties
    /// by item id, then edge type, outgoing before incoming), one page at a time. An unknown id
    /// has no neighbours. Does not record accesses.
    ///
    /// # Errors
    /// `Validation` for a bad relationship type label.
    async fn neighbours(
        &self,
        id: KnowledgeId,
        query: NeighbourQuery,
        page: Page,
    ) -> RepoResult<Vec<Neighbour>>;

    /// Deletes an item together with every edge from or to it.
    ///
    /// # Errors
    /// `NotFound` when there is none.
    async fn delete(&self, id: KnowledgeId) -> RepoResult<()>;
}
