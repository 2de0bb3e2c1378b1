//! What a repository call's error was, for assertions: each helper fails the test on any other
//! outcome, printing it.

use memdb_repository::{ConflictKind, RepoError};

/// The field a `Validation` error blames.
pub(super) fn invalid_field<T: std::fmt::Debug>(result: Result<T, RepoError>) -> &'static str {
    match result {
        Err(RepoError::Validation { field, .. }) => field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// The kind of a `Conflict`.
pub(super) fn conflict_kind<T: std::fmt::Debug>(result: Result<T, RepoError>) -> ConflictKind {
    match result {
        Err(RepoError::Conflict { kind, .. }) => kind,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

/// The entity a `NotFound` names.
pub(super) fn not_found<T: std::fmt::Debug>(result: Result<T, RepoError>) -> &'static str {
    match result {
        Err(RepoError::NotFound { entity, .. }) => entity,
        other => panic!("expected not found, got {other:?}"),
    }
}
