//! Every limit of an enhanced repository's input, in characters (Unicode scalar values) for
//! text: the one place the enhanced repositories take them from. Columns declared `VARCHAR(n)`
//! in the enhanced migrations carry the same numbers, listed in [`VARCHAR_COLUMNS`]; the
//! integration tests read the migrated schema and fail when a column and its limit drift apart.

use memdb_repository::limits::{LABEL, STATUS};

/// File paths (tagged files, places of violations), as long as document paths.
pub const FILE_PATH: usize = memdb_repository::limits::DOCUMENT_PATH;
/// Tag names and categories: labels of lowercase ASCII letters, digits, `_ - . :`.
pub const TAG_NAME: usize = LABEL;
/// Tag categories, labels like tag names.
pub const TAG_CATEGORY: usize = LABEL;
/// Tag colours: `#rrggbb`.
pub const TAG_COLOR: usize = 7;
/// Tag descriptions.
pub const TAG_DESCRIPTION: usize = 2000;
/// The most distinct tags one query for files with all or any of a set of tags may name: each
/// is one more index lookup per candidate file (all) or one more index range to merge (any).
pub const TAGS_PER_QUERY: usize = 32;
/// Names of the rules a violation breaks.
pub const VIOLATION_RULE: usize = 200;
/// Violation messages.
pub const VIOLATION_MESSAGE: usize = 10_000;

/// Every `VARCHAR(n)` column of the enhanced tables whose limits are declared here, and its
/// limit: `(table, column, limit)`.
pub const VARCHAR_COLUMNS: &[(&str, &str, usize)] = &[
    ("tag_definitions", "name", TAG_NAME),
    ("tag_definitions", "category", TAG_CATEGORY),
    ("tag_definitions", "color", TAG_COLOR),
    ("tag_definitions", "description", TAG_DESCRIPTION),
    ("file_tags", "path", FILE_PATH),
    ("file_tags", "tag", TAG_NAME),
    ("file_tags", "source", STATUS),
    ("violations", "rule", VIOLATION_RULE),
    ("violations", "severity", STATUS),
    ("violations", "path", FILE_PATH),
    ("violations", "status", STATUS),
];
