//! Every length limit of a stored text field, in characters (Unicode scalar values): the one
//! place the repositories take them from. Columns declared `VARCHAR(n)` in the migrations carry
//! the same numbers; `tests/tests/it/limits.rs` reads the migrated schema and fails when a
//! column and its limit here drift apart, and checks every limit at its edge on each backend.

/// Organization display names.
pub const ORGANIZATION_NAME: usize = 200;
/// Organization slugs (ASCII).
pub const ORGANIZATION_SLUG: usize = 64;
/// Document paths.
pub const DOCUMENT_PATH: usize = 512;
/// Document titles.
pub const DOCUMENT_TITLE: usize = 500;
/// Machine labels: document, knowledge, agent and relationship types (ASCII).
pub const LABEL: usize = 64;
/// Knowledge content.
pub const KNOWLEDGE_CONTENT: usize = 100_000;
/// Knowledge sources.
pub const KNOWLEDGE_SOURCE: usize = 500;
/// Task prompts.
pub const TASK_PROMPT: usize = 100_000;
/// Who submitted a task.
pub const TASK_CREATED_BY: usize = 200;
/// The error message of a failed task attempt.
pub const TASK_ERROR: usize = 10_000;
/// Persona names.
pub const PERSONA_NAME: usize = 200;
/// Persona descriptions.
pub const PERSONA_DESCRIPTION: usize = 2000;
/// Persona system prompts.
pub const PERSONA_SYSTEM_PROMPT: usize = 100_000;
/// Stored statuses and kinds (`db_enum!` values).
pub const STATUS: usize = 16;
/// A SHA-256 as lowercase hex digits.
pub const SHA256_HEX: usize = 64;
/// Substring search terms.
pub const SEARCH_TEXT: usize = 1000;

/// Every `VARCHAR(n)` column of the legacy schema and the limit above that bounds it:
/// `(table, column, limit)`.
pub const VARCHAR_COLUMNS: &[(&str, &str, usize)] = &[
    ("organizations", "name", ORGANIZATION_NAME),
    ("organizations", "slug", ORGANIZATION_SLUG),
    ("documents", "path", DOCUMENT_PATH),
    ("documents", "title", DOCUMENT_TITLE),
    ("documents", "doc_type", LABEL),
    ("documents", "content_hash", SHA256_HEX),
    ("knowledge_items", "source", KNOWLEDGE_SOURCE),
    ("knowledge_items", "knowledge_type", LABEL),
    ("knowledge_relationships", "relationship_type", LABEL),
    ("tasks", "agent_type", LABEL),
    ("tasks", "status", STATUS),
    ("tasks", "created_by", TASK_CREATED_BY),
    ("personas", "name", PERSONA_NAME),
];
